<?php
// Example: the service provider of an AcelleMail plugin that adds the sending
// server type "smtp-presend". Adapt the Acelle class names to your version.

namespace Acme\PresendPlugin;

use Acelle\Library\Facades\Hook;
use Illuminate\Support\ServiceProvider as Base;
use Presend\Engine;

class ServiceProvider extends Base
{
    public function register()
    {
        // One engine per process, opened on first use (and again in a forked child).
        $this->app->singleton(Engine::class, fn () => Engine::fromConfig(
            getenv('PRESEND_CONFIG') ?: storage_path('app/presend/presend.json')
        ));

        Hook::register('register_sending_server', function () {
            return [
                'type' => 'smtp-presend',
                'name' => 'SMTP, checked by presend',
                'class' => PresendSmtpServer::class,
                'icon' => null,
            ];
        });
    }
}
