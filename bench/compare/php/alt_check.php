<?php
/*
 * Contender "alt-php": the gate a Laravel developer would write without
 * presend: PDO queries on SQLite, a counter table for the rolling 24 hours
 * and the per-second rate, every recipient's verdict recorded.
 *
 *   php bench/compare/php/alt_check.php --store alt.db --messages messages.jsonl \
 *       --out result [--seconds S | --count N] [--max-24h N] [--max-rate R]
 *
 * The same rules as presend's checks in this workload: a recipient is
 * allowed when the message has a one-click unsubscribe, the address is not
 * suppressed (for every list, or for this one) and it has a consent record
 * for the list with status "subscribed". The consenting recipients are then
 * counted against both limits at once (all or none): the sum of the last
 * 86,400 one-second rows of send_counters against the 24-hour maximum, the
 * current second's row against the rate.
 */
declare(strict_types=1);

namespace PresendCompare;

require __DIR__ . '/driver.php';

use PDO;

final class SendGate
{
    private const ONE_CLICK = 'List-Unsubscribe=One-Click';

    private \PDOStatement $suppression;
    private \PDOStatement $consent;
    private \PDOStatement $sent24h;
    private \PDOStatement $sentThisSecond;
    private \PDOStatement $count;
    private \PDOStatement $record;

    public function __construct(private PDO $db, private int $max24h, private int $maxRate)
    {
        $db->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);
        $db->setAttribute(PDO::ATTR_TIMEOUT, 10); // SQLite's busy timeout, in seconds
        $db->exec('PRAGMA journal_mode=WAL');
        $db->exec('PRAGMA synchronous=NORMAL'); // presend's default durability, for a like comparison
        $this->suppression = $db->prepare(
            'SELECT reason FROM suppressions WHERE email = ? AND (list IS NULL OR list = ?) LIMIT 1');
        $this->consent = $db->prepare('SELECT status FROM subscribers WHERE email = ? AND list = ?');
        $this->sent24h = $db->prepare('SELECT COALESCE(SUM(sent), 0) FROM send_counters WHERE second > ?');
        $this->sentThisSecond = $db->prepare('SELECT sent FROM send_counters WHERE second = ?');
        $this->count = $db->prepare('INSERT INTO send_counters(second, sent) VALUES(?, ?) '
            . 'ON CONFLICT(second) DO UPDATE SET sent = sent + excluded.sent');
        $this->record = $db->prepare(
            'INSERT INTO decisions(message_id, recipient, verdict, reason, created_at) VALUES(?, ?, ?, ?, ?)');
    }

    /** @return array{0: string, 1: ?string} */
    private function recipientVerdict(string $email, string $list): array
    {
        $this->suppression->execute([$email, $list]);
        $reason = $this->suppression->fetchColumn();
        $this->suppression->closeCursor();
        if ($reason !== false) {
            return ['block', 'suppression.' . $reason];
        }
        $this->consent->execute([$email, $list]);
        $status = $this->consent->fetchColumn();
        $this->consent->closeCursor();
        if ($status === false) {
            return ['block', 'consent.missing'];
        }
        return $status === 'subscribed' ? ['allow', null] : ['block', 'consent.' . $status];
    }

    /**
     * Each recipient's [address, verdict, reason]; records them unless $dryRun.
     * @param array<string, mixed> $message
     * @return list<array{0: string, 1: string, 2: ?string}>
     */
    public function check(array $message, bool $dryRun = false): array
    {
        $list = (string) ($message['list'] ?? '');
        $headers = [];
        foreach ($message['headers'] ?? [] as [$name, $value]) {
            $headers[strtolower($name)] = $value;
        }
        $oneClick = str_contains($headers['list-unsubscribe'] ?? '', '<https://')
            && trim($headers['list-unsubscribe-post'] ?? '') === self::ONE_CLICK;

        $result = [];
        foreach (array_unique(array_map(static fn ($a) => strtolower(trim($a)), $message['to'])) as $email) {
            $result[] = $oneClick ? [$email, ...$this->recipientVerdict($email, $list)]
                                  : [$email, 'block', 'unsubscribe.missing'];
        }
        if ($dryRun) {
            return $result;
        }

        $n = count(array_filter($result, static fn ($r) => $r[1] === 'allow'));
        $now = time();
        // PDO::beginTransaction() sends a deferred BEGIN: two processes that
        // both read the counters and then write fail with SQLITE_BUSY. An
        // immediate transaction takes the write lock first, so the read and
        // the increment are one atomic step across processes.
        $this->db->exec('BEGIN IMMEDIATE');
        try {
            if ($n > 0) {
                $this->sent24h->execute([$now - 86400]);
                $sent24h = (int) $this->sent24h->fetchColumn();
                $this->sent24h->closeCursor();
                $this->sentThisSecond->execute([$now]);
                $sentNow = (int) $this->sentThisSecond->fetchColumn();
                $this->sentThisSecond->closeCursor();
                if ($sent24h + $n > $this->max24h || $sentNow + $n > $this->maxRate) {
                    foreach ($result as &$r) {
                        if ($r[1] === 'allow') {
                            $r = [$r[0], 'defer', 'quota.exceeded'];
                        }
                    }
                    unset($r);
                } else {
                    $this->count->execute([$now, $n]);
                }
            }
            $messageId = (string) ($message['message_id'] ?? '');
            foreach ($result as [$email, $verdict, $reason]) {
                $this->record->execute([$messageId, $email, $verdict, $reason, $now]);
            }
            $this->db->exec('COMMIT');
        } catch (\Throwable $e) {
            $this->db->exec('ROLLBACK');
            throw $e;
        }
        return $result;
    }
}

$args = parse_args();
$messages = load_messages($args['messages']);
$baseKb = status_kb('RssAnon');
$gate = new SendGate(new PDO('sqlite:' . $args['store']), $args['max_24h'], $args['max_rate']);
$check = static function (array $m) use ($gate): array {
    $allowed = $blocked = $deferred = 0;
    foreach ($gate->check($m) as [, $verdict]) {
        match ($verdict) {
            'allow' => $allowed++,
            'defer' => $deferred++,
            default => $blocked++,
        };
    }
    return [message_verdict($allowed, $blocked, $deferred), $allowed, $blocked, $deferred];
};
$sqlite = (new PDO('sqlite::memory:'))->query('SELECT sqlite_version()')->fetchColumn();
run('alt-php', 'PHP ' . PHP_VERSION . ', PDO SQLite ' . $sqlite, $args, $messages, $baseKb, $check,
    static fn (array $m) => $gate->check($m, true));
