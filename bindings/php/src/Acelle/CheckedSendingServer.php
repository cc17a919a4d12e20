<?php
declare(strict_types=1);

namespace Presend\Acelle;

use Presend\Decision;
use Presend\Engine;
use Presend\Mail\MessageMapper;
use Presend\Verdict;

/**
 * Wraps a sending server of an AcelleMail-style platform (any object with
 * send($message, ...)) so that presend checks every message first.
 *
 *  - allow: calls the wrapped send() and returns what it returns;
 *  - partial: removes the refused recipients (Swift messages), or refuses the
 *    whole message when they cannot be removed (other message types), then
 *    sends;
 *  - block or defer: does not call send(); throws SendRefusedException, or
 *    with $onRefusal = 'return', returns AcelleMail's failure array
 *    ['status' => 'failed', 'error' => "presend: block (consent.missing)",
 *     'presend' => the decision as an array] (DELIVERY_STATUS_FAILED);
 *  - when the wrapped send() throws, the decision is released (its quota
 *    comes back) and the exception goes on unchanged.
 *
 * The message may be a Swift message, a Symfony Mime message, raw RFC 5322
 * text or a presend message array. Other methods and properties are passed
 * through to the wrapped server.
 */
final class CheckedSendingServer
{
    private ?Decision $lastDecision = null;

    /** @param array{account?: string, region?: string, stream?: string, list?: string} $routing */
    public function __construct(
        private readonly object $server,
        private readonly Engine $engine,
        private readonly array $routing = ['stream' => 'marketing'],
        private readonly string $onRefusal = 'throw',
    ) {
        if (!in_array($onRefusal, ['throw', 'return'], true)) {
            throw new \InvalidArgumentException("onRefusal must be \"throw\" or \"return\", not \"{$onRefusal}\"");
        }
    }

    /**
     * Wraps a send function, e.g. fn ($message, $params) => parent::send($message, $params)
     * in a subclass of a platform's sending server model (examples/acelle-plugin).
     */
    public static function around(callable $send, Engine $engine, array $routing = ['stream' => 'marketing'], string $onRefusal = 'throw'): self
    {
        $server = new class($send) {
            /** @var callable */
            private $send;

            public function __construct(callable $send)
            {
                $this->send = $send;
            }

            public function send(mixed ...$args): mixed
            {
                return ($this->send)(...$args);
            }
        };
        return new self($server, $engine, $routing, $onRefusal);
    }

    public function send(mixed $message, mixed ...$args): mixed
    {
        $decision = $this->engine->check(MessageMapper::fromAny($message, $this->routing));
        $this->lastDecision = $decision;
        if ($decision->verdict === Verdict::Partial) {
            if ($message instanceof \Swift_Mime_SimpleMessage) {
                MessageMapper::keepAllowedSwift($message, $decision);
            } else {
                $this->releaseQuietly($decision);
                return $this->refuse($decision);
            }
        } elseif (!$decision->verdict->sends()) {
            return $this->refuse($decision);
        }
        try {
            return $this->server->send($message, ...$args);
        } catch (\Throwable $e) {
            $this->releaseQuietly($decision);
            throw $e;
        }
    }

    /** The decision of the last message (for the platform's delivery log). */
    public function lastDecision(): ?Decision
    {
        return $this->lastDecision;
    }

    /** The wrapped server. */
    public function inner(): object
    {
        return $this->server;
    }

    public function __call(string $name, array $args): mixed
    {
        return $this->server->$name(...$args);
    }

    public function __get(string $name): mixed
    {
        return $this->server->$name;
    }

    private function refuse(Decision $decision): array
    {
        $e = new SendRefusedException($decision);
        if ($this->onRefusal === 'throw') {
            throw $e;
        }
        return ['status' => 'failed', 'error' => $e->getMessage(), 'presend' => $decision->toArray()];
    }

    private function releaseQuietly(Decision $decision): void
    {
        if ($decision->dryRun || !$decision->verdict->sends()) {
            return;
        }
        try {
            $this->engine->release($decision);
        } catch (\Presend\Exception) {
            // the send failed either way; the quota stays reserved and expires with its 24-hour window
        }
    }
}
