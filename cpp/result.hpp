// Result<T>: a value or a typed error, returned by every parser and by the
// fallible parts of the core. Exceptions are reserved for I/O failures deep in
// the stores; the C ABI turns both into presend_status values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace presend {

// Mirrors presend_status in presend.h (the values are the ABI).
enum class Status : int32_t {
    ok = 0,
    error = -1,
    invalid_argument = -2,
    no_memory = -3,
    json = -4,
    config = -5,
    message = -6,
    too_big = -7,
    unknown_account = -8,
    unknown_region = -9,
    store = -10,
    readonly = -11,
    corrupt = -12,
    busy = -13,
    not_found = -14,
    state = -15,
    io = -16,
    schema = -17,
    parse = -18,
    plugin = -19,
};

struct Error {
    Status status = Status::error;
    std::string message;
    // Byte offset into the parsed input where the problem was found, when the
    // error comes from a parser; npos otherwise.
    size_t position = npos;

    static constexpr size_t npos = static_cast<size_t>(-1);
};

// Thrown by the I/O layers (store, ledger) and caught at the C boundary.
struct Failure {
    Error error;
};

[[noreturn]] inline void fail(Status s, std::string msg) { throw Failure{Error{s, std::move(msg)}}; }

// A value or an error. E is Error for presend's own calls; libraries with
// stable error codes of their own (feedback/) use their error type.
template <class T, class E = Error>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
    Result(E error) : v_(std::move(error)) {}  // NOLINT: implicit by design

    bool ok() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    T &value() & { return std::get<0>(v_); }
    const T &value() const & { return std::get<0>(v_); }
    T &&value() && { return std::get<0>(std::move(v_)); }
    T *operator->() { return &std::get<0>(v_); }
    const T *operator->() const { return &std::get<0>(v_); }
    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }

    const E &error() const & { return std::get<1>(v_); }
    E &&error() && { return std::get<1>(std::move(v_)); }

private:
    std::variant<T, E> v_;
};

inline Error parse_error(std::string msg, size_t pos = Error::npos) {
    return Error{Status::parse, std::move(msg), pos};
}

}  // namespace presend
