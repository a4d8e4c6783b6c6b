#include "lib/result.h"

#include <cstdarg>

#include "lib/format.h"
#include "lib/panic.h"

namespace xb {

const char* errc_name(Errc code) {
    switch (code) {
        case Errc::invalid_argument: return "invalid argument";
        case Errc::not_found: return "not found";
        case Errc::timeout: return "timeout";
        case Errc::hypercall: return "hypercall failed";
        case Errc::bad_data: return "bad data";
        case Errc::no_memory: return "out of memory";
        case Errc::no_space: return "no space";
        case Errc::busy: return "busy";
        case Errc::unsupported: return "unsupported";
        case Errc::io: return "I/O error";
        case Errc::interrupted: return "interrupted";
        case Errc::usage: return "bad usage";
        case Errc::reported: return "already reported";
    }
    return "error";
}

namespace result_detail {

void value_of_error(const Error& error) {
    panic("Result::value() called on an error (%s): %s", errc_name(error.code()), error.message());
}

void error_of_success() { panic("Result::error() called on a success"); }

}  // namespace result_detail

Error Error::build(Errc code, int xen_errno, const char* fmt, va_list ap) {
    Error e;
    e.code_ = code;
    e.xen_errno_ = xen_errno;
    vformat_to(e.message_, sizeof e.message_, fmt, ap);
    return e;
}

Error Error::make(Errc code, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    Error e = build(code, 0, fmt, ap);
    va_end(ap);
    return e;
}

Error Error::vmake(Errc code, const char* fmt, va_list ap) { return build(code, 0, fmt, ap); }

Error Error::xen(int xen_errno, Errc code, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    Error e = build(code, xen_errno, fmt, ap);
    va_end(ap);
    return e;
}

Error& Error::prefix(const char* fmt, ...) {
    char outer[kMaxMessage];
    va_list ap;
    va_start(ap, fmt);
    vformat_to(outer, sizeof outer, fmt, ap);
    va_end(ap);
    char joined[kMaxMessage];
    format_to(joined, sizeof joined, "%s: %s", outer, message_);
    for (std::size_t i = 0; i < kMaxMessage; ++i) message_[i] = joined[i];
    return *this;
}

}  // namespace xb
