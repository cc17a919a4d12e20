<?php
declare(strict_types=1);

namespace Presend\Tests;

use Presend\Engine;

abstract class TestCase extends \PHPUnit\Framework\TestCase
{
    public const CONFIG = [
        'defaults' => ['account' => 'prod', 'region' => 'us-east-1'],
        'accounts' => [
            'prod' => ['tier' => 'production', 'regions' => ['us-east-1' => ['max_24h' => 50000, 'max_rate' => 14]]],
        ],
    ];

    public const UNSUBSCRIBE = [
        ['List-Unsubscribe', '<https://example.com/u/abc>'],
        ['List-Unsubscribe-Post', 'List-Unsubscribe=One-Click'],
    ];

    protected string $dir = '';
    /** @var list<Engine> */
    private array $engines = [];

    protected function setUp(): void
    {
        $this->dir = sys_get_temp_dir() . '/presend-php-' . getmypid() . '-' . bin2hex(random_bytes(4));
        mkdir($this->dir, 0700, true);
    }

    protected function tearDown(): void
    {
        foreach ($this->engines as $e) {
            $e->close();
        }
        $this->engines = [];
        self::removeTree($this->dir);
    }

    /** An engine on a fresh store in the test's directory. */
    protected function engine(array|string $config = self::CONFIG): Engine
    {
        $engine = Engine::fromJson($config, $this->dir . '/presend.db');
        $this->engines[] = $engine;
        return $engine;
    }

    /** Writes a configuration file with a store beside it and returns its path. */
    protected function configFile(array $config = self::CONFIG): string
    {
        $path = $this->dir . '/presend.json';
        file_put_contents($path, json_encode($config + ['store' => 'presend.db'], JSON_UNESCAPED_SLASHES));
        return $path;
    }

    /** A marketing message to the "weekly" list with a one-click unsubscribe. */
    protected static function marketing(array $to): array
    {
        return ['from' => 'News <news@example.com>', 'to' => $to, 'list' => 'weekly', 'headers' => self::UNSUBSCRIBE];
    }

    protected static function subscribe(Engine $engine, string ...$addresses): void
    {
        foreach ($addresses as $a) {
            $engine->consentPut(['address' => $a, 'list' => 'weekly']);
        }
    }

    /** Skips, or fails when PRESEND_REQUIRE_FRAMEWORKS is set (ctest), if a framework is not installed. */
    protected static function requireFramework(string $autoload, string $what): void
    {
        if (stream_resolve_include_path($autoload) === false) {
            if (getenv('PRESEND_REQUIRE_FRAMEWORKS')) {
                self::fail("{$what} is not installed ({$autoload} is not on the include path)");
            }
            self::markTestSkipped("{$what} is not installed");
        }
        require_once $autoload;
    }

    protected static function removeTree(string $dir): void
    {
        if (!is_dir($dir)) {
            return;
        }
        foreach (new \RecursiveIteratorIterator(
            new \RecursiveDirectoryIterator($dir, \FilesystemIterator::SKIP_DOTS),
            \RecursiveIteratorIterator::CHILD_FIRST
        ) as $f) {
            $f->isDir() ? rmdir($f->getPathname()) : unlink($f->getPathname());
        }
        rmdir($dir);
    }
}
