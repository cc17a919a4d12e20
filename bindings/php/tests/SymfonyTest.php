<?php
declare(strict_types=1);

namespace Presend\Tests;

use Presend\Engine;
use Presend\Symfony\CheckBeforeSendingSubscriber;
use Presend\Symfony\MessageRejectedException;
use Presend\Verdict;
use Symfony\Component\EventDispatcher\EventDispatcher;
use Symfony\Component\Mailer\Exception\TransportExceptionInterface;
use Symfony\Component\Mailer\Mailer;
use Symfony\Component\Mailer\SentMessage;
use Symfony\Component\Mailer\Transport\AbstractTransport;
use Symfony\Component\Mime\Email;

/** The subscriber on Symfony Mailer's real Mailer and EventDispatcher, with an in-memory transport. */
final class SymfonyTest extends TestCase
{
    private Engine $engine;
    private CheckBeforeSendingSubscriber $subscriber;
    private Mailer $mailer;
    /** @var \ArrayObject<int, SentMessage> */
    private \ArrayObject $sent;

    protected function setUp(): void
    {
        parent::setUp();
        self::requireFramework('Symfony/Component/Mailer/autoload.php', 'Symfony Mailer (php-symfony-mailer)');
        self::requireFramework('Symfony/Component/EventDispatcher/autoload.php', 'php-symfony-event-dispatcher');

        $this->engine = $this->engine();
        self::subscribe($this->engine, 'a@example.org', 'b@example.org');
        $this->subscriber = new CheckBeforeSendingSubscriber($this->engine, ['list' => 'weekly']);
        $dispatcher = new EventDispatcher();
        $dispatcher->addSubscriber($this->subscriber);
        $this->sent = new \ArrayObject();
        $transport = new class($this->sent, $dispatcher) extends AbstractTransport {
            public function __construct(private \ArrayObject $sent, EventDispatcher $dispatcher)
            {
                parent::__construct($dispatcher);
            }

            protected function doSend(SentMessage $message): void
            {
                $this->sent[] = $message;
            }

            public function __toString(): string
            {
                return 'memory://';
            }
        };
        $this->mailer = new Mailer($transport, null, $dispatcher);
    }

    private function email(string ...$to): Email
    {
        $email = (new Email())->from('News <news@example.com>')->to(...$to)->subject('Weekly')->text('Hello');
        foreach (self::UNSUBSCRIBE as [$name, $value]) {
            $email->getHeaders()->addTextHeader($name, $value);
        }
        return $email;
    }

    /** @return list<string> */
    private function delivered(int $i): array
    {
        return array_map(fn ($a) => $a->getAddress(), $this->sent[$i]->getEnvelope()->getRecipients());
    }

    public function testAllowedMessageIsSent(): void
    {
        $this->mailer->send($this->email('a@example.org'));
        $this->assertCount(1, $this->sent);
        $this->assertSame(['a@example.org'], $this->delivered(0));
        $this->assertSame(Verdict::Allow, $this->subscriber->lastDecision()->verdict);
    }

    public function testBlockedMessageIsRejected(): void
    {
        try {
            $this->mailer->send($this->email('stranger@example.org'));
            $this->fail('a blocked message must be rejected');
        } catch (MessageRejectedException $e) {
            $this->assertInstanceOf(TransportExceptionInterface::class, $e);
            $this->assertSame(Verdict::Block, $e->getDecision()->verdict);
            $this->assertStringContainsString('consent.missing', $e->getMessage());
        }
        $this->assertCount(0, $this->sent);
    }

    public function testDeferredMessageIsRejected(): void
    {
        $this->engine->pause('prod', 'us-east-1', 'test');
        try {
            $this->mailer->send($this->email('a@example.org'));
            $this->fail('a deferred message must be rejected');
        } catch (MessageRejectedException $e) {
            $this->assertSame(Verdict::Defer, $e->getDecision()->verdict);
            $this->assertGreaterThan(0, $e->getDecision()->retryAfterMs);
        }
        $this->assertCount(0, $this->sent);
    }

    public function testPartialMessageGoesToTheAllowedEnvelopeRecipientsOnly(): void
    {
        $email = $this->email('a@example.org', 'stranger@example.org')->bcc('b@example.org', 'hidden@example.org');
        $this->mailer->send($email);
        $this->assertCount(1, $this->sent);
        $this->assertSame(['a@example.org', 'b@example.org'], $this->delivered(0));
        $d = $this->subscriber->lastDecision();
        $this->assertSame(Verdict::Partial, $d->verdict);
        $this->assertSame(['stranger@example.org', 'hidden@example.org'], $d->refusedRecipients());
    }

    public function testRoutingHeaderIsReadAndRemoved(): void
    {
        $email = $this->email('stranger@example.org');
        $email->getHeaders()->addTextHeader('X-Presend-Stream', 'transactional');
        $this->mailer->send($email);
        $this->assertCount(1, $this->sent);
        $this->assertStringNotContainsString('X-Presend-Stream', $this->sent[0]->toString());
        $this->assertSame('transactional', $this->subscriber->lastDecision()->toArray()['stream']);
    }
}
