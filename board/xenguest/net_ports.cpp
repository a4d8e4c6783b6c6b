#include "board/xenguest/net_ports.h"

namespace xb::board {

Result<net::Link*> NetPorts::link(unsigned index) {
    if (index >= vifs_.count()) {
        return Error::make(Errc::not_found, "no eth%u: the guest has %u network interface%s (xl config: vif = [...])",
                           index, vifs_.count(), vifs_.count() == 1 ? "" : "s");
    }
    return vifs_.open(index);
}

}  // namespace xb::board
