<?php
declare(strict_types=1);

namespace Presend;

/** One recipient of a decision: normalized address, verdict (Allow, Block or Defer), reason codes. */
final class Recipient
{
    /** @param list<string> $reasons */
    public function __construct(
        public readonly string $address,
        public readonly Verdict $verdict,
        public readonly array $reasons,
    ) {
    }
}
