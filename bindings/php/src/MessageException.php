<?php
declare(strict_types=1);

namespace Presend;

/** PRESEND_EMESSAGE: a message or record of the wrong shape; the base of the other input errors of a check. */
class MessageException extends Exception
{
}
