<?php
declare(strict_types=1);

namespace Presend\Tests;

use Presend\Acelle\CheckedSendingServer;
use Presend\Acelle\SendRefusedException;
use Presend\Engine;
use Presend\Verdict;

/** The decorator around a stand-in for an AcelleMail sending server. */
final class AcelleTest extends TestCase
{
    private Engine $engine;

    protected function setUp(): void
    {
        parent::setUp();
        $this->engine = $this->engine();
        self::subscribe($this->engine, 'a@example.org', 'b@example.org');
    }

    /** A sending server as AcelleMail's look: send() returns an array, or throws on failure. */
    private static function server(?\Throwable $failure = null): object
    {
        return new class($failure) {
            public array $calls = [];
            public string $name = 'SES us-east-1';

            public function __construct(private ?\Throwable $failure)
            {
            }

            public function send($message, $params = [])
            {
                $this->calls[] = [$message, $params];
                if ($this->failure !== null) {
                    throw $this->failure;
                }
                return ['status' => 'sent', 'runtime_message_id' => 'r-' . count($this->calls)];
            }

            public function getQuota(): int
            {
                return 42;
            }
        };
    }

    private function sent(): int
    {
        return $this->engine->quotaStatus()['sent_24h'];
    }

    public function testAllowedMessageIsSentAndTheResultReturned(): void
    {
        $inner = self::server();
        $server = new CheckedSendingServer($inner, $this->engine, ['list' => 'weekly']);
        $result = $server->send(self::marketing(['a@example.org']), ['campaign' => 7]);
        $this->assertSame(['status' => 'sent', 'runtime_message_id' => 'r-1'], $result);
        $this->assertSame([['campaign' => 7]], array_column($inner->calls, 1));
        $this->assertSame(1, $this->sent());
        $this->assertSame(42, $server->getQuota());
        $this->assertSame('SES us-east-1', $server->name);
    }

    public function testBlockedMessageThrowsWithoutSending(): void
    {
        $inner = self::server();
        $server = new CheckedSendingServer($inner, $this->engine);
        try {
            $server->send(self::marketing(['stranger@example.org']));
            $this->fail('expected SendRefusedException');
        } catch (SendRefusedException $e) {
            $this->assertFalse($e->isDeferred());
            $this->assertSame(Verdict::Block, $e->getDecision()->verdict);
            $this->assertStringStartsWith('presend: block (', $e->getMessage());
        }
        $this->assertSame([], $inner->calls);
    }

    public function testDeferredMessageThrowsWithRetryTime(): void
    {
        $this->engine->pause('prod');
        $inner = self::server();
        try {
            (new CheckedSendingServer($inner, $this->engine))->send(self::marketing(['a@example.org']));
            $this->fail('expected SendRefusedException');
        } catch (SendRefusedException $e) {
            $this->assertTrue($e->isDeferred());
            $this->assertGreaterThan(0, $e->getRetryAfterMs());
            $this->assertStringContainsString('reputation.paused', $e->getMessage());
        }
        $this->assertSame([], $inner->calls);
    }

    public function testFailedSendReleasesTheDecision(): void
    {
        $failure = new \RuntimeException('SMTP 421');
        $server = new CheckedSendingServer(self::server($failure), $this->engine);
        try {
            $server->send(self::marketing(['a@example.org', 'b@example.org']));
            $this->fail('the inner failure must go through');
        } catch (\RuntimeException $e) {
            $this->assertSame($failure, $e);
        }
        $this->assertSame(0, $this->sent());
        $this->expectException(\Presend\StateException::class);
        $this->engine->release($server->lastDecision()); // already released by the decorator
    }

    public function testPartialSwiftMessageIsTrimmed(): void
    {
        self::requireFramework('Swift/swift_required.php', 'SwiftMailer (php-swiftmailer)');
        self::requireFramework('Egulias/EmailValidator/autoload.php', 'php-email-validator');
        $message = (new \Swift_Message('Weekly', 'Hello'))->setFrom('news@example.com')->setTo(['a@example.org', 'stranger@example.org']);
        foreach (self::UNSUBSCRIBE as [$name, $value]) {
            $message->getHeaders()->addTextHeader($name, $value);
        }
        $message->getHeaders()->addTextHeader('X-Presend-List', 'weekly');
        $inner = self::server();
        (new CheckedSendingServer($inner, $this->engine))->send($message);
        $this->assertCount(1, $inner->calls);
        $this->assertSame(['a@example.org'], array_keys($inner->calls[0][0]->getTo()));
        $this->assertFalse($inner->calls[0][0]->getHeaders()->has('X-Presend-List'));
    }

    public function testPartialMessageThatCannotBeTrimmedIsRefusedAndReleased(): void
    {
        $inner = self::server();
        $server = new CheckedSendingServer($inner, $this->engine);
        try {
            $server->send(self::marketing(['a@example.org', 'stranger@example.org']));
            $this->fail('expected SendRefusedException');
        } catch (SendRefusedException $e) {
            $this->assertSame(Verdict::Partial, $e->getDecision()->verdict);
        }
        $this->assertSame([], $inner->calls);
        $this->assertSame(0, $this->sent());
    }

    public function testRefusalCanBeReturnedAsAcelleFailure(): void
    {
        $inner = self::server();
        $server = new CheckedSendingServer($inner, $this->engine, [], 'return');
        $result = $server->send(self::marketing(['stranger@example.org']));
        $this->assertSame('failed', $result['status']);
        $this->assertStringStartsWith('presend: block (', $result['error']);
        $this->assertSame('block', $result['presend']['verdict']);
        $this->assertSame([], $inner->calls);
    }

    public function testAroundWrapsASendFunction(): void
    {
        $calls = 0;
        $server = CheckedSendingServer::around(function ($message, $params) use (&$calls) {
            $calls++;
            return ['status' => 'sent', 'runtime_message_id' => $params['id']];
        }, $this->engine, ['list' => 'weekly']);
        $this->assertSame(['status' => 'sent', 'runtime_message_id' => 'x'], $server->send(self::marketing(['a@example.org']), ['id' => 'x']));
        $this->expectException(SendRefusedException::class);
        try {
            $server->send(self::marketing(['stranger@example.org']), ['id' => 'y']);
        } finally {
            $this->assertSame(1, $calls);
        }
    }
}
