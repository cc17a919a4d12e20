<?php
declare(strict_types=1);

namespace Presend;

/** PRESEND_EUNKNOWN_ACCOUNT: the account is not configured. */
class UnknownAccountException extends MessageException
{
}
