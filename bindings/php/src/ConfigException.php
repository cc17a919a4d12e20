<?php
declare(strict_types=1);

namespace Presend;

/** PRESEND_ECONFIG: an invalid configuration (the message names the key). */
class ConfigException extends Exception
{
}
