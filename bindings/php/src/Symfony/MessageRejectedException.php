<?php
declare(strict_types=1);

namespace Presend\Symfony;

use Presend\Decision;
use Symfony\Component\Mailer\Exception\TransportException;

/**
 * Thrown by CheckBeforeSendingSubscriber (Symfony Mailer before 6.3, which
 * has no MessageEvent::reject()) for a message presend blocked or deferred.
 * A TransportExceptionInterface, as callers of MailerInterface::send() expect.
 */
final class MessageRejectedException extends TransportException
{
    public function __construct(private readonly Decision $decision)
    {
        parent::__construct(sprintf(
            'presend: %s (%s)',
            $decision->verdict->label(),
            implode(', ', $decision->reasonCodes())
        ));
    }

    public function getDecision(): Decision
    {
        return $this->decision;
    }
}
