<?php
// PHPUnit bootstrap: the binding's autoloader and the test base class.
// PRESEND_LIBRARY names the libpresend.so.1 under test (ctest sets it).
declare(strict_types=1);

require __DIR__ . '/../autoload.php';
require __DIR__ . '/TestCase.php';
