<?php
declare(strict_types=1);

namespace Presend;

/** PRESEND_EPLUGIN: a plugin could not be loaded or initialized. */
class PluginException extends Exception
{
}
