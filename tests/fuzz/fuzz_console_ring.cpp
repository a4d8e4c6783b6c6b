// Fuzzes the PV console frontend against a hostile backend: the input drives
// the ring indices and bytes the backend publishes between guest reads and
// writes. The guest must never read or write outside the ring, and never hang.
#include <cstdint>
#include <cstring>

#include "tests/sim/fakes.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    xb::sim::ConsoleGuest guest(xb::pvconsole::PvConsole::Config{1});
    guest.backend.set_stalled(true);  // the fuzzer, not the sim, plays the backend
    auto& ring = guest.backend.ring();
    std::size_t i = 0;
    auto next_u32 = [&]() -> std::uint32_t {
        std::uint32_t v = 0;
        for (int k = 0; k < 4 && i < size; ++k) v |= std::uint32_t{data[i++]} << (8 * k);
        return v;
    };
    while (i < size) {
        switch (data[i++] % 5) {
            case 0: ring.in_prod = next_u32(); break;
            case 1: ring.out_cons = next_u32(); break;
            case 2:
                if (i < size) ring.in[data[i] % sizeof ring.in] = static_cast<char>(data[i]), ++i;
                break;
            case 3: {
                std::size_t n = i < size ? data[i++] : 0;
                char text[256];
                std::memset(text, 'x', sizeof text);
                guest.console->write(std::string_view(text, n));
                break;
            }
            case 4:
                for (int k = 0; k < 8; ++k) (void)guest.console->read_char();
                break;
        }
    }
    return 0;
}
