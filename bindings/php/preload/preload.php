<?php
/*
 * opcache.preload script for PHP-FPM (ffi.enable=preload): makes the FFI
 * definitions of libpresend available to every request under the scope
 * "presend" (Presend\Library then uses FFI::scope("presend")) and loads the
 * binding's classes once, in the master. Two ways, see README.md:
 *
 *  - the master runs as root (the usual FPM service): opcache needs
 *    opcache.preload_user, and PHP then refuses FFI::load(); let PHP load
 *    the header itself with ffi.preload:
 *        ffi.enable = preload
 *        ffi.preload = /path/to/bindings/php/preload/presend.h
 *        opcache.enable = 1
 *        opcache.preload = /path/to/bindings/php/preload/preload.php
 *        opcache.preload_user = www-data
 *  - the master runs as an ordinary user: no ffi.preload needed, this script
 *    calls FFI::load() on presend.h beside it.
 *
 * The library is the header's FFI_LIB ("libpresend.so.1", found like
 * dlopen() finds it). For FFI::load() only, PRESEND_LIBRARY in the master's
 * environment names another file without editing the header (with
 * ffi.preload, edit FFI_LIB or install a copy of the header).
 */
declare(strict_types=1);

$loadHeader = static function (): void {
    $header = __DIR__ . '/presend.h';
    $copy = null;
    $lib = getenv('PRESEND_LIBRARY');
    if (is_string($lib) && $lib !== '') {
        // FFI::load() reads FFI_LIB from the file: a copy that names $lib,
        // removed once loaded (FFI::load() reads it only then).
        $text = (string) file_get_contents($header);
        $text = preg_replace('/^#define FFI_LIB .*$/m', '#define FFI_LIB ' . json_encode($lib, JSON_UNESCAPED_SLASHES), $text, 1);
        $copy = tempnam(sys_get_temp_dir(), 'presend-ffi-');
        if ($copy === false || file_put_contents($copy, $text) === false) {
            throw new RuntimeException('presend: cannot write a copy of presend.h naming ' . $lib);
        }
        $header = $copy;
    }
    try {
        $ffi = FFI::load($header);
    } finally {
        if ($copy !== null) {
            @unlink($copy);
        }
    }
    if ($ffi === null) {
        throw new RuntimeException("presend: FFI::load({$header}) failed; see the warning above");
    }
};

(static function () use ($loadHeader): void {
    $loaded = true;
    try {
        FFI::scope('presend'); // loaded by ffi.preload
    } catch (FFI\Exception) {
        $loaded = false;
    }
    if (!$loaded) {
        $user = (string) ini_get('opcache.preload_user');
        if ($user !== '' && function_exists('posix_geteuid') && posix_geteuid() === 0) {
            throw new RuntimeException(
                'presend: FFI::load() does not work with opcache.preload_user (a root master);'
                . ' set ffi.preload=' . __DIR__ . '/presend.h in php.ini'
            );
        }
        $loadHeader();
    }
    require_once dirname(__DIR__) . '/autoload.php';
    foreach (glob(dirname(__DIR__) . '/src/*.php') as $file) {
        $class = 'Presend\\' . basename($file, '.php');
        class_exists($class) || enum_exists($class);
    }
})();
