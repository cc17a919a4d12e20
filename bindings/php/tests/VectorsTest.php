<?php
declare(strict_types=1);

namespace Presend\Tests;

use Presend\Engine;

/**
 * The shared test vectors (format version 1), one case per file: every
 * binding runs the same ones. Directory: $PRESEND_VECTORS_DIR, else the
 * repository's tests/vectors. Each case runs on a fresh temporary store.
 *
 *   {"name", "description", "config": {engine configuration, no store},
 *    "setup": [{"consent_put": {...}} | {"suppression_put": {...}} |
 *              {"events_ingest": "text"} |
 *              {"pause": {"account", "region" (or null), "reason"}}],
 *    "checks": [{"message": {...}, "dry_run": bool,
 *                "expect": {"verdict", "recipients": [{"address", "verdict", "reasons": [codes]}],
 *                           "reasons": [message-level codes]}}]}
 *
 * Reason codes are compared as sorted lists; "recipients" and "reasons" are
 * compared when the case gives them.
 */
final class VectorsTest extends TestCase
{
    public static function directory(): string
    {
        $dir = getenv('PRESEND_VECTORS_DIR');
        return is_string($dir) && $dir !== '' ? $dir : __DIR__ . '/../../../tests/vectors';
    }

    /** @return array<string, array{string}> */
    public function vectors(): array
    {
        $files = glob(self::directory() . '/*.json') ?: [];
        sort($files);
        if ($files === []) {
            return ['(none)' => ['']];
        }
        $out = [];
        foreach ($files as $f) {
            $out[basename($f, '.json')] = [$f];
        }
        return $out;
    }

    /** @dataProvider vectors */
    public function testVector(string $file): void
    {
        if ($file === '') {
            $this->markTestSkipped('No test vectors in ' . self::directory());
        }
        $text = (string) file_get_contents($file);
        $case = json_decode($text, true, 512, JSON_THROW_ON_ERROR);
        // What goes to the engine goes as JSON text from the object form: a PHP
        // array would turn an empty object ({}) into a list ([]).
        $raw = json_decode($text, false, 512, JSON_THROW_ON_ERROR);
        $json = static fn ($v) => json_encode($v, JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION);
        $name = $case['name'] ?? basename($file);
        $this->assertArrayNotHasKey('store', $case['config'], "{$name}: a vector's configuration has no store");
        $engine = $this->engine($json($raw->config));

        foreach ($case['setup'] ?? [] as $i => $step) {
            $this->assertCount(1, $step, "{$name}: setup step {$i} has one key");
            $arg = reset($step);
            $rawArg = $raw->setup[$i]->{key($step)};
            match (key($step)) {
                'consent_put' => $engine->consentPut($json($rawArg)),
                'suppression_put' => $engine->suppressionPut($json($rawArg)),
                'events_ingest' => $engine->eventsIngest($arg),
                'pause' => $engine->pause($arg['account'], $arg['region'] ?? null, $arg['reason'] ?? null),
                default => $this->fail("{$name}: unknown setup step \"" . key($step) . '"'),
            };
        }

        $this->assertNotEmpty($case['checks'], "{$name}: no checks");
        foreach ($case['checks'] as $i => $check) {
            $where = "{$name}, check {$i}";
            $d = $engine->check($json($raw->checks[$i]->message), (bool) ($check['dry_run'] ?? false));
            $expect = $check['expect'];
            $this->assertSame($expect['verdict'], $d->verdict->label(), "{$where}: verdict");
            if (array_key_exists('recipients', $expect)) {
                $actual = array_map(
                    fn ($r) => ['address' => $r->address, 'verdict' => $r->verdict->label(), 'reasons' => self::sorted($r->reasons)],
                    $d->recipients
                );
                $wanted = array_map(
                    fn ($r) => ['address' => $r['address'], 'verdict' => $r['verdict'], 'reasons' => self::sorted($r['reasons'] ?? [])],
                    $expect['recipients']
                );
                $this->assertSame($wanted, $actual, "{$where}: recipients");
            }
            if (array_key_exists('reasons', $expect)) {
                $this->assertSame(self::sorted($expect['reasons']), self::sorted($d->reasons), "{$where}: message-level reasons");
            }
        }
    }

    private static function sorted(array $codes): array
    {
        sort($codes, SORT_STRING);
        return $codes;
    }
}
