<?php
declare(strict_types=1);

namespace Presend\Symfony;

use Presend\Decision;
use Presend\Engine;
use Presend\Mail\MessageMapper;
use Presend\Verdict;
use Symfony\Component\EventDispatcher\EventSubscriberInterface;
use Symfony\Component\Mailer\Event\MessageEvent;

/**
 * Checks each message with presend when a transport is about to send it
 * (Symfony\Component\Mailer\Event\MessageEvent, not the queued one: a
 * message put on a Messenger queue is checked when the worker sends it).
 *
 *  - block or defer: $event->reject() where it exists (Symfony 6.3+),
 *    otherwise throws MessageRejectedException (5.4);
 *  - partial: removes the refused recipients from the envelope;
 *  - allow: nothing.
 *
 * It runs after the other MessageEvent listeners (priority -1024), so that
 * it judges the envelope as they left it.
 */
final class CheckBeforeSendingSubscriber implements EventSubscriberInterface
{
    private ?Decision $lastDecision = null;

    /** @param array{account?: string, region?: string, stream?: string, list?: string} $routing */
    public function __construct(
        private readonly Engine $engine,
        private readonly array $routing = [],
        private readonly bool $dryRun = false,
    ) {
    }

    public static function getSubscribedEvents(): array
    {
        return [MessageEvent::class => ['onMessage', -1024]];
    }

    public function onMessage(MessageEvent $event): void
    {
        if ($event->isQueued()) {
            return;
        }
        $envelope = $event->getEnvelope();
        $decision = $this->engine->check(MessageMapper::fromSymfony($event->getMessage(), $envelope, $this->routing), $this->dryRun);
        $this->lastDecision = $decision;
        if (!$decision->verdict->sends()) {
            if (method_exists($event, 'reject')) {
                $event->reject();
                return;
            }
            throw new MessageRejectedException($decision);
        }
        if ($decision->verdict === Verdict::Partial) {
            MessageMapper::keepAllowedEnvelope($envelope, $decision);
            $event->setEnvelope($envelope);
        }
    }

    public function lastDecision(): ?Decision
    {
        return $this->lastDecision;
    }
}
