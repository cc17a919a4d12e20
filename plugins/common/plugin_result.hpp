// A value or an error, for the shipped plugins' pure libraries. They do not
// include presend's own headers (a plugin depends on presend_plugin.h alone),
// so they share this small template instead of presend::Result.
#pragma once

#include <utility>
#include <variant>

namespace presend::plugins {

template <class T, class E>
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

private:
    std::variant<T, E> v_;
};

}  // namespace presend::plugins
