<?php
declare(strict_types=1);

namespace Presend\Mail;

use Presend\Decision;
use Presend\Library;

/**
 * Turns a mail library's message into presend's message array, and trims
 * recipients after a partial decision. No judgement here: presend parses
 * the headers itself (the message goes as {"raw": <header block>}, without
 * its body, which no check reads).
 *
 * Routing (account, region, stream, list) comes from the adapter's defaults,
 * overridden per message by the headers X-Presend-Account, X-Presend-Region,
 * X-Presend-Stream and X-Presend-List, which are removed from the message
 * before it is sent.
 */
final class MessageMapper
{
    public const ROUTING_HEADERS = [
        'account' => 'X-Presend-Account',
        'region' => 'X-Presend-Region',
        'stream' => 'X-Presend-Stream',
        'list' => 'X-Presend-List',
    ];

    /** @param array{account?: string, region?: string, stream?: string, list?: string} $routing */
    public static function fromSwift(\Swift_Mime_SimpleMessage $message, array $routing = []): array
    {
        $headers = $message->getHeaders();
        foreach (self::ROUTING_HEADERS as $key => $name) {
            if ($headers->has($name)) {
                $routing[$key] = trim((string) $headers->get($name)->getFieldBody());
                $headers->removeAll($name);
            }
        }
        return self::routing($routing) + ['raw' => $headers->toString() . "\r\n"];
    }

    /**
     * A Symfony Mime message with its SMTP envelope: the envelope's
     * recipients (Bcc included) and sender are what is sent, so they are
     * what presend judges. Without an envelope, the one Symfony Mailer would
     * build (Envelope::create) when Symfony Mailer is installed.
     */
    public static function fromSymfony(\Symfony\Component\Mime\RawMessage $message, ?\Symfony\Component\Mailer\Envelope $envelope, array $routing = []): array
    {
        if ($message instanceof \Symfony\Component\Mime\Message) {
            // The prepared headers leave Bcc out: take the recipients from an envelope.
            if ($envelope === null && class_exists(\Symfony\Component\Mailer\Envelope::class)) {
                $envelope = \Symfony\Component\Mailer\Envelope::create($message);
            }
            $headers = $message->getHeaders();
            foreach (self::ROUTING_HEADERS as $key => $name) {
                if ($headers->has($name)) {
                    $routing[$key] = trim((string) $headers->get($name)->getBodyAsString());
                    $headers->remove($name);
                }
            }
            $raw = $message->getPreparedHeaders()->toString();
        } else {
            $text = $message->toString();
            $end = strpos($text, "\r\n\r\n");
            $raw = $end === false ? $text : substr($text, 0, $end + 2);
        }
        $out = self::routing($routing) + ['raw' => $raw . "\r\n"];
        if ($envelope !== null) {
            $out['to'] = array_map(static fn ($a) => $a->getAddress(), $envelope->getRecipients());
            $out['mail_from'] = $envelope->getSender()->getAddress();
        }
        return $out;
    }

    /**
     * Any message an adapter may see: a presend message array (as is), raw
     * RFC 5322 text, a Swift message or a Symfony Mime message.
     */
    public static function fromAny(mixed $message, array $routing = []): array
    {
        return match (true) {
            is_array($message) => $message + self::routing($routing),
            is_string($message) => self::routing($routing) + ['raw' => $message],
            $message instanceof \Swift_Mime_SimpleMessage => self::fromSwift($message, $routing),
            $message instanceof \Symfony\Component\Mime\RawMessage => self::fromSymfony($message, null, $routing),
            default => throw new \InvalidArgumentException('presend: cannot read a message of type ' . get_debug_type($message)),
        };
    }

    /** Whether the decision lets the message go to $address (as the mail library spells it). */
    public static function allows(Decision $decision, string $address): bool
    {
        try {
            $normalized = Library::normalizeAddress($address);
        } catch (\Presend\Exception) {
            return false;
        }
        $allowed = $decision->allowedRecipients();
        if (in_array($normalized, $allowed, true)) {
            return true;
        }
        // Engines configured with case-insensitive local parts report them lower-cased.
        return !in_array($normalized, $decision->refusedRecipients(), true)
            && in_array(strtolower($normalized), array_map('strtolower', $allowed), true);
    }

    /** Removes from a Swift message the To, Cc and Bcc recipients the decision does not allow. */
    public static function keepAllowedSwift(\Swift_Mime_SimpleMessage $message, Decision $decision): void
    {
        foreach (['To', 'Cc', 'Bcc'] as $field) {
            $current = $message->{'get' . $field}() ?? [];
            $kept = array_filter($current, static fn ($name, $addr) => self::allows($decision, (string) $addr), ARRAY_FILTER_USE_BOTH);
            if (count($kept) !== count($current)) {
                $message->{'set' . $field}($kept);
            }
        }
    }

    /** Removes from a Symfony Email the To, Cc and Bcc recipients the decision does not allow. */
    public static function keepAllowedEmail(\Symfony\Component\Mime\Email $email, Decision $decision): void
    {
        foreach (['to', 'cc', 'bcc'] as $field) {
            $current = $email->{'get' . ucfirst($field)}();
            $kept = array_values(array_filter($current, static fn ($a) => self::allows($decision, $a->getAddress())));
            if (count($kept) !== count($current)) {
                $email->getHeaders()->remove(ucfirst($field));
                if ($kept !== []) {
                    $email->{$field}(...$kept);
                }
            }
        }
    }

    /** Removes from a Symfony envelope the recipients the decision does not allow. */
    public static function keepAllowedEnvelope(\Symfony\Component\Mailer\Envelope $envelope, Decision $decision): void
    {
        $kept = array_values(array_filter($envelope->getRecipients(), static fn ($a) => self::allows($decision, $a->getAddress())));
        $envelope->setRecipients($kept);
    }

    private static function routing(array $routing): array
    {
        return array_filter(
            array_intersect_key($routing, self::ROUTING_HEADERS),
            static fn ($v) => $v !== null && $v !== ''
        );
    }
}
