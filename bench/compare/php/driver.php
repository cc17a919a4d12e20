<?php
/*
 * The drivers' common protocol (bench/compare/README.md), for the PHP
 * contenders: load the message file, warm up with untimed checks that change
 * nothing, wait for the coordinator's go (--sync), check messages in a closed loop (for
 * --seconds, or exactly --count messages), then write PREFIX.json (counts,
 * times, memory) and PREFIX.lat (each call's latency in nanoseconds).
 */
declare(strict_types=1);

namespace PresendCompare;

/** @return array<string, string|int|float> */
function parse_args(): array
{
    $o = getopt('', ['store:', 'messages:', 'out:', 'config:', 'first:', 'seconds:', 'count:', 'sync',
        'warmup:', 'max-24h:', 'max-rate:', 'burst:', 'limits-storage:']);
    foreach (['store', 'messages', 'out'] as $required) {
        if (!isset($o[$required])) {
            fwrite(STDERR, "--store, --messages and --out are required\n");
            exit(2);
        }
    }
    return [
        'store' => (string) $o['store'],
        'messages' => (string) $o['messages'],
        'out' => (string) $o['out'],
        'config' => (string) ($o['config'] ?? ''),
        'first' => (int) ($o['first'] ?? 0),
        'seconds' => (float) ($o['seconds'] ?? 10),
        'count' => (int) ($o['count'] ?? 0),
        'sync' => isset($o['sync']),
        'warmup' => (int) ($o['warmup'] ?? 2000),
        'max_24h' => (int) ($o['max-24h'] ?? (1 << 40)),
        'max_rate' => (int) ($o['max-rate'] ?? 1000000),
    ];
}

/** @return list<array<string, mixed>> */
function load_messages(string $path): array
{
    $out = [];
    $f = fopen($path, 'r');
    if ($f === false) {
        throw new \RuntimeException("cannot open $path");
    }
    while (($line = fgets($f)) !== false) {
        if (trim($line) !== '') {
            $out[] = json_decode($line, true, 512, JSON_THROW_ON_ERROR);
        }
    }
    fclose($f);
    return $out;
}

function status_kb(string $key): int
{
    foreach (file('/proc/self/status') ?: [] as $line) {
        if (str_starts_with($line, $key . ':')) {
            return (int) preg_replace('/\D/', '', $line);
        }
    }
    return -1;
}

function wall_ns(): int
{
    // Wall-clock nanoseconds (microsecond resolution): the processes of a run share this clock.
    [$usec, $sec] = explode(' ', microtime());
    return (int) $sec * 1000000000 + (int) round((float) $usec * 1e9);
}

/** presend's message verdict from its recipients' verdicts. */
function message_verdict(int $allowed, int $blocked, int $deferred): string
{
    if ($allowed > 0) {
        return ($blocked > 0 || $deferred > 0) ? 'partial' : 'allow';
    }
    return $deferred > 0 ? 'defer' : 'block';
}

/**
 * @param array<string, mixed> $args
 * @param list<array<string, mixed>> $messages
 * @param callable(array<string, mixed>): array{0: string, 1: int, 2: int, 3: int} $check
 * @param int $baseKb RssAnon once the messages were loaded, before the gate was opened
 * @param callable(array<string, mixed>): mixed $warm
 */
function run(string $name, string $runtime, array $args, array $messages, int $baseKb, callable $check,
    callable $warm): void
{
    $n = count($messages);
    $next = $args['first'] % $n;
    for ($i = 0; $i < $args['warmup']; $i++) {
        $warm($messages[($next + $i) % $n]);
    }
    if ($args['sync']) {
        echo "ready\n";
        fflush(STDOUT);
        if (fgets(STDIN) === false) {
            fwrite(STDERR, "$name: --sync: no go from the coordinator\n");
            exit(1);
        }
    }

    $lat = [];
    $allowed = $blocked = $deferred = $errors = 0;
    $verdicts = ['allow' => 0, 'partial' => 0, 'block' => 0, 'defer' => 0];
    $rssPeak = status_kb('RssAnon');
    $first = wall_ns();
    $deadline = $first + (int) ($args['seconds'] * 1e9);
    for ($i = 0; ; $i++) {
        if ($args['count'] > 0 ? $i >= $args['count'] : (($i & 15) === 0 && wall_ns() >= $deadline)) {
            break;
        }
        $m = $messages[$next];
        $next = ($next + 1) % $n;
        $t0 = hrtime(true);
        try {
            [$verdict, $a, $b, $d] = $check($m);
        } catch (\Throwable $e) {
            $lat[] = hrtime(true) - $t0;
            if ($errors++ === 0) {
                fwrite(STDERR, "$name: {$e->getMessage()}\n");
            }
            continue;
        }
        $lat[] = hrtime(true) - $t0;
        $verdicts[$verdict]++;
        $allowed += $a;
        $blocked += $b;
        $deferred += $d;
        if (($i & 1023) === 1023) {
            $rssPeak = max($rssPeak, status_kb('RssAnon'));
        }
    }
    $last = wall_ns();
    $rssPeak = max($rssPeak, status_kb('RssAnon'));

    file_put_contents($args['out'] . '.lat', implode("\n", $lat) . "\n");
    file_put_contents($args['out'] . '.json', json_encode([
        'driver' => $name, 'checks' => count($lat), 'errors' => $errors, 'allowed' => $allowed,
        'blocked' => $blocked, 'deferred' => $deferred, 'verdicts' => $verdicts, 'first_ns' => $first,
        'last_ns' => $last, 'vm_hwm_kb' => status_kb('VmHWM'), 'rss_anon_base_kb' => $baseKb, 'rss_anon_peak_kb' => $rssPeak, 'runtime' => $runtime,
    ], JSON_UNESCAPED_SLASHES) . "\n");
    if ($errors > 0) {
        exit(1);
    }
}
