<?php
declare(strict_types=1);

namespace Presend\Laravel;

use Illuminate\Mail\Events\MessageSending;
use Presend\Decision;
use Presend\Engine;
use Presend\Mail\MessageMapper;
use Presend\Verdict;

/**
 * Listener of Illuminate\Mail\Events\MessageSending: checks the message with
 * presend right before it goes. The message is a Swift_Message (Laravel 8)
 * or a Symfony Email (Laravel 9 and later).
 *
 *  - block or defer: returns false, which makes Laravel's Mailer skip the
 *    send (and MessageSent does not fire);
 *  - partial: removes the refused recipients from To, Cc and Bcc, then lets
 *    the message go (Laravel 9+: the Email's To, Cc and Bcc, from which
 *    Symfony Mailer builds the envelope);
 *  - allow: lets it go.
 *
 * It returns null, never true, when the message may go: the dispatcher's
 * until() stops at the first non-null answer, so true would silence the
 * listeners after this one. A failing engine throws (a Presend\Exception),
 * which aborts the send: presend fails closed.
 */
final class CheckBeforeSending
{
    private ?Decision $lastDecision = null;

    /**
     * @param array{account?: string, region?: string, stream?: string, list?: string} $routing
     *        defaults; per message, X-Presend-* headers override them (see MessageMapper)
     */
    public function __construct(
        private readonly Engine $engine,
        private readonly array $routing = [],
        private readonly bool $dryRun = false,
    ) {
    }

    /** @return false|null */
    public function handle(MessageSending $event)
    {
        $message = $event->message;
        $swift = $message instanceof \Swift_Mime_SimpleMessage;
        $decision = $this->engine->check(
            $swift ? MessageMapper::fromSwift($message, $this->routing) : MessageMapper::fromSymfony($message, null, $this->routing),
            $this->dryRun
        );
        $this->lastDecision = $decision;
        if (!$decision->verdict->sends()) {
            return false;
        }
        if ($decision->verdict === Verdict::Partial) {
            $swift ? MessageMapper::keepAllowedSwift($message, $decision) : MessageMapper::keepAllowedEmail($message, $decision);
        }
        return null;
    }

    /** The decision of the last message this listener saw (for logging). */
    public function lastDecision(): ?Decision
    {
        return $this->lastDecision;
    }
}
