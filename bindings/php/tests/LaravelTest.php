<?php
declare(strict_types=1);

namespace Presend\Tests;

use Illuminate\Config\Repository;
use Illuminate\Container\Container;
use Illuminate\Events\Dispatcher;
use Illuminate\Mail\Events\MessageSending;
use Illuminate\Mail\Events\MessageSent;
use Illuminate\Mail\Mailer;
use Illuminate\Mail\Message;
use Illuminate\Mail\Transport\ArrayTransport;
use Presend\Engine;
use Presend\Laravel\CheckBeforeSending;
use Presend\Laravel\PresendServiceProvider;
use Presend\Verdict;

/** The listener on Laravel 8's real Mailer, with the array transport. */
final class LaravelTest extends TestCase
{
    private Container $app;
    private ArrayTransport $transport;
    private Mailer $mailer;
    /** @var list<\Swift_Message> */
    private array $sent = [];

    protected function setUp(): void
    {
        parent::setUp();
        self::requireFramework('Illuminate/Mail/autoload.php', 'Laravel (php-laravel-framework)');
        self::requireFramework('Illuminate/Events/autoload.php', 'Laravel (php-laravel-framework)');
        self::requireFramework('Illuminate/Config/autoload.php', 'Laravel (php-laravel-framework)');
        self::requireFramework('Egulias/EmailValidator/autoload.php', 'php-email-validator (for SwiftMailer)');

        $this->app = new Container();
        Container::setInstance($this->app);
        $events = new Dispatcher($this->app);
        $this->app->instance('events', $events);
        $this->app->instance('config', new Repository(['presend' => [
            'config' => $this->configFile(),
            'routing' => ['stream' => 'marketing', 'list' => 'weekly'],
        ]]));
        $provider = new PresendServiceProvider($this->app);
        $provider->register();
        $provider->boot();

        $this->transport = new ArrayTransport();
        $views = $this->createMock(\Illuminate\Contracts\View\Factory::class);
        $this->mailer = new Mailer('array', $views, new \Swift_Mailer($this->transport), $events);
        $events->listen(MessageSent::class, function (MessageSent $e) {
            $this->sent[] = $e->message;
        });
        self::subscribe($this->app->make(Engine::class), 'a@example.org', 'b@example.org');
    }

    protected function tearDown(): void
    {
        if (isset($this->app)) {
            $this->app->make(Engine::class)->close();
            Container::setInstance(null);
        }
        parent::tearDown();
    }

    private function send(array $to, array $cc = [], array $bcc = [], array $headers = []): void
    {
        $this->mailer->raw('Hello', function (Message $m) use ($to, $cc, $bcc, $headers) {
            $m->from('news@example.com', 'News')->to($to)->subject('Weekly');
            if ($cc !== []) {
                $m->cc($cc);
            }
            if ($bcc !== []) {
                $m->bcc($bcc);
            }
            $h = $m->getSwiftMessage()->getHeaders();
            foreach (array_merge(self::UNSUBSCRIBE, $headers) as [$name, $value]) {
                $h->addTextHeader($name, $value);
            }
        });
    }

    private function listener(): CheckBeforeSending
    {
        return $this->app->make(CheckBeforeSending::class);
    }

    public function testAllowedMessageIsDelivered(): void
    {
        $this->send(['a@example.org']);
        $this->assertCount(1, $this->transport->messages());
        $this->assertCount(1, $this->sent);
        $this->assertSame(Verdict::Allow, $this->listener()->lastDecision()->verdict);
    }

    public function testBlockedMessageIsNotDeliveredAndSentDoesNotFire(): void
    {
        $this->send(['stranger@example.org']);
        $this->assertCount(0, $this->transport->messages());
        $this->assertSame([], $this->sent);
        $d = $this->listener()->lastDecision();
        $this->assertSame(Verdict::Block, $d->verdict);
        $this->assertContains('consent.missing', $d->reasonCodes());
    }

    public function testDeferredMessageIsNotDelivered(): void
    {
        $this->app->make(Engine::class)->pause('prod', null, 'test');
        $this->send(['a@example.org']);
        $this->assertCount(0, $this->transport->messages());
        $this->assertSame(Verdict::Defer, $this->listener()->lastDecision()->verdict);
    }

    public function testPartialMessageGoesToTheAllowedRecipientsOnly(): void
    {
        $this->send(['a@example.org', 'stranger@example.org'], ['b@example.org'], ['hidden@example.org', 'A@Example.ORG']);
        $this->assertCount(1, $this->transport->messages());
        /** @var \Swift_Message $m */
        $m = $this->transport->messages()->first();
        $this->assertSame(['a@example.org'], array_keys($m->getTo()));
        $this->assertSame(['b@example.org'], array_keys($m->getCc()));
        $this->assertSame([], array_keys($m->getBcc() ?? []), 'neither Bcc recipient has consent (local parts are case-sensitive)');
        $this->assertSame(Verdict::Partial, $this->listener()->lastDecision()->verdict);
    }

    public function testRoutingHeadersOverrideAndAreRemoved(): void
    {
        // Transactional mail needs no consent: the header overrides the provider's "marketing".
        $this->send(['stranger@example.org'], headers: [['X-Presend-Stream', 'transactional']]);
        $this->assertCount(1, $this->transport->messages());
        $m = $this->transport->messages()->first();
        $this->assertFalse($m->getHeaders()->has('X-Presend-Stream'));
        $this->assertSame('transactional', $this->listener()->lastDecision()->toArray()['stream']);
    }

    public function testListenerNeverAnswersTrue(): void
    {
        $listener = $this->listener();
        $message = new \Swift_Message('Weekly', 'Hello');
        $message->setFrom('news@example.com')->setTo('a@example.org');
        foreach (self::UNSUBSCRIBE as [$name, $value]) {
            $message->getHeaders()->addTextHeader($name, $value);
        }
        $this->assertNull($listener->handle(new MessageSending($message)));
        $message->setTo('stranger@example.org');
        $this->assertFalse($listener->handle(new MessageSending($message)));
    }

    /** Laravel 9 and later hand the listener a Symfony Email. */
    public function testSymfonyEmailIsTrimmedToo(): void
    {
        self::requireFramework('Symfony/Component/Mailer/autoload.php', 'php-symfony-mailer');
        $email = (new \Symfony\Component\Mime\Email())->from('news@example.com')
            ->to('a@example.org', 'stranger@example.org')->bcc('b@example.org')->subject('Weekly')->text('Hello');
        foreach (self::UNSUBSCRIBE as [$name, $value]) {
            $email->getHeaders()->addTextHeader($name, $value);
        }
        $this->assertNull($this->listener()->handle(new MessageSending($email)));
        $this->assertSame(['a@example.org'], array_map(fn ($a) => $a->getAddress(), $email->getTo()));
        $this->assertSame(['b@example.org'], array_map(fn ($a) => $a->getAddress(), $email->getBcc()));
        $email->to('stranger@example.org');
        $email->getHeaders()->remove('Bcc');
        $this->assertFalse($this->listener()->handle(new MessageSending($email)));
    }
}
