// Errors are values: every operation that can fail returns Result<T>.
// An Error carries a code, the Xen errno when a hypercall failed, and a short
// human-readable context ("xenstore read device/vbd: ENOENT"), built up as the
// error travels outwards (see Error::prefix).
#pragma once

#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>

namespace xb {

enum class Errc : std::uint8_t {
    invalid_argument,
    not_found,
    timeout,
    hypercall,  // Xen returned a negative errno (Error::xen_errno)
    bad_data,   // untrusted input (device tree, ring, disk) failed validation
    no_memory,
    no_space,
    busy,
    unsupported,
    io,
    interrupted,  // the user stopped it (Ctrl-C)
    // The caller got the arguments wrong: whoever reports the error adds how
    // to use it (the shell prints the command's usage line).
    usage,
    // Already reported to the user, or a failure that needs no words (a false
    // `test`): whoever catches it reports nothing more.
    reported,
};

const char* errc_name(Errc code);

class Error;
namespace result_detail {
// Reading the value of a failed Result (or the error of a successful one) is a
// bug in the caller, not bad input: it panics with the error it ignored, instead
// of handing out whatever the union's other member left in memory.
[[noreturn]] void value_of_error(const Error& error);
[[noreturn]] void error_of_success();
}  // namespace result_detail

class Error {
  public:
    static constexpr std::size_t kMaxMessage = 160;

    // printf-style message; truncated (never overflowed) at kMaxMessage-1 chars.
    [[gnu::format(printf, 2, 3)]] static Error make(Errc code, const char* fmt, ...);
    [[gnu::format(printf, 3, 4)]] static Error xen(int xen_errno, Errc code, const char* fmt, ...);
    // make() for wrappers that take their own `...` (usage_error in shell/).
    [[gnu::format(printf, 2, 0)]] static Error vmake(Errc code, const char* fmt, va_list ap);

    // Adds outer context in front: "<outer>: <inner message>".
    [[gnu::format(printf, 2, 3)]] Error& prefix(const char* fmt, ...);

    Errc code() const { return code_; }
    int xen_errno() const { return xen_errno_; }  // 0 when not a hypercall error
    const char* message() const { return message_; }

  private:
    template <typename>
    friend class Result;
    Error() = default;
    static Error build(Errc code, int xen_errno, const char* fmt, va_list ap);
    Errc code_ = Errc::invalid_argument;
    int xen_errno_ = 0;
    char message_[kMaxMessage] = {};
};

template <typename T>
class [[nodiscard]] Result {
  public:
    Result(const T& value) : ok_(true) { new (&storage_.value) T(value); }
    Result(T&& value) : ok_(true) { new (&storage_.value) T(std::move(value)); }
    Result(const Error& error) : ok_(false) { new (&storage_.error) Error(error); }
    Result(const Result& other) : ok_(other.ok_) {
        if (ok_) new (&storage_.value) T(other.storage_.value);
        else new (&storage_.error) Error(other.storage_.error);
    }
    Result& operator=(const Result&) = delete;
    ~Result() {
        if (ok_) storage_.value.~T();
    }

    [[gnu::always_inline]] bool ok() const { return ok_; }
    [[gnu::always_inline]] explicit operator bool() const { return ok_; }
    [[gnu::always_inline]] T& value() & {
        check_value();
        return storage_.value;
    }
    [[gnu::always_inline]] const T& value() const& {
        check_value();
        return storage_.value;
    }
    [[gnu::always_inline]] T&& value() && {
        check_value();
        return std::move(storage_.value);
    }
    [[gnu::always_inline]] Error& error() {
        check_error();
        return storage_.error;
    }
    [[gnu::always_inline]] const Error& error() const {
        check_error();
        return storage_.error;
    }
    T value_or(T fallback) const { return ok_ ? storage_.value : fallback; }

  private:
    [[gnu::always_inline]] void check_value() const {
        if (!ok_) [[unlikely]]
            result_detail::value_of_error(storage_.error);
    }
    [[gnu::always_inline]] void check_error() const {
        if (ok_) [[unlikely]]
            result_detail::error_of_success();
    }
    union Storage {
        Storage() {}
        ~Storage() {}
        T value;
        Error error;
    } storage_;
    bool ok_;
};

template <>
class [[nodiscard]] Result<void> {
  public:
    // A success leaves the Error's 168 bytes unwritten (a union, as in Result<T>):
    // `return ok();` is the most common statement in xenboot.
    [[gnu::always_inline]] Result() : ok_(true) {}
    Result(const Error& error) : ok_(false) { new (&storage_.error) Error(error); }
    [[gnu::always_inline]] bool ok() const { return ok_; }
    [[gnu::always_inline]] explicit operator bool() const { return ok_; }
    [[gnu::always_inline]] void value() const {
        if (!ok_) [[unlikely]]
            result_detail::value_of_error(storage_.error);
    }
    [[gnu::always_inline]] Error& error() {
        if (ok_) [[unlikely]]
            result_detail::error_of_success();
        return storage_.error;
    }
    [[gnu::always_inline]] const Error& error() const {
        if (ok_) [[unlikely]]
            result_detail::error_of_success();
        return storage_.error;
    }

  private:
    bool ok_;
    union Storage {
        Storage() {}
        Error error;
    } storage_;
};

using Status = Result<void>;

[[gnu::always_inline]] inline Status ok() { return {}; }

}  // namespace xb

// TRY(expr): evaluates a Result; on error returns the error from the enclosing
// function, otherwise yields the value. (GNU statement expression, as GCC and
// Clang both support.)
#define TRY(expr)                                                \
    ({                                                           \
        auto&& xb_try_result_ = (expr);                          \
        if (!xb_try_result_.ok()) return xb_try_result_.error(); \
        std::move(xb_try_result_).value();                       \
    })

// TRY_CTX(expr, fmt, ...): as TRY, adding outer context to the error message.
#define TRY_CTX(expr, ...)                                    \
    ({                                                        \
        auto&& xb_try_result_ = (expr);                       \
        if (!xb_try_result_.ok()) {                           \
            xb::Error xb_try_error_ = xb_try_result_.error(); \
            xb_try_error_.prefix(__VA_ARGS__);                \
            return xb_try_error_;                             \
        }                                                     \
        std::move(xb_try_result_).value();                    \
    })
