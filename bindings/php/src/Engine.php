<?php
declare(strict_types=1);

namespace Presend;

use FFI;
use FFI\CData;

/**
 * A presend engine: a configuration and its store.
 *
 * The engine opens lazily, on the first call that needs it, in the calling
 * process: under PHP-FPM, workers are forked from the master after
 * preloading, and each worker opens its own engine. If the process id
 * changes (pcntl_fork in a queue worker), the next call opens a new engine in
 * the child; the inherited one is left to the parent (never freed in the
 * child, whose copy of it belongs to the parent's process).
 *
 * One Engine object is meant to be shared by the code of a process or
 * request (a container singleton). Calls are synchronous; the C engine is
 * thread-safe, a PHP process uses it from one thread.
 */
final class Engine
{
    private ?CData $handle = null;
    private int $pid = 0;

    private function __construct(
        private readonly ?string $configPath,
        private readonly ?string $configJson,
        private readonly ?string $storePath,
        private readonly int $flags,
    ) {
    }

    /** An engine for a configuration file (README, "Configuration"); opened on first use. */
    public static function fromConfig(string $path, ?string $storePath = null, int $flags = 0): self
    {
        return new self($path, null, $storePath, $flags);
    }

    /**
     * An engine for a configuration given as an array or JSON text; opened on
     * first use. A relative store path is relative to the working directory.
     */
    public static function fromJson(array|string $config, ?string $storePath = null, int $flags = 0): self
    {
        $json = is_string($config) ? $config : self::encode($config);
        return new self(null, $json, $storePath, $flags);
    }

    /** Opens the engine now (it otherwise opens on first use), to surface configuration errors early. */
    public function open(): self
    {
        $this->handle();
        return $this;
    }

    /**
     * Checks one message (README, "Messages and decisions"): an array of the
     * message fields or its JSON text. Unless $dryRun, an allowing decision
     * reserves quota; call release() if the message is then not sent.
     */
    public function check(array|string $message, bool $dryRun = false): Decision
    {
        $h = $this->handle();
        $ffi = Library::ffi();
        $json = is_string($message) ? $message : self::encode($message);
        $out = $ffi->new('presend_decision *');
        $st = $ffi->presend_engine_check($h, $json, strlen($json), $dryRun ? Library::CHECK_DRY_RUN : 0, FFI::addr($out));
        if ($st !== Library::OK) {
            throw $this->error($st);
        }
        try {
            return new Decision($ffi->presend_decision_json($out));
        } finally {
            $ffi->presend_decision_free($out);
        }
    }

    /** Returns the quota of a stored decision whose message was not sent. */
    public function release(Decision|string $decision): void
    {
        $id = $decision instanceof Decision ? $decision->id : $decision;
        $this->status(Library::ffi()->presend_engine_release($this->handle(), $id));
    }

    /** Records a consent record: {"address", "list", "status", "method", "consented_at", ...}. */
    public function consentPut(array|string $record): void
    {
        $json = is_string($record) ? $record : self::encode($record);
        $this->status(Library::ffi()->presend_consent_put($this->handle(), $json, strlen($json)));
    }

    /** Marks consent for (address, list) as withdrawn now. */
    public function consentWithdraw(string $address, string $list): void
    {
        $this->status(Library::ffi()->presend_consent_withdraw($this->handle(), $address, $list));
    }

    /** The consent records of an address (of every list when $list is null). */
    public function consentGet(string $address, ?string $list = null): array
    {
        return $this->jsonOut(fn ($h, $out) => Library::ffi()->presend_consent_get($h, $address, $list, $out));
    }

    /**
     * Imports consent records in one transaction: CSV with a header row, or
     * JSON Lines ("auto" looks at the content). Bad rows are skipped and
     * reported: {"imported", "rejected", "errors": [{"line", "status", "message"}]}.
     */
    public function consentImport(string $data, string $format = 'auto'): array
    {
        $code = match ($format) {
            'auto' => 0,
            'csv' => 1,
            'jsonl' => 2,
            default => throw new \InvalidArgumentException("format must be auto, csv or jsonl, not \"{$format}\""),
        };
        return $this->jsonOut(fn ($h, $out) => Library::ffi()->presend_consent_import_data($h, $data, strlen($data), $code, $out));
    }

    /** Adds or replaces a suppression: {"address" | "@domain", "reason", "list"?, "expires_at"?, "note"?}. */
    public function suppressionPut(array|string $record): void
    {
        $json = is_string($record) ? $record : self::encode($record);
        $this->status(Library::ffi()->presend_suppression_put($this->handle(), $json, strlen($json)));
    }

    /** Removes the suppression of an address or "@domain" for a list (null: the global one). */
    public function suppressionRemove(string $address, ?string $list = null): void
    {
        $this->status(Library::ffi()->presend_suppression_remove($this->handle(), $address, $list));
    }

    /** The quota state of an account and region (null: the configuration's defaults). */
    public function quotaStatus(?string $account = null, ?string $region = null): array
    {
        return $this->jsonOut(fn ($h, $out) => Library::ffi()->presend_quota_status($h, $account, $region, $out));
    }

    /**
     * Ingests provider events (SES notifications and events, bare or in SNS
     * envelopes, arrays, JSON Lines; or one ARF report). Returns the report.
     * $options: {"format", "account", "region", "source", "sns_certificate"}.
     */
    public function eventsIngest(string $data, ?array $options = null): array
    {
        $opts = $options === null ? null : self::encode($options);
        return $this->jsonOut(fn ($h, $out) => Library::ffi()->presend_events_ingest($h, $data, strlen($data), $opts, $out));
    }

    /** Pauses an account (every region when $region is null): its messages are deferred. */
    public function pause(string $account, ?string $region = null, ?string $reason = null): array
    {
        return $this->jsonOut(fn ($h, $out) => Library::ffi()->presend_pause($h, $account, $region, $reason, $out));
    }

    /** Lifts the pause of the same account and region; NotFoundException when there is none. */
    public function resume(string $account, ?string $region = null): array
    {
        return $this->jsonOut(fn ($h, $out) => Library::ffi()->presend_resume($h, $account, $region, $out));
    }

    /** Verifies the audit chain: {"ok", "records", "first_bad", "problem", ...}. A broken chain is "ok": false. */
    public function auditVerify(): array
    {
        return $this->jsonOut(fn ($h, $out) => Library::ffi()->presend_audit_verify($h, $out));
    }

    /**
     * A report over a period. $options: {"from", "to", "format": "json" |
     * "html" | "csv" | "md", "limit"}. JSON reports come back decoded, the
     * other formats as text.
     */
    public function report(array $options = []): array|string
    {
        $opts = $options === [] ? null : self::encode($options);
        $text = $this->stringOut(fn ($h, $out) => Library::ffi()->presend_report($h, $opts, $out));
        $format = $options['format'] ?? 'json';
        return $format === 'json' ? json_decode($text, true, 512, JSON_THROW_ON_ERROR) : $text;
    }

    /** Closes the engine (it reopens on the next call). Idempotent. */
    public function close(): void
    {
        if ($this->handle !== null && $this->pid === getmypid()) {
            Library::ffi()->presend_engine_free($this->handle);
        }
        $this->handle = null;
    }

    public function __destruct()
    {
        $this->close();
    }

    /** The open C handle in this process. */
    private function handle(): CData
    {
        if ($this->handle !== null && $this->pid === getmypid()) {
            return $this->handle;
        }
        $this->handle = null; // inherited across a fork: the parent's, not ours to free
        $ffi = Library::ffi();
        $opts = null;
        $keep = null;
        if ($this->storePath !== null || $this->flags !== 0) {
            $opts = $ffi->new('presend_engine_options');
            $ffi->presend_engine_options_init(FFI::addr($opts));
            $opts->flags = $this->flags;
            if ($this->storePath !== null) {
                $keep = self::cString($this->storePath);
                $opts->store_path = FFI::cast('char *', $keep);
            }
        }
        $out = $ffi->new('presend_engine *');
        $err = $ffi->new('char *');
        $optsPtr = $opts === null ? null : FFI::addr($opts);
        $st = $this->configPath !== null
            ? $ffi->presend_engine_open(FFI::addr($out), $this->configPath, $optsPtr, FFI::addr($err))
            : $ffi->presend_engine_open_json(FFI::addr($out), $this->configJson, strlen($this->configJson), $optsPtr, FFI::addr($err));
        $detail = Library::take($err);
        if ($st !== Library::OK) {
            throw Exception::fromStatus($st, $detail ?? '');
        }
        $this->handle = $out;
        $this->pid = getmypid();
        return $out;
    }

    private function status(int $st): void
    {
        if ($st !== Library::OK) {
            throw $this->error($st);
        }
    }

    private function error(int $st): Exception
    {
        $msg = $this->handle !== null ? (string) Library::ffi()->presend_engine_errmsg($this->handle) : '';
        return Exception::fromStatus($st, $msg);
    }

    /** Calls a function with a char ** out-parameter; returns the owned text (freed here). */
    private function stringOut(callable $call): string
    {
        $h = $this->handle();
        $out = Library::ffi()->new('char *');
        $st = $call($h, FFI::addr($out));
        $text = Library::take($out);
        $this->status($st);
        return $text ?? 'null';
    }

    private function jsonOut(callable $call): array
    {
        return (array) json_decode($this->stringOut($call), true, 512, JSON_THROW_ON_ERROR);
    }

    private static function cString(string $s): CData
    {
        $buf = Library::ffi()->new('char[' . (strlen($s) + 1) . ']');
        FFI::memcpy($buf, $s, strlen($s));
        return $buf;
    }

    private static function encode(array $value): string
    {
        return json_encode($value, JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION);
    }
}
