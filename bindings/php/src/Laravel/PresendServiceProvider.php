<?php
declare(strict_types=1);

namespace Presend\Laravel;

use Illuminate\Mail\Events\MessageSending;
use Illuminate\Support\ServiceProvider;
use Presend\Engine;

/**
 * Registers presend in a Laravel application: an Engine singleton and
 * CheckBeforeSending as a listener of MessageSending.
 *
 * Configuration (config/presend.php, all optional):
 *   'config'  => path of presend's configuration file (default: env PRESEND_CONFIG, else base_path('presend.json'))
 *   'store'   => store path overriding the configuration's "store"
 *   'routing' => ['account' => ..., 'region' => ..., 'stream' => 'marketing'|'transactional', 'list' => ...]
 *   'dry_run' => true to record nothing and reserve no quota (trial runs)
 */
class PresendServiceProvider extends ServiceProvider
{
    public function register(): void
    {
        $this->app->singleton(Engine::class, function ($app) {
            $cfg = $this->settings();
            $path = $cfg['config'] ?? (getenv('PRESEND_CONFIG') ?: null);
            if ($path === null) {
                $path = method_exists($app, 'basePath') ? $app->basePath('presend.json') : 'presend.json';
            }
            return Engine::fromConfig($path, $cfg['store'] ?? null);
        });
        $this->app->singleton(CheckBeforeSending::class, function ($app) {
            $cfg = $this->settings();
            return new CheckBeforeSending($app->make(Engine::class), $cfg['routing'] ?? [], (bool) ($cfg['dry_run'] ?? false));
        });
    }

    public function boot(): void
    {
        $this->app->make('events')->listen(MessageSending::class, [CheckBeforeSending::class, 'handle']);
    }

    private function settings(): array
    {
        return $this->app->bound('config') ? (array) $this->app->make('config')->get('presend', []) : [];
    }
}
