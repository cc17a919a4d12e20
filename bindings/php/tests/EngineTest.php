<?php
declare(strict_types=1);

namespace Presend\Tests;

use Presend\Decision;
use Presend\Engine;
use Presend\Library;
use Presend\Recipient;
use Presend\Verdict;

final class EngineTest extends TestCase
{
    public function testVersionMatchesTheLibrary(): void
    {
        $this->assertMatchesRegularExpression('/^1\.\d+\.\d+/', Library::version());
        $this->assertSame(1, Library::abiVersion());
    }

    public function testPartialDecisionPerRecipient(): void
    {
        $e = $this->engine();
        self::subscribe($e, 'a@example.org', 'b@example.org');
        $e->consentWithdraw('b@example.org', 'weekly');
        $e->suppressionPut(['address' => 'c@example.org', 'reason' => 'bounce']);

        $d = $e->check(self::marketing(['a@example.org', 'b@example.org', 'c@example.org']));

        $this->assertSame(Verdict::Partial, $d->verdict);
        $this->assertSame(['a@example.org'], $d->allowedRecipients());
        $this->assertSame(['b@example.org', 'c@example.org'], $d->refusedRecipients());
        $this->assertContainsOnlyInstancesOf(Recipient::class, $d->recipients);
        $this->assertSame(Verdict::Block, $d->recipients[1]->verdict);
        $this->assertContains('consent.withdrawn', $d->recipients[1]->reasons);
        $this->assertContains('suppression.bounce', $d->recipients[2]->reasons);
        $this->assertSame(['unsubscribe.no_token'], $d->reasons); // a warning: no per-recipient token
        $this->assertFalse($d->dryRun);
        $this->assertMatchesRegularExpression('/^[0-9a-f-]{36}$/', $d->id);
        $array = $d->toArray();
        $this->assertSame('partial', $array['verdict']);
        $this->assertSame('consent', $array['recipients'][1]['reasons'][0]['check']);
    }

    public function testMessageAsJsonTextAndDomainNormalized(): void
    {
        $e = $this->engine();
        $d = $e->check(json_encode(['from' => 'Shop <o@shop.example>', 'to' => ['X@BÜCHER.example'], 'stream' => 'transactional']));
        $this->assertSame(Verdict::Allow, $d->verdict);
        $this->assertSame(['X@xn--bcher-kva.example'], $d->allowedRecipients());
    }

    public function testAllowReservesQuotaReleaseReturnsIt(): void
    {
        $e = $this->engine();
        self::subscribe($e, 'a@example.org', 'b@example.org');
        $msg = self::marketing(['a@example.org', 'b@example.org']);

        $dry = $e->check($msg, true);
        $this->assertTrue($dry->dryRun);
        $this->assertSame(Verdict::Allow, $dry->verdict);
        $this->assertSame(0, $e->quotaStatus()['sent_24h']);

        $d = $e->check($msg);
        $this->assertSame(2, $e->quotaStatus('prod', 'us-east-1')['sent_24h']);
        $e->release($d);
        $this->assertSame(0, $e->quotaStatus()['sent_24h']);
        $this->expectException(\Presend\StateException::class);
        $e->release($d->id);
    }

    public function testPauseDefersUntilResume(): void
    {
        $e = $this->engine();
        $msg = ['from' => 'Shop <o@shop.example>', 'to' => ['x@example.org'], 'stream' => 'transactional'];
        $paused = $e->pause('prod', null, 'bounce spike');
        $this->assertSame('bounce spike', $paused['reason']);
        $d = $e->check($msg, true);
        $this->assertSame(Verdict::Defer, $d->verdict);
        $this->assertGreaterThan(0, $d->retryAfterMs);
        $this->assertContains('reputation.paused', $d->reasonCodes());
        $this->assertSame([], $d->allowedRecipients());
        $e->resume('prod');
        $this->assertSame(Verdict::Allow, $e->check($msg, true)->verdict);
    }

    public function testEventsIngestSuppressesAHardBounce(): void
    {
        $e = $this->engine();
        self::subscribe($e, 'gone@example.org');
        $event = [
            'notificationType' => 'Bounce',
            'bounce' => [
                'bounceType' => 'Permanent', 'bounceSubType' => 'General',
                'bouncedRecipients' => [['emailAddress' => 'gone@example.org']],
                'timestamp' => '2026-11-02T09:00:00.000Z', 'feedbackId' => 'fb-1',
            ],
            'mail' => ['timestamp' => '2026-11-02T08:59:59.000Z', 'messageId' => 'm-1', 'source' => 'news@example.com',
                       'destination' => ['gone@example.org']],
        ];
        $report = $e->eventsIngest(json_encode($event), ['account' => 'prod', 'region' => 'us-east-1']);
        $this->assertSame(1, $report['ingested'], json_encode($report));
        $this->assertSame(1, $report['suppressed']);
        $again = $e->eventsIngest(json_encode($event));
        $this->assertSame(1, $again['duplicates']);
        $d = $e->check(self::marketing(['gone@example.org']), true);
        $this->assertSame(Verdict::Block, $d->verdict);
        $this->assertContains('suppression.bounce', $d->recipients[0]->reasons);
    }

    public function testAuditAndReport(): void
    {
        $e = $this->engine();
        self::subscribe($e, 'a@example.org');
        $e->check(self::marketing(['a@example.org']));
        $audit = $e->auditVerify();
        $this->assertTrue($audit['ok']);
        $this->assertGreaterThan(0, $audit['records']);
        $report = $e->report();
        $this->assertArrayHasKey('summary', $report);
        $md = $e->report(['format' => 'md']);
        $this->assertIsString($md);
        $this->assertStringContainsString('#', $md);
    }

    public function testFromConfigOpensLazilyAndReopensAfterClose(): void
    {
        $missing = Engine::fromConfig($this->dir . '/nope.json');
        $this->assertFileDoesNotExist($this->dir . '/presend.db'); // nothing happened yet
        try {
            $missing->check(['to' => ['a@example.org']], true);
            $this->fail('a missing configuration file must fail on first use');
        } catch (\Presend\IoException $x) {
            $this->assertSame(Library::EIO, $x->getStatus());
        }

        $e = Engine::fromConfig($this->configFile());
        $this->assertFileDoesNotExist($this->dir . '/presend.db');
        $e->consentPut(['address' => 'a@example.org', 'list' => 'weekly']);
        $this->assertFileExists($this->dir . '/presend.db');
        $e->close();
        $e->close();
        $this->assertSame(Verdict::Allow, $e->check(self::marketing(['a@example.org']), true)->verdict);
        $this->assertSame('subscribed', $e->consentGet('a@example.org')[0]['status']);
        $e->close();
    }

    /** After pcntl_fork the child opens its own engine and leaves the parent's alone. */
    public function testChildProcessOpensItsOwnEngine(): void
    {
        if (!function_exists('pcntl_fork')) {
            $this->markTestSkipped('pcntl is not available');
        }
        $e = Engine::fromConfig($this->configFile());
        self::subscribe($e, 'a@example.org');
        $msg = self::marketing(['a@example.org']);
        $e->check($msg); // open in the parent, reserve 1
        $pid = pcntl_fork();
        if ($pid === 0) {
            $ok = false;
            try {
                $ok = $e->check($msg)->verdict === Verdict::Allow;
            } finally {
                // Leave without running destructors and PHPUnit's shutdown.
                posix_kill(getmypid(), $ok ? SIGUSR1 : SIGUSR2);
            }
        }
        pcntl_waitpid($pid, $status);
        $this->assertTrue(pcntl_wifsignaled($status));
        $this->assertSame(SIGUSR1, pcntl_wtermsig($status), 'the child could not check');
        $this->assertSame(Verdict::Allow, $e->check($msg)->verdict); // the parent's engine still works
        $this->assertSame(3, $e->quotaStatus()['sent_24h']);
        $e->close();
    }
}
