<?php
/*
 * bench.php: dry-run checks per second through the PHP binding, to compare
 * with the C API (bench/presend_bench: its "dry" phase is the same workload).
 *
 *   PRESEND_LIBRARY=/path/to/libpresend.so.1 php -d ffi.enable=true bench.php \
 *       [--records N] [--messages N] [--recipients N]
 *
 * A store of N consent records (default 10,000) and N/100 suppressions in a
 * temporary directory; marketing messages to 5 recipients (2 % of them with
 * no consent record) with a one-click List-Unsubscribe carrying a fresh
 * token. Prints checks/s of:
 *   engine  Engine::check($array, true): encoding, the C call, the Decision object
 *   ffi     the bare C calls (check, decision JSON, free) on pre-encoded JSON,
 *           which is the floor of what any PHP binding can do
 */
declare(strict_types=1);

require __DIR__ . '/autoload.php';

use Presend\Engine;
use Presend\Library;

$opt = getopt('', ['records:', 'messages:', 'recipients:']);
$records = (int) ($opt['records'] ?? 10000);
$messages = (int) ($opt['messages'] ?? 20000);
$perMessage = (int) ($opt['recipients'] ?? 5);

$dir = sys_get_temp_dir() . '/presend-php-bench-' . getmypid();
mkdir($dir);
$engine = Engine::fromJson([
    'defaults' => ['account' => 'prod', 'region' => 'us-east-1', 'stream' => 'marketing'],
    'accounts' => ['prod' => ['tier' => 'production', 'regions' => ['us-east-1' => ['max_24h' => 10000000, 'max_rate' => 100000]]]],
], $dir . '/presend.db');

$address = static fn (int $i): string => sprintf('user%d@d%d.example', $i, $i % 100);
$csv = "address,list,status,method,consented_at\n";
for ($i = 0; $i < $records; $i++) {
    $csv .= $address($i) . ",weekly,subscribed,double,2026-01-01T00:00:00Z\n";
}
$report = $engine->consentImport($csv, 'csv');
for ($i = 0; $i < intdiv($records, 100); $i++) {
    $engine->suppressionPut(['address' => $address($i * 97 % $records), 'reason' => 'bounce']);
}

mt_srand(1);
$batch = [];
for ($m = 0; $m < 1000; $m++) {
    $to = [];
    for ($r = 0; $r < $perMessage; $r++) {
        $to[] = mt_rand(0, 99) < 2 ? sprintf('nobody%d@d%d.example', mt_rand(), $r) : $address(mt_rand(0, $records - 1));
    }
    $batch[] = [
        'from' => 'News <news@example.com>', 'to' => $to, 'list' => 'weekly',
        'headers' => [
            ['List-Unsubscribe', '<https://example.com/u/' . bin2hex(random_bytes(8)) . '>'],
            ['List-Unsubscribe-Post', 'List-Unsubscribe=One-Click'],
        ],
    ];
}
$encoded = array_map(static fn ($m) => json_encode($m, JSON_UNESCAPED_SLASHES), $batch);

for ($i = 0; $i < 2000; $i++) { // warm-up: caches, SQLite pages
    $engine->check($batch[$i % 1000], true);
}

$t = hrtime(true);
$allowed = 0;
for ($i = 0; $i < $messages; $i++) {
    $allowed += count($engine->check($batch[$i % 1000], true)->allowedRecipients());
}
$engineRate = $messages / ((hrtime(true) - $t) / 1e9);

// The bare calls, on a handle of our own.
$ffi = Library::ffi();
$h = $ffi->new('presend_engine *');
$err = $ffi->new('char *');
$cfg = json_encode(['defaults' => ['account' => 'prod', 'region' => 'us-east-1'],
    'accounts' => ['prod' => ['regions' => ['us-east-1' => ['max_24h' => 10000000, 'max_rate' => 100000]]]], 'store' => $dir . '/presend.db']);
if ($ffi->presend_engine_open_json(FFI::addr($h), $cfg, strlen($cfg), null, FFI::addr($err)) !== 0) {
    fwrite(STDERR, 'open: ' . Library::take($err) . "\n");
    exit(1);
}
$d = $ffi->new('presend_decision *');
$t = hrtime(true);
for ($i = 0; $i < $messages; $i++) {
    $json = $encoded[$i % 1000];
    $ffi->presend_engine_check($h, $json, strlen($json), Library::CHECK_DRY_RUN, FFI::addr($d));
    $ffi->presend_decision_json($d);
    $ffi->presend_decision_free($d);
}
$ffiRate = $messages / ((hrtime(true) - $t) / 1e9);
$ffi->presend_engine_free($h);
$engine->close();

printf("presend %s, PHP %s, %d consent records (%d imported), %d suppressions, %d recipients per message, %d dry-run checks\n",
    Library::version(), PHP_VERSION, $records, $report['imported'], intdiv($records, 100), $perMessage, $messages);
printf("engine  %9.0f checks/s  (%.1f us per check, %.2f recipients allowed per message)\n", $engineRate, 1e6 / $engineRate, $allowed / $messages);
printf("ffi     %9.0f checks/s  (%.1f us per check)\n", $ffiRate, 1e6 / $ffiRate);

array_map('unlink', glob($dir . '/*'));
rmdir($dir);
