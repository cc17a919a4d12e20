<?php
declare(strict_types=1);

namespace Presend;

/** PRESEND_ENOTFOUND: no such decision, record or file. */
class NotFoundException extends Exception
{
}
