<?php
declare(strict_types=1);

namespace Presend;

/** A verdict; the values are the C API's presend_verdict codes. */
enum Verdict: int
{
    case Allow = 0;   // send to every recipient
    case Partial = 1; // send only to the recipients whose verdict is Allow
    case Block = 2;   // do not send
    case Defer = 3;   // do not send now; retry after Decision::$retryAfterMs

    /** From the decision JSON's spelling: "allow", "partial", "block", "defer". */
    public static function fromName(string $name): self
    {
        return match ($name) {
            'allow' => self::Allow,
            'partial' => self::Partial,
            'block' => self::Block,
            'defer' => self::Defer,
            default => throw new Exception("unknown verdict \"{$name}\""),
        };
    }

    public function label(): string
    {
        return strtolower($this->name);
    }

    /** Whether a message with this verdict goes out (to some recipients at least). */
    public function sends(): bool
    {
        return $this === self::Allow || $this === self::Partial;
    }
}
