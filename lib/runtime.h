// The firmware's global heap (set up by board init over the region after BSS).
#pragma once

#include "lib/heap.h"

namespace xb {
extern Heap g_heap;
}
