<?php
/*
 * Contender "presend-php": presend through its PHP binding (FFI).
 *
 *   PRESEND_LIBRARY=build/release/c_api/libpresend.so.1 php -d ffi.enable=true \
 *       bench/compare/php/presend_check.php --config presend.json --store run.db \
 *       --messages messages.jsonl --out result [--seconds S | --count N]
 *
 * The timed call is what an application calls: Engine::check($array), which
 * encodes the message, checks it (reserving quota and storing the decision)
 * and builds the Decision object.
 */
declare(strict_types=1);

namespace PresendCompare;

require __DIR__ . '/driver.php';
require __DIR__ . '/../../../bindings/php/autoload.php';

use Presend\Engine;
use Presend\Library;
use Presend\Verdict;

$args = parse_args();
if ($args['config'] === '') {
    fwrite(STDERR, "presend_check.php: --config is required\n");
    exit(2);
}
$messages = load_messages($args['messages']);
$baseKb = status_kb('RssAnon');
$engine = Engine::fromJson((string) file_get_contents($args['config']), $args['store']);

$check = static function (array $m) use ($engine): array {
    $d = $engine->check($m);
    $allowed = $blocked = $deferred = 0;
    foreach ($d->recipients as $r) {
        match ($r->verdict) {
            Verdict::Allow => $allowed++,
            Verdict::Defer => $deferred++,
            default => $blocked++,
        };
    }
    return [$d->verdict->label(), $allowed, $blocked, $deferred];
};
run('presend-php', 'presend ' . Library::version() . ', PHP ' . PHP_VERSION, $args, $messages, $baseKb, $check,
    static fn (array $m) => $engine->check($m, true));
$engine->close();
