// Evaluating a sending identity's authentication out of band: what `auth
// refresh` stores for each domain and `auth check` prints.
#pragma once

#include <cstdint>
#include <string>

#include "config.hpp"
#include "dns.hpp"
#include "store.hpp"

namespace presend {

struct IdentityEvaluation {
    AuthStatus status;   // the summary the per-send check reads (report included)
    bool dns_error = false;
};

// Resolves and evaluates one identity:
//  - SPF of its MAIL FROM domain (the custom one, else the provider's):
//    with sending IPs configured, check_host() must pass for each; else the
//    record must include the provider's SPF (directly or through includes
//    and redirects) and be free of lint errors;
//  - each DKIM selector (own TXT keys, and SES Easy DKIM tokens that must be
//    CNAMEs to the provider): the worst of them decides;
//  - DMARC discovery for the domain (RFC 9989 tree walk or RFC 7489).
IdentityEvaluation evaluate_identity(Resolver &dns, const IdentityConfig &identity, DmarcDiscoveryMode mode,
                                     int64_t now_ms);

}  // namespace presend
