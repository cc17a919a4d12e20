<?php
// PSR-4 autoloading of Presend\ from src/, for users and tests without Composer:
//   require '/path/to/bindings/php/autoload.php';
declare(strict_types=1);

spl_autoload_register(static function (string $class): void {
    if (strncmp($class, 'Presend\\', 8) !== 0) {
        return;
    }
    $file = __DIR__ . '/src/' . str_replace('\\', '/', substr($class, 8)) . '.php';
    if (is_file($file)) {
        require $file;
    }
});
