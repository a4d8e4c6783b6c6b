// The C++ half of the exception vectors (exceptions.S): prints what happened
// and the registers on the console, then powers the guest off. xenboot expects
// no exception at all, so any exception is fatal.
#include <cstdint>

#include "lib/fatal.h"

extern "C" char __image_start[];

namespace {

struct ExceptionFrame {
    std::uint64_t x[31];
    std::uint64_t sp;
    std::uint64_t elr;
    std::uint64_t spsr;
    std::uint64_t esr;
    std::uint64_t far;
};

const char* vector_name(unsigned kind) {
    static constexpr const char* kNames[16] = {
        "synchronous (EL1t)",
        "IRQ (EL1t)",
        "FIQ (EL1t)",
        "SError (EL1t)",
        "synchronous",
        "IRQ",
        "FIQ",
        "SError",
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

}  // namespace

extern "C" [[noreturn]] void xenboot_exception(const ExceptionFrame* f, unsigned kind) {
    if (xb::Console* con = xb::fatal_console()) {
        con->printf("\n*** xenboot: unexpected %s exception: %s\n", vector_name(kind), exception_class(f->esr));
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
