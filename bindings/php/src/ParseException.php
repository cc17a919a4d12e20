<?php
declare(strict_types=1);

namespace Presend;

/** PRESEND_EPARSE: a value that does not parse (address, timestamp). */
class ParseException extends Exception
{
}
