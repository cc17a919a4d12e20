<?php
declare(strict_types=1);

namespace Presend;

use FFI;

/**
 * The FFI handle on libpresend.so.1, and the C API's constants.
 *
 * Two set-ups (README.md):
 *  - preloaded (PHP-FPM, ffi.enable=preload): preload/preload.php has run
 *    FFI::load() at server start; this class uses FFI::scope("presend");
 *  - direct (CLI, or ffi.enable=true): FFI::cdef() with presend.h and the
 *    library named by Library::setPath(), $PRESEND_LIBRARY, or else
 *    "libpresend.so.1" as dlopen() finds it.
 */
final class Library
{
    public const SCOPE = 'presend';

    public const OK = 0;
    public const ERROR = -1;
    public const EINVAL = -2;
    public const ENOMEM = -3;
    public const EJSON = -4;
    public const ECONFIG = -5;
    public const EMESSAGE = -6;
    public const ETOOBIG = -7;
    public const EUNKNOWN_ACCOUNT = -8;
    public const EUNKNOWN_REGION = -9;
    public const ESTORE = -10;
    public const EREADONLY = -11;
    public const ECORRUPT = -12;
    public const EBUSY = -13;
    public const ENOTFOUND = -14;
    public const ESTATE = -15;
    public const EIO = -16;
    public const ESCHEMA = -17;
    public const EPARSE = -18;
    public const EPLUGIN = -19;

    public const CHECK_DRY_RUN = 0x1;
    public const OPEN_READONLY = 0x1;
    public const ADDRESS_LOCAL_CASE_INSENSITIVE = 0x1;

    private static ?FFI $ffi = null;
    private static ?string $path = null;
    private static string $mode = '';

    /** Uses this library file for FFI::cdef() (ignored when the preloaded scope exists). */
    public static function setPath(?string $path): void
    {
        self::$path = $path;
        if (self::$mode === 'cdef') {
            self::$ffi = null;
        }
    }

    /** "scope" or "cdef" once loaded, "" before. */
    public static function mode(): string
    {
        return self::$mode;
    }

    public static function ffi(): FFI
    {
        if (self::$ffi !== null) {
            return self::$ffi;
        }
        if (!extension_loaded('ffi')) {
            throw new Exception('the FFI extension (ext-ffi) is not loaded', Library::ERROR);
        }
        try {
            self::$ffi = FFI::scope(self::SCOPE);
            self::$mode = 'scope';
            return self::$ffi;
        } catch (\FFI\Exception) {
            // not preloaded: try cdef below
        }
        $enable = strtolower((string) ini_get('ffi.enable'));
        $allowed = in_array($enable, ['1', 'on', 'true', 'yes'], true)
            || ($enable === 'preload' && PHP_SAPI === 'cli');
        if (!$allowed) {
            throw new Exception(
                'presend: the FFI scope "presend" is not preloaded and FFI::cdef() is not allowed here'
                . " (ffi.enable={$enable}, SAPI " . PHP_SAPI . '). Preload bindings/php/preload/preload.php'
                . ' with opcache.preload, or set ffi.enable=true.',
                Library::ERROR
            );
        }
        $path = self::$path ?? (getenv('PRESEND_LIBRARY') ?: 'libpresend.so.1');
        try {
            // One header serves both set-ups: FFI::cdef() cannot read the two
            // #define lines FFI::load() needs at its top, so they are dropped here.
            $header = (string) file_get_contents(__DIR__ . '/../preload/presend.h');
            self::$ffi = FFI::cdef((string) preg_replace('/^#define FFI_\w+ .*$/m', '', $header), $path);
        } catch (\FFI\Exception $e) {
            throw new Exception("presend: cannot load {$path}: " . $e->getMessage(), Library::ERROR, $e);
        }
        self::$mode = 'cdef';
        return self::$ffi;
    }

    public static function version(): string
    {
        return self::ffi()->presend_version();
    }

    public static function abiVersion(): int
    {
        return self::ffi()->presend_abi_version();
    }

    /** presend's normalized form of one address (domain lower-cased, A-label). */
    public static function normalizeAddress(string $address, int $flags = 0): string
    {
        $ffi = self::ffi();
        $out = $ffi->new('char *');
        $err = $ffi->new('char *');
        $st = $ffi->presend_address_normalize($address, strlen($address), $flags, FFI::addr($out), FFI::addr($err));
        $errText = self::take($err);
        $value = self::take($out);
        if ($st !== self::OK) {
            throw Exception::fromStatus($st, $errText ?? '');
        }
        return (string) $value;
    }

    /** Copies an owned C string and frees it with presend_free. */
    public static function take(\FFI\CData $p): ?string
    {
        if (FFI::isNull($p)) {
            return null;
        }
        $s = FFI::string($p);
        self::ffi()->presend_free($p);
        return $s;
    }
}
