<?php
declare(strict_types=1);

namespace Presend;

/** PRESEND_EUNKNOWN_REGION: the region is not configured for the account. */
class UnknownRegionException extends MessageException
{
}
