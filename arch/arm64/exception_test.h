// A hook for the `exception nested` test (arch::raise_test_exception): the
// next exception report faults on purpose after its first line.
#pragma once

namespace xb::arm64 {
void fault_in_next_report();
}  // namespace xb::arm64
