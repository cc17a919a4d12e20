<?php
declare(strict_types=1);

namespace Presend;

/** PRESEND_EIO: a file could not be read. */
class IoException extends Exception
{
}
