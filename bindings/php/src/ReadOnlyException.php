<?php
declare(strict_types=1);

namespace Presend;

/** PRESEND_EREADONLY: the store (or the engine) is read-only. */
class ReadOnlyException extends StoreException
{
}
