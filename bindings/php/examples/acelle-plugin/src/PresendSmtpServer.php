<?php
// Example: AcelleMail's SMTP sending server with presend in front of it.

namespace Acme\PresendPlugin;

use Acelle\Model\SendingServerSmtp;
use Presend\Acelle\CheckedSendingServer;
use Presend\Engine;

class PresendSmtpServer extends SendingServerSmtp
{
    /**
     * @param \Swift_Message $message
     * @param array $params AcelleMail's (subscriber, campaign, msgId, ...)
     */
    public function send($message, $params = [])
    {
        $routing = [
            'stream' => 'marketing',
            // The mail list as presend's consent "list", when the campaign has one.
            'list' => isset($params['campaign']) ? (string) optional($params['campaign']->defaultMailList)->uid : null,
        ];

        return CheckedSendingServer::around(
            fn ($message, $params) => parent::send($message, $params),
            app(Engine::class),
            $routing
        )->send($message, $params);
    }
}
