<?php
declare(strict_types=1);

namespace Presend\Tests;

/**
 * The PHP-FPM set-up: a real php-cgi with ffi.enable=preload and
 * opcache.preload=preload/preload.php, in both of its forms (README.md): a
 * root master (opcache.preload_user, the header loaded by ffi.preload) and a
 * master running as an ordinary user (preload.php calls FFI::load()). The
 * request must reach presend through FFI::scope("presend"), with
 * FFI::cdef() refused.
 */
final class PreloadTest extends TestCase
{
    private static function phpCgi(): string
    {
        foreach ([getenv('PRESEND_PHP_CGI') ?: '', PHP_BINDIR . '/php-cgi' . PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION, PHP_BINDIR . '/php-cgi', '/usr/bin/php-cgi'] as $c) {
            if ($c !== '' && is_executable($c)) {
                return $c;
            }
        }
        if (getenv('PRESEND_REQUIRE_FRAMEWORKS')) {
            self::fail('php-cgi is not installed (php8.2-cgi)');
        }
        self::markTestSkipped('php-cgi is not installed');
    }

    /** Copies a directory tree, readable by everyone. */
    private static function copyTree(string $from, string $to): void
    {
        mkdir($to, 0755, true);
        foreach (scandir($from) as $name) {
            if ($name === '.' || $name === '..') {
                continue;
            }
            if (is_dir("{$from}/{$name}")) {
                self::copyTree("{$from}/{$name}", "{$to}/{$name}");
            } else {
                copy("{$from}/{$name}", "{$to}/{$name}");
                chmod("{$to}/{$name}", 0644);
            }
        }
    }

    /** Runs tests/fpm/check.php through php-cgi and returns its JSON answer. */
    private function request(string $how): array
    {
        $settings = ['ffi.enable' => 'preload', 'opcache.enable' => '1', 'opcache.enable_cli' => '1', 'display_errors' => 'stderr'];
        $root = function_exists('posix_geteuid') && posix_geteuid() === 0;
        $cmd = [];
        $binding = realpath(__DIR__ . '/..');
        $lib = getenv('PRESEND_LIBRARY');
        if ($how === 'ffi.preload') {
            // As a deployer would: the header with FFI_LIB naming the library.
            $header = $this->dir . '/presend.h';
            $text = (string) file_get_contents(__DIR__ . '/../preload/presend.h');
            $lib = getenv('PRESEND_LIBRARY');
            if (is_string($lib) && $lib !== '') {
                $text = preg_replace('/^#define FFI_LIB .*$/m', '#define FFI_LIB "' . $lib . '"', $text);
            }
            file_put_contents($header, $text);
            $settings['ffi.preload'] = $header;
            $settings['opcache.preload'] = realpath(__DIR__ . '/../preload/preload.php');
            if ($root) {
                $settings['opcache.preload_user'] = 'root';
            }
        } elseif ($how === 'FFI::load') {
            if ($root) {
                // FFI::load() needs a master that is not root: run as nobody,
                // from a deployed copy of the binding and the library that
                // nobody can read (the checkout may be private to root).
                chmod($this->dir, 0777);
                $binding = $this->dir . '/deploy';
                self::copyTree((string) realpath(__DIR__ . '/..'), $binding);
                if (is_string($lib) && $lib !== '') {
                    copy((string) realpath($lib), $binding . '/libpresend.so.1');
                    chmod($binding . '/libpresend.so.1', 0755);
                    $lib = $binding . '/libpresend.so.1';
                }
                $cmd = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--'];
            }
            $settings['opcache.preload'] = $binding . '/preload/preload.php';
        }
        $cmd[] = self::phpCgi();
        foreach ($settings as $k => $v) {
            $cmd[] = '-d';
            $cmd[] = "{$k}={$v}";
        }
        $env = [
            'REDIRECT_STATUS' => '1',
            'GATEWAY_INTERFACE' => 'CGI/1.1',
            'REQUEST_METHOD' => 'GET',
            'SCRIPT_FILENAME' => $binding . '/tests/fpm/check.php',
            'PRESEND_TEST_DIR' => $this->dir,
            'PRESEND_TEST_CONFIG' => json_encode(self::CONFIG),
            'PATH' => (string) getenv('PATH'),
        ];
        if (is_string($lib) && $lib !== '') {
            $env['PRESEND_LIBRARY'] = $lib; // read by preload.php only: cdef is not allowed in the request
        }
        $proc = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
        $stdout = stream_get_contents($pipes[1]);
        $stderr = stream_get_contents($pipes[2]);
        $code = proc_close($proc);
        $this->assertSame(0, $code, "php-cgi failed: {$stderr}");
        $body = substr($stdout, (int) strpos($stdout, "\r\n\r\n") + 4);
        $answer = json_decode($body, true);
        $this->assertIsArray($answer, "not JSON: {$stdout} / {$stderr}");
        return $answer;
    }

    /** @return array<string, array{string}> */
    public function setups(): array
    {
        return ['root master, ffi.preload' => ['ffi.preload'], 'user master, FFI::load' => ['FFI::load']];
    }

    /** @dataProvider setups */
    public function testRequestUsesThePreloadedScope(string $how): void
    {
        $a = $this->request($how);
        $this->assertSame('cgi-fcgi', $a['sapi']);
        $this->assertSame('preload', $a['ffi_enable']);
        $this->assertStringStartsWith('refused', $a['cdef'], 'FFI::cdef must be refused in the request');
        $this->assertArrayNotHasKey('error', $a, $a['error'] ?? '');
        $this->assertSame('scope', $a['mode']);
        $this->assertSame('partial', $a['verdict']);
        $this->assertSame(['a@example.org'], $a['allowed']);
        $this->assertTrue($a['preloaded_class'], 'preload.php loads the binding classes');
    }

    public function testWithoutPreloadTheLibraryExplainsWhatIsMissing(): void
    {
        $a = $this->request('none');
        $this->assertStringStartsWith('refused', $a['cdef']);
        $this->assertStringContainsString('Presend\Exception', $a['error']);
        $this->assertStringContainsString('opcache.preload', $a['error']);
    }
}
