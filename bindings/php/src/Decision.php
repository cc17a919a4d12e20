<?php
declare(strict_types=1);

namespace Presend;

/**
 * presend's answer for one message (README, "Messages and decisions"): a
 * copy of the decision JSON, independent of the C object (freed at once).
 */
final class Decision
{
    public readonly string $id;
    public readonly Verdict $verdict;
    public readonly int $retryAfterMs;
    public readonly bool $dryRun;
    /** @var list<Recipient> */
    public readonly array $recipients;
    /** @var list<string> message-level reason codes */
    public readonly array $reasons;
    private readonly array $data;

    public function __construct(string $json)
    {
        $data = json_decode($json, true, 512, JSON_THROW_ON_ERROR);
        $this->data = $data;
        $this->id = $data['decision_id'];
        $this->verdict = Verdict::fromName($data['verdict']);
        $this->retryAfterMs = (int) ($data['retry_after_ms'] ?? 0);
        $this->dryRun = (bool) ($data['dry_run'] ?? false);
        $recipients = [];
        foreach ($data['recipients'] as $r) {
            $recipients[] = new Recipient($r['address'], Verdict::fromName($r['verdict']), array_column($r['reasons'], 'code'));
        }
        $this->recipients = $recipients;
        $this->reasons = array_column($data['reasons'] ?? [], 'code');
    }

    /** @return list<string> the normalized addresses the host may send to */
    public function allowedRecipients(): array
    {
        $out = [];
        foreach ($this->recipients as $r) {
            if ($r->verdict === Verdict::Allow) {
                $out[] = $r->address;
            }
        }
        return $out;
    }

    /** @return list<string> the normalized addresses the host must not send to now (blocked or deferred) */
    public function refusedRecipients(): array
    {
        $out = [];
        foreach ($this->recipients as $r) {
            if ($r->verdict !== Verdict::Allow) {
                $out[] = $r->address;
            }
        }
        return $out;
    }

    /** Every reason code of the decision, message-level first, without duplicates. */
    public function reasonCodes(): array
    {
        $codes = $this->reasons;
        foreach ($this->recipients as $r) {
            array_push($codes, ...$r->reasons);
        }
        return array_values(array_unique($codes));
    }

    /** The whole decision as the C API's JSON gives it (reasons with code, severity, check, message). */
    public function toArray(): array
    {
        return $this->data;
    }
}
