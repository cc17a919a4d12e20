<?php
// Run by PreloadTest through php-cgi with ffi.enable=preload and
// opcache.preload=preload/preload.php: prints what a request sees as JSON.
declare(strict_types=1);

require __DIR__ . '/../../autoload.php';

$out = ['sapi' => PHP_SAPI, 'ffi_enable' => ini_get('ffi.enable')];
try {
    FFI::cdef('int abs(int);');
    $out['cdef'] = 'allowed';
} catch (Throwable $e) {
    $out['cdef'] = 'refused: ' . $e->getMessage();
}
try {
    $engine = Presend\Engine::fromJson(
        json_decode((string) getenv('PRESEND_TEST_CONFIG'), true),
        getenv('PRESEND_TEST_DIR') . '/presend.db'
    );
    $engine->consentPut(['address' => 'a@example.org', 'list' => 'weekly']);
    $d = $engine->check([
        'from' => 'News <news@example.com>', 'to' => ['a@example.org', 'b@example.org'], 'list' => 'weekly',
        'headers' => [['List-Unsubscribe', '<https://example.com/u/abc>'], ['List-Unsubscribe-Post', 'List-Unsubscribe=One-Click']],
    ], true);
    $out['mode'] = Presend\Library::mode();
    $out['verdict'] = $d->verdict->label();
    $out['allowed'] = $d->allowedRecipients();
    $out['preloaded_class'] = function_exists('opcache_get_status')
        && isset((opcache_get_status(false)['preload_statistics']['classes']) )
        ? in_array('Presend\\Engine', opcache_get_status(false)['preload_statistics']['classes'], true) : null;
    $engine->close();
} catch (Throwable $e) {
    $out['error'] = get_class($e) . ': ' . $e->getMessage();
}
echo json_encode($out, JSON_UNESCAPED_SLASHES);
