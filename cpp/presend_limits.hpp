// The input limits of the public header, as constants for the core.
#pragma once

#include <presend/presend.h>

#include <cstddef>

namespace presend {

inline constexpr size_t kMaxMessageJsonBytes = PRESEND_MAX_MESSAGE_JSON_BYTES;
inline constexpr size_t kMaxBatchJsonBytes = PRESEND_MAX_BATCH_JSON_BYTES;
inline constexpr size_t kMaxBatchMessages = PRESEND_MAX_BATCH_MESSAGES;
inline constexpr size_t kMaxRecipientsParsed = PRESEND_MAX_RECIPIENTS_PARSED;

}  // namespace presend
