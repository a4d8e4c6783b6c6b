// The C++ half of the exception vectors (exceptions.S): prints what happened
// and the registers on the console, then powers the guest off. xenboot expects
// no exception at all, so any exception is fatal. Both functions run on
// stacks of their own (boot/entry.S), never on the one that may have
// overflowed; a fault inside them is taken by the "SP_ELx" vectors, which
// never come back here (exceptions.S).
#include <cstdint>

#include "arch/arm64/exception_test.h"
#include "arch/arm64/sysreg.h"
#include "lib/fatal.h"

extern "C" char __image_start[];
extern "C" char __stack_guard[];
extern "C" char __exc_stack_guard[];
extern "C" char __nested_stack_guard[];

namespace {

struct ExceptionFrame {
    std::uint64_t x[31];
    std::uint64_t sp;
    std::uint64_t elr;
    std::uint64_t spsr;
    std::uint64_t esr;
    std::uint64_t far;
};

constinit bool g_fault_in_report = false;

// xenboot runs on SP_EL0 (EL1t), so 0-3 are its own exceptions; 4-7 are taken
// while already on the exception stack (EL1h).
const char* vector_name(unsigned kind) {
    static constexpr const char* kNames[16] = {
        "synchronous",
        "IRQ",
        "FIQ",
        "SError",
        "synchronous (EL1h)",
        "IRQ (EL1h)",
        "FIQ (EL1h)",
        "SError (EL1h)",
        "synchronous (EL0 AArch64)",
        "IRQ (EL0 AArch64)",
        "FIQ (EL0 AArch64)",
        "SError (EL0 AArch64)",
        "synchronous (EL0 AArch32)",
        "IRQ (EL0 AArch32)",
        "FIQ (EL0 AArch32)",
        "SError (EL0 AArch32)",
    };
    return kind < 16 ? kNames[kind] : "unknown";
}

// ESR_EL1.EC (Arm ARM D17.2.37), the classes worth a name here.
const char* exception_class(std::uint64_t esr) {
    switch ((esr >> 26) & 0x3f) {
        case 0x00: return "unknown reason";
        case 0x07: return "FP/SIMD access trapped";
        case 0x0e: return "illegal execution state";
        case 0x15: return "SVC";
        case 0x16: return "HVC";
        case 0x18: return "system register access trapped";
        case 0x20:
        case 0x21: return "instruction abort";
        case 0x22: return "PC alignment fault";
        case 0x24:
        case 0x25: return "data abort";
        case 0x26: return "SP alignment fault";
        case 0x2f: return "SError";
        case 0x3c: return "BRK instruction";
        default: return "other";
    }
}

bool in_page(std::uint64_t addr, const char* page) {
    auto base = reinterpret_cast<std::uintptr_t>(page);
    return addr >= base && addr - base < 4096;
}

// Which stack's guard page holds addr, if any.
const char* guard_of(std::uint64_t addr) {
    if (in_page(addr, __stack_guard)) return "the stack";
    if (in_page(addr, __exc_stack_guard)) return "the exception stack";
    if (in_page(addr, __nested_stack_guard)) return "the nested-fault stack";
    return nullptr;
}

}  // namespace

namespace xb::arm64 {
void fault_in_next_report() { g_fault_in_report = true; }
}  // namespace xb::arm64

extern "C" [[noreturn]] void xenboot_exception(const ExceptionFrame* f, unsigned kind) {
    if (xb::Console* con = xb::fatal_console()) {
        con->printf("\n*** xenboot: unexpected %s exception: %s\n", vector_name(kind), exception_class(f->esr));
        // A push into the guard page below a stack faults with FAR in it
        // (data abort, EC 0x25); the SP check catches a fault the push did
        // not report as such.
        const char* overflowed = guard_of(f->far);
        if (overflowed == nullptr) overflowed = guard_of(f->sp);
        if (overflowed != nullptr) con->printf("*** stack overflow: %s ran into its guard page\n", overflowed);
        if (g_fault_in_report) {
            // `exception nested`: a real fault in the fault path, to show the
            // nested vectors end the guest instead of recursing.
            con->printf("*** faulting inside the report on purpose\n");
            con->flush();
            asm volatile("ldr xzr, [%0]" ::"r"(std::uint64_t{0x10}) : "memory");
        }
        con->printf("ESR  %016lx  ELR  %016lx  FAR  %016lx\nSPSR %016lx  SP   %016lx\n", f->esr, f->elr, f->far,
                    f->spsr, f->sp);
        auto base = reinterpret_cast<std::uintptr_t>(__image_start);
        if (f->elr >= base) {
            con->printf("ELR is xenboot.elf+0x%lx (addr2line -e xenboot.elf 0x%lx)\n", f->elr - base, f->elr - base);
        }
        for (int i = 0; i < 31; i += 3) {
            for (int j = i; j < i + 3 && j < 31; ++j)
                con->printf("x%-2d  %016lx%s", j, f->x[j], j + 1 < i + 3 && j < 30 ? "  " : "");
            con->write("\n");
        }
        con->write("*** powering off\n");
    }
    xb::halt_after_fatal();
}

// A fault while on the exception stack (exceptions.S, vectors 4-7): in the
// report above, in the console it uses or in the power-off. Only the fault
// registers are printed (the interrupted report's frame is not trusted), on
// a stack of its own; a fault in here ends the domain from the vector.
extern "C" [[noreturn]] void xenboot_nested_exception(unsigned kind) {
    std::uint64_t esr = XB_READ_SYSREG(esr_el1);
    std::uint64_t elr = XB_READ_SYSREG(elr_el1);
    std::uint64_t far = XB_READ_SYSREG(far_el1);
    if (xb::Console* con = xb::fatal_console()) {
        con->printf("\n*** xenboot: %s exception while handling an exception: %s\n", vector_name(kind),
                    exception_class(esr));
        con->printf("ESR  %016lx  ELR  %016lx  FAR  %016lx\n", esr, elr, far);
        if (const char* overflowed = guard_of(far)) {
            con->printf("*** stack overflow: %s ran into its guard page\n", overflowed);
        }
        con->write("*** powering off\n");
    }
    xb::halt_after_fatal();
}
