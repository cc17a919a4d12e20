<?php
declare(strict_types=1);

namespace Presend\Tests;

use Presend\ConfigException;
use Presend\Engine;
use Presend\Exception;
use Presend\JsonException;
use Presend\Library;
use Presend\MessageException;
use Presend\NotFoundException;
use Presend\ParseException;
use Presend\StoreException;
use Presend\TooBigException;
use Presend\UnknownAccountException;
use Presend\UnknownRegionException;

final class ExceptionTest extends TestCase
{
    /** @return array<string, array{callable(TestCase): void, class-string, int, string}> */
    public function cases(): array
    {
        return [
            'invalid configuration' => [
                fn (self $t) => Engine::fromJson(['accounts' => ['prod' => ['tier' => 'gold']]], $t->dir . '/x.db')->open(),
                ConfigException::class, Library::ECONFIG, 'tier',
            ],
            'configuration not JSON' => [
                fn (self $t) => Engine::fromJson('{"accounts": ', $t->dir . '/x.db')->open(),
                JsonException::class, Library::EJSON, '',
            ],
            'store is not a presend store' => [
                function (self $t) {
                    file_put_contents($t->dir . '/junk.db', str_repeat('not sqlite ', 1000));
                    Engine::fromJson(self::CONFIG, $t->dir . '/junk.db')->open();
                },
                StoreException::class, Library::ECORRUPT, '',
            ],
            'unknown message field' => [
                fn (self $t) => $t->engine()->check(['to' => ['a@example.org'], 'subject' => 'hi']),
                MessageException::class, Library::EMESSAGE, 'subject',
            ],
            'message not JSON' => [
                fn (self $t) => $t->engine()->check('{"to": ["a@example.org"'),
                JsonException::class, Library::EJSON, '',
            ],
            'unknown account' => [
                fn (self $t) => $t->engine()->check(['to' => ['a@example.org'], 'account' => 'nope']),
                UnknownAccountException::class, Library::EUNKNOWN_ACCOUNT, 'nope',
            ],
            'unknown region' => [
                fn (self $t) => $t->engine()->check(['to' => ['a@example.org'], 'region' => 'mars-1']),
                UnknownRegionException::class, Library::EUNKNOWN_REGION, 'mars-1',
            ],
            'too many recipients' => [
                fn (self $t) => $t->engine()->check(['to' => array_map(fn ($i) => "r{$i}@example.org", range(1, 10001))]),
                TooBigException::class, Library::ETOOBIG, '',
            ],
            'release of an unknown decision' => [
                fn (self $t) => $t->engine()->release('00000000-0000-0000-0000-000000000000'),
                NotFoundException::class, Library::ENOTFOUND, '',
            ],
            'resume without a pause' => [
                fn (self $t) => $t->engine()->resume('prod'),
                NotFoundException::class, Library::ENOTFOUND, '',
            ],
            'address that does not parse' => [
                fn () => Library::normalizeAddress('not an address'),
                ParseException::class, Library::EPARSE, '',
            ],
        ];
    }

    /** @dataProvider cases */
    public function testStatusMapsToException(callable $call, string $class, int $status, string $mentions): void
    {
        try {
            $call($this);
            $this->fail("expected {$class}");
        } catch (Exception $e) {
            $this->assertInstanceOf($class, $e, $e->getMessage());
            $this->assertSame($status, $e->getStatus());
            $this->assertSame($status, $e->getCode());
            $this->assertStringStartsWith(Library::ffi()->presend_status_str($status), $e->getMessage());
            $this->assertStringContainsString($mentions, $e->getMessage());
        }
    }

    public function testUnknownStatusGivesTheBaseClass(): void
    {
        $e = Exception::fromStatus(-999, 'from the future');
        $this->assertSame(Exception::class, get_class($e));
        $this->assertSame(-999, $e->getStatus());
        $this->assertSame('unknown error: from the future', $e->getMessage());
    }

    public function testEngineStaysUsableAfterAFailedCall(): void
    {
        $e = $this->engine();
        try {
            $e->check(['to' => 'a@example.org', 'bogus' => true]);
        } catch (MessageException) {
        }
        $d = $e->check(['from' => 'Shop <o@shop.example>', 'to' => ['a@example.org'], 'stream' => 'transactional'], true);
        $this->assertTrue($d->verdict->sends());
    }
}
