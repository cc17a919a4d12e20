<?php
declare(strict_types=1);

namespace Presend;

/** PRESEND_EINVAL: a bad argument. */
class InvalidArgumentException extends Exception
{
}
