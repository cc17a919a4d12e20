<?php
declare(strict_types=1);

namespace Presend\Tests;

use Presend\Library;

/**
 * bindings/php/preload/presend.h is a hand-kept copy of declarations of the real
 * header, which FFI::cdef() cannot parse. It must say exactly what
 * c_api/include/presend/presend.h says.
 */
final class HeaderTest extends TestCase
{
    private const OURS = __DIR__ . '/../preload/presend.h';
    private const PRELOAD = __DIR__ . '/../preload/presend.h';
    private const REAL = __DIR__ . '/../../../c_api/include/presend/presend.h';

    /** Declarations (statements ending in ';'), comments and preprocessor lines removed, whitespace collapsed. */
    private static function declarations(string $file): array
    {
        $text = (string) file_get_contents($file);
        $text = preg_replace('#/\*.*?\*/#s', ' ', $text);
        $text = preg_replace('#//[^\n]*#', ' ', $text);
        $text = preg_replace('/^\s*#.*$/m', ' ', $text);
        $text = str_replace(['PRESEND_API', 'extern "C" {'], ' ', $text);
        $text = preg_replace('/\s+/', ' ', $text);
        $text = preg_replace('/\s*([(),;*{}\[\]])\s*/', '$1', $text);
        $out = [];
        $depth = 0;
        $current = '';
        foreach (str_split($text) as $c) {
            $current .= $c;
            if ($c === '{') {
                $depth++;
            } elseif ($c === '}') {
                $depth--;
            } elseif ($c === ';' && $depth === 0) {
                $out[] = trim($current);
                $current = '';
            }
        }
        return $out;
    }

    public function testEveryDeclarationIsInTheRealHeader(): void
    {
        $real = self::declarations(self::REAL);
        $ours = self::declarations(self::OURS);
        $this->assertGreaterThan(30, count($ours));
        foreach ($ours as $decl) {
            $this->assertContains($decl, $real, "presend.h declares something c_api/include/presend/presend.h does not say: {$decl}");
        }
    }

    public function testEveryFunctionDeclaredExistsInTheLibrary(): void
    {
        $ffi = Library::ffi();
        foreach (self::declarations(self::OURS) as $decl) {
            if (preg_match('/([a-z_0-9]+)\(/', $decl, $m) && !str_starts_with($decl, 'typedef')) {
                $this->assertNotNull(\FFI::typeof($ffi->{$m[1]}) ?? null, $m[1]);
            }
        }
    }

    public function testPreloadHeaderStartsWithItsDefines(): void
    {
        $preload = (string) file_get_contents(self::PRELOAD);
        $this->assertStringStartsWith("#define FFI_SCOPE \"presend\"\n#define FFI_LIB ", $preload, "PHP reads these only at the top of the file");
        $this->assertMatchesRegularExpression('/^#define FFI_LIB "[^"]*libpresend\.so\.1"$/m', $preload);
    }

    public function testConstantsMatchTheRealHeader(): void
    {
        $real = (string) file_get_contents(self::REAL);
        $ref = new \ReflectionClass(Library::class);
        $checked = 0;
        foreach ($ref->getReflectionConstants() as $c) {
            if ($c->getName() === 'SCOPE') {
                continue;
            }
            $name = 'PRESEND_' . $c->getName();
            $this->assertMatchesRegularExpression(
                '/\b' . $name . '\s*=?\s*\(?(' . preg_quote((string) $c->getValue(), '/') . '|0x' . dechex((int) $c->getValue()) . 'u)\b/',
                $real,
                "{$name} differs from the real header"
            );
            $checked++;
        }
        $this->assertGreaterThan(20, $checked);
    }
}
