// The built-in checks. Each reads the message, the configuration and the
// store (through StoreView, so that a check can be tested with an in-memory
// fake) and adds findings to the decision; none writes. The quota step,
// the only writer, lives in the engine.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "config.hpp"
#include "decision.hpp"
#include "message.hpp"
#include "reputation.hpp"
#include "store.hpp"

namespace presend {

// What a check may read from the store.
class StoreView {
public:
    virtual ~StoreView() = default;
    virtual std::optional<ConsentRecord> consent(std::string_view address, std::string_view list) = 0;
    virtual std::vector<SuppressionRecord> suppressions(std::string_view address, std::string_view domain,
                                                        std::string_view list, int64_t now) = 0;
    // Times of the marketing sends to the address after `since` (of `list`
    // only, when given), oldest first.
    virtual std::vector<int64_t> send_times(std::string_view address, std::optional<std::string_view> list,
                                            int64_t since) = 0;
    // The stored result of the last `auth refresh` for a domain.
    virtual std::optional<AuthStatus> auth_status(std::string_view domain) = 0;
    // Sends, bounces and complaints of the account and region since a time.
    virtual ReputationCounts reputation(std::string_view account, std::string_view region, int64_t since) = 0;
    virtual std::optional<PauseRecord> pause(std::string_view account, std::string_view region) = 0;
};

class SqliteStoreView final : public StoreView {
public:
    // `history` maps an address to the form the send log keeps (hashed
    // addresses); null: as given.
    explicit SqliteStoreView(Conn &c, std::function<std::string(std::string_view)> history = nullptr)
        : c_(c), history_(std::move(history)) {}
    std::optional<ConsentRecord> consent(std::string_view address, std::string_view list) override;
    std::vector<SuppressionRecord> suppressions(std::string_view address, std::string_view domain,
                                                std::string_view list, int64_t now) override;
    std::vector<int64_t> send_times(std::string_view address, std::optional<std::string_view> list,
                                    int64_t since) override;
    std::optional<AuthStatus> auth_status(std::string_view domain) override;
    ReputationCounts reputation(std::string_view account, std::string_view region, int64_t since) override;
    std::optional<PauseRecord> pause(std::string_view account, std::string_view region) override;

private:
    Conn &c_;
    std::function<std::string(std::string_view)> history_;
};

// Parses From/To/Cc/Bcc into the decision's recipients (normalized, merged)
// before any check runs; the recipient check reports what it found.
struct ParsedRecipients {
    bool from_valid = false;
    std::string from_error;
    std::string from_address, from_domain;  // the first From mailbox, normalized
    std::vector<std::string> invalid_messages;  // per recipient, "" when valid
    std::vector<size_t> duplicates;             // recipients that appeared more than once
};
struct CheckContext {
    const Config &config;
    const AccountConfig &account;
    const Message &message;
    Decision &decision;
    StoreView &store;
    const ParsedRecipients &parsed;
    int64_t now_ms;
    int64_t sent_24h = 0;       // the account and region's rolling 24-hour count
    Mode mode = Mode::enforce;  // of the running check

    Finding &add(size_t recipient, const ReasonDef &def, std::string detail = {}, int64_t retry_after_ms = 0);
    Finding &add_message(const ReasonDef &def, std::string detail = {}, int64_t retry_after_ms = 0);
    // Whether the recipient is still allowed by the enforced findings so far.
    bool still_allowed(size_t recipient) const;
    // The recipient's consent record for the message's list, read from the
    // store once per check and shared by the consent check and the plugins.
    // May throw what StoreView::consent throws.
    const std::optional<ConsentRecord> &consent(size_t recipient);

    // The cache behind consent(); not for checks to touch.
    std::vector<std::optional<ConsentRecord>> consents_ = {};
    std::vector<unsigned char> consent_loaded_ = {};
};

class Check {
public:
    virtual ~Check() = default;
    virtual std::string_view name() const noexcept = 0;
    virtual Mode mode(const Config &config) const noexcept = 0;
    virtual void run(CheckContext &ctx) const = 0;
    // Whether the check reads what the quota step writes (the send log).
    // Such checks run under the write lock, with the quota step, so that
    // concurrent checks see each other's sends; the others run before it.
    virtual bool reads_ledger() const noexcept { return false; }
};

ParsedRecipients parse_recipients(const Message &message, const Config &config, Decision &decision);

// The checks in pipeline order (recipient, pause, reputation, auth,
// suppression, consent, unsubscribe, frequency). Checks are stateless: one set serves every message.
std::vector<std::unique_ptr<Check>> builtin_checks();

// Sandbox accounts may only send to verified recipients: true when the
// normalized address or its domain is verified.
bool sandbox_verified(const AccountConfig &account, std::string_view address, std::string_view domain);

}  // namespace presend
