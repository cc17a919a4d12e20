<?php
declare(strict_types=1);

namespace Presend;

/**
 * A failed presend call. getStatus() is the C API's presend_status (a
 * negative PRESEND_E* value, see Library); the subclass tells the family.
 * An unknown status gives this base class.
 */
class Exception extends \RuntimeException
{
    private const CLASSES = [
        Library::EINVAL => InvalidArgumentException::class,
        Library::ENOMEM => Exception::class,
        Library::EJSON => JsonException::class,
        Library::ECONFIG => ConfigException::class,
        Library::EMESSAGE => MessageException::class,
        Library::ETOOBIG => TooBigException::class,
        Library::EUNKNOWN_ACCOUNT => UnknownAccountException::class,
        Library::EUNKNOWN_REGION => UnknownRegionException::class,
        Library::ESTORE => StoreException::class,
        Library::EREADONLY => ReadOnlyException::class,
        Library::ECORRUPT => StoreException::class,
        Library::EBUSY => StoreException::class,
        Library::ENOTFOUND => NotFoundException::class,
        Library::ESTATE => StateException::class,
        Library::EIO => IoException::class,
        Library::ESCHEMA => StoreException::class,
        Library::EPARSE => ParseException::class,
        Library::EPLUGIN => PluginException::class,
    ];

    public function __construct(string $message, private readonly int $status = Library::ERROR, ?\Throwable $previous = null)
    {
        parent::__construct($message, $status, $previous);
    }

    /** The presend_status of the failed call. */
    public function getStatus(): int
    {
        return $this->status;
    }

    /** The exception for a status, with the library's short description and the detail. */
    public static function fromStatus(int $status, string $detail = ''): self
    {
        $class = self::CLASSES[$status] ?? self::class;
        $text = Library::ffi()->presend_status_str($status);
        return new $class($detail !== '' ? "{$text}: {$detail}" : $text, $status);
    }
}
