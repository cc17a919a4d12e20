<?php
declare(strict_types=1);

namespace Presend;

/** PRESEND_EJSON: input that is not well-formed JSON or not valid UTF-8. */
class JsonException extends Exception
{
}
