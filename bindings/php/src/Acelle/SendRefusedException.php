<?php
declare(strict_types=1);

namespace Presend\Acelle;

use Presend\Decision;
use Presend\Verdict;

/**
 * Thrown by CheckedSendingServer::send() instead of sending a message that
 * presend blocked or deferred. AcelleMail records an exception thrown by a
 * sending server's send() as a failed delivery with the exception's message,
 * here "presend: block (consent.withdrawn)" or "presend: defer
 * (quota.rate_exceeded), retry after 1200 ms".
 */
final class SendRefusedException extends \RuntimeException
{
    public function __construct(private readonly Decision $decision)
    {
        $text = sprintf('presend: %s (%s)', $decision->verdict->label(), implode(', ', $decision->reasonCodes()));
        if ($decision->verdict === Verdict::Defer) {
            $text .= sprintf(', retry after %d ms', $decision->retryAfterMs);
        }
        parent::__construct($text);
    }

    public function getDecision(): Decision
    {
        return $this->decision;
    }

    /** True when the message may be tried again later (getRetryAfterMs()). */
    public function isDeferred(): bool
    {
        return $this->decision->verdict === Verdict::Defer;
    }

    public function getRetryAfterMs(): int
    {
        return $this->decision->retryAfterMs;
    }
}
