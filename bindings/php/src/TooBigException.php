<?php
declare(strict_types=1);

namespace Presend;

/** PRESEND_ETOOBIG: input over a documented limit. */
class TooBigException extends MessageException
{
}
