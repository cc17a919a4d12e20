// parse_arf_report, and the MIME pieces it is built on, over arbitrary
// bytes: no crash, and a parsed report is a complaint with what the parser
// promises.
#include <cjson/cJSON.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "feedback/arf.hpp"
#include "feedback/mime.hpp"
#include "json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace {

using namespace presend::feedback;

void check_json(const std::string &out) {
    const char *end = nullptr;
    cJSON *doc = cJSON_ParseWithLengthOpts(out.c_str(), out.size() + 1, &end, 1);
    if (doc == nullptr) __builtin_trap();
    cJSON_Delete(doc);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string_view text(reinterpret_cast<const char *>(data), size);

    const auto r = parse_arf_report(text);
    if (r.ok()) {
        const Event &e = *r;
        if (e.kind != EventKind::complaint || e.source != EventSource::arf) __builtin_trap();
        if (!e.complaint || !e.arf || e.recipients.empty() || e.fingerprint.size() != 64) __builtin_trap();
        if (e.complaint->feedback_type == FeedbackType::none) __builtin_trap();
        for (const auto &rcpt : e.recipients) {
            if (rcpt.address.find('@') == std::string::npos) __builtin_trap();
        }
        std::string out;
        presend::JsonWriter w(out);
        write_event_json(w, e);
        check_json(out);
    } else if (r.error().message.empty()) {
        __builtin_trap();
    }

    // The pieces on their own.
    if (auto ct = mime::parse_content_type(text)) {
        if (ct->type.empty() || ct->subtype.empty()) __builtin_trap();
    }
    const auto parts = mime::split_multipart(text, "b");
    if (!parts.error.empty() && !parts.parts.empty()) __builtin_trap();
    if (parts.parts.size() > mime::kMaxParts) __builtin_trap();
    for (const auto &p : parts.parts) {
        const char *begin = text.data();
        if (p.body.data() < begin || p.body.data() + p.body.size() > begin + text.size()) __builtin_trap();
    }
    if (const auto b = mime::decode_transfer_encoding(text, "base64")) {
        if (b->size() > text.size()) __builtin_trap();
    }
    if (const auto q = mime::decode_transfer_encoding(text, "quoted-printable")) {
        if (q->size() > text.size()) __builtin_trap();
    }
    (void)mime::parse_rfc5322_date(text.substr(0, 200));
    return 0;
}
