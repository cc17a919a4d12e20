<?php
declare(strict_types=1);

namespace Presend;

/** PRESEND_ESTATE: not possible now (a decision released twice). */
class StateException extends Exception
{
}
