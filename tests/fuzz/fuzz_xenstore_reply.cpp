// Fuzzes the XenStore client against a hostile xenstored: the input is a script
// for the daemon (whose steps run whenever the guest notifies or yields:
// arbitrary ring indices, raw bytes, well-framed messages with chosen types,
// request ids, lengths and payloads, feature/connection/error fields) and for
// the client operations issued in between. The client must never crash, hang
// (requests have 2 ms deadlines) or touch the daemon's side of the page: after
// every operation the response bytes and the daemon's fields must be exactly
// what the daemon left there.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "drivers/xen/xenstore.h"
#include "tests/sim/fakes.h"

namespace {

using namespace xb;
using xen::XsType;

constexpr Gfn kStorePfn{0x39001};
constexpr EvtchnPort kStorePort{1};
constexpr std::uint32_t kRing = xen::kXenstoreRingSize;

struct Script {
    const std::uint8_t* data;
    std::size_t size;
    std::size_t at = 0;
    bool done() const { return at >= size; }
    std::uint8_t byte() { return at < size ? data[at++] : 0; }
    std::uint32_t u32() {
        std::uint32_t v = 0;
        for (int k = 0; k < 4; ++k) v |= std::uint32_t{byte()} << (8 * k);
        return v;
    }
};

class HostileDaemon {
  public:
    HostileDaemon(sim::SimXen& xen, xen::XenstoreInterface& ring, Script& script)
        : xen_(xen), ring_(ring), script_(script) {
        std::memset(&ring_, 0, sizeof ring_);
        shadow_ = ring_;
    }

    // One step of the script (on every notify and yield of the guest).
    void step() {
        if (busy_) return;
        if (script_.done()) {
            // Out of script: report a connection error so the operation in
            // progress ends now instead of at its deadline (fuzzing speed).
            ring_.server_features = shadow_.server_features = shadow_.server_features | 2;
            ring_.error = shadow_.error = 1;
            return;
        }
        busy_ = true;
        // Mostly messages (so replies and events get parsed deep down), now
        // and then index, field and framing damage.
        switch (script_.byte() % 16) {
            case 0:
            case 1:
            case 2:
            case 3:
            case 4:
            case 5: queue_message(); break;
            case 6: {  // raw bytes
                std::size_t n = script_.byte();
                for (std::size_t k = 0; k < n; ++k) out_ += static_cast<char>(script_.byte());
                break;
            }
            case 7: consume_requests(); break;
            case 8: ring_.rsp_prod = shadow_.rsp_prod = shadow_.rsp_prod + nudge(); break;
            case 9: ring_.req_cons = shadow_.req_cons = shadow_.req_cons + nudge(); break;
            case 10: ring_.rsp_cons = ring_.rsp_cons + nudge(); break;  // scribbling on the guest's index
            case 11: {
                std::uint8_t which = script_.byte();
                std::uint32_t value = script_.byte() % 4;
                if (which % 3 == 0) ring_.server_features = shadow_.server_features = value;
                if (which % 3 == 1) ring_.connection = value;  // the guest writes this one too
                if (which % 3 == 2) ring_.error = shadow_.error = value;
                break;
            }
            case 12: max_chunk_ = script_.byte(); break;
            default: break;  // let the guest run
        }
        flush();
        xen_.raise(kStorePort);
        busy_ = false;
    }

    // The guest may write only req[], req_prod, rsp_cons and connection.
    void check_guest_stayed_on_its_side() {
        if (std::memcmp(ring_.rsp, shadow_.rsp, sizeof ring_.rsp) != 0 || ring_.rsp_prod != shadow_.rsp_prod ||
            ring_.req_cons != shadow_.req_cons || ring_.server_features != shadow_.server_features ||
            ring_.error != shadow_.error) {
            std::abort();
        }
    }

  private:
    // An index change: usually small (off by a few, a ring, a message), sometimes anything.
    std::uint32_t nudge() {
        std::uint8_t how = script_.byte();
        if (how < 16) return script_.u32();
        return static_cast<std::uint32_t>(static_cast<std::int8_t>(script_.byte())) * (how % 2 ? 1u : 16u);
    }

    void queue_message() {
        consume_requests();  // answer what is there: most replies then carry a live req_id
        switch (script_.byte() % 4) {
            case 0: queue_arbitrary(); break;
            case 1: queue(last_type_, last_req_id_, script_payload(script_.byte())); break;
            case 2: queue(last_type_, last_req_id_, plausible_payload()); break;
            case 3: {  // a watch event, for one of the tokens the client uses
                static const char* kTokens[] = {"t0", "t1", "t2", "state-watch"};
                std::string payload = script_payload(script_.byte() % 8);
                payload += '\0';
                payload += kTokens[script_.byte() % 4];
                payload += '\0';
                queue(static_cast<std::uint32_t>(XsType::watch_event), 0, payload);
                break;
            }
        }
    }

    void queue(std::uint32_t type, std::uint32_t req_id, const std::string& payload) {
        xen::XsMsgHeader h{type, req_id, 0, static_cast<std::uint32_t>(payload.size())};
        out_.append(reinterpret_cast<const char*>(&h), sizeof h);
        out_ += payload;
    }

    // Payload bytes from the script: mostly printable, with NULs where the
    // script says, so strings, names and tokens parse far enough to matter.
    std::string script_payload(std::uint32_t len) {
        std::string payload;
        for (std::uint32_t k = 0; k < len; ++k) {
            std::uint8_t b = script_.byte();
            payload += b % 5 == 0 ? '\0' : static_cast<char>(b % 2 ? 'a' + b % 26 : b);
        }
        return payload;
    }

    // What a working daemon would answer to the request in flight.
    std::string plausible_payload() {
        switch (static_cast<XsType>(last_type_)) {
            case XsType::read: return std::to_string(script_.u32());
            case XsType::directory: return std::string("a\0bb\0ccc\0", 9).substr(0, 3 * (script_.byte() % 4));
            case XsType::transaction_start: return std::to_string(script_.u32()) + '\0';
            default: {
                std::string reply("OK\0", 3);
                if (script_.byte() % 8 == 0) reply = std::string(script_.byte() % 2 ? "EAGAIN" : "ENOENT") + '\0';
                return reply;
            }
        }
    }

    void queue_arbitrary() {
        static constexpr XsType kTypes[] = {XsType::read,
                                            XsType::write,
                                            XsType::directory,
                                            XsType::watch_event,
                                            XsType::error,
                                            XsType::transaction_start,
                                            XsType::transaction_end,
                                            XsType::watch,
                                            XsType::unwatch,
                                            XsType::rm};
        std::uint8_t pick = script_.byte();
        std::uint32_t type = pick < 200 ? static_cast<std::uint32_t>(kTypes[pick % 10]) : script_.u32();
        std::uint32_t req_id = script_.byte() % 4 != 0 ? last_req_id_ : script_.u32();
        std::uint32_t len = (script_.byte() | std::uint32_t{script_.byte()} << 8) % 4200;
        std::uint32_t claimed = script_.byte() % 16 == 0 ? script_.u32() : len;
        std::string payload = script_payload(len);
        xen::XsMsgHeader h{type, req_id, 0, claimed};
        out_.append(reinterpret_cast<const char*>(&h), sizeof h);
        out_ += payload;
    }

    void consume_requests() {
        std::uint32_t cons = ring_.req_cons;
        std::uint32_t prod = __atomic_load_n(&ring_.req_prod, __ATOMIC_ACQUIRE);
        if (prod - cons > kRing) {
            // Lost track (the script moved req_cons): start again at the producer.
            ring_.req_cons = shadow_.req_cons = prod;
            in_.clear();
            return;
        }
        for (; cons != prod; ++cons) in_ += ring_.req[cons % kRing];
        ring_.req_cons = shadow_.req_cons = cons;
        while (in_.size() >= sizeof(xen::XsMsgHeader)) {
            xen::XsMsgHeader h;
            std::memcpy(&h, in_.data(), sizeof h);
            if (h.len > xen::kXenstorePayloadMax) {
                // Only after the script moved req_cons or a reconnect cut a
                // request short: the daemon lost the framing, not the guest.
                in_.clear();
                break;
            }
            if (in_.size() < sizeof h + h.len) break;
            last_req_id_ = h.req_id;
            last_type_ = h.type;
            in_.erase(0, sizeof h + h.len);
        }
    }

    void flush() {
        std::uint32_t prod = ring_.rsp_prod;
        std::size_t n = out_.size() < kRing ? out_.size() : kRing;  // may overrun the guest: that is the point
        if (max_chunk_ != 0 && n > max_chunk_) n = max_chunk_;
        for (std::size_t k = 0; k < n; ++k) ring_.rsp[(prod + k) % kRing] = shadow_.rsp[(prod + k) % kRing] = out_[k];
        ring_.rsp_prod = shadow_.rsp_prod = prod + static_cast<std::uint32_t>(n);
        out_.erase(0, n);
    }

    sim::SimXen& xen_;
    xen::XenstoreInterface& ring_;
    Script& script_;
    xen::XenstoreInterface shadow_;
    std::string in_;
    std::string out_;
    std::uint32_t last_req_id_ = 0;
    std::uint32_t last_type_ = 0;
    std::size_t max_chunk_ = 0;
    bool busy_ = false;
};

const char* pick_path(Script& s) {
    static const char* kPaths[] = {"device/vbd/51712/state", "/local/domain/0/backend/vbd/1/51712", "a", "name",
                                   "x/y/z"};
    return kPaths[s.byte() % 5];
}
const char* pick_token(Script& s) {
    static const char* kTokens[] = {"t0", "t1", "t2", "state-watch"};
    return kTokens[s.byte() % 4];
}

void run_client_op(xen::XenStore& store, Script& s) {
    static char buf[xen::kXenstorePayloadMax + 2];
    static const std::string big(4200, 'v');
    switch (s.byte() % 12) {
        case 0: (void)store.read(pick_path(s), buf, 1 + s.byte() * 17u); break;
        case 1: (void)store.read_u64(pick_path(s)); break;
        case 2: (void)store.write(pick_path(s), std::string_view(big).substr(0, s.byte() * 17u)); break;
        case 3: (void)store.writef(xen::Tx{}, pick_path(s), "%u", s.u32()); break;
        case 4: (void)store.directory(pick_path(s), buf, 1 + s.byte() * 17u); break;
        case 5: {
            // One RM, or several pipelined (remove_each: replies matched by req_id).
            const std::size_t n = s.byte() % 8;
            if (n == 0) {
                (void)store.remove(pick_path(s));
                break;
            }
            const char* paths[8];
            for (std::size_t i = 0; i < n; ++i) paths[i] = pick_path(s);
            auto path = [](void* ctx, std::size_t i, char(&out)[xen::XenStore::kMaxPath]) {
                std::snprintf(out, sizeof out, "%s", static_cast<const char**>(ctx)[i]);
            };
            Status results[8];
            (void)store.remove_each(n, path, paths, results);
            break;
        }
        case 6: (void)store.watch(pick_path(s), pick_token(s)); break;
        case 7: (void)store.unwatch(pick_path(s), pick_token(s)); break;
        case 8: (void)store.wait_watch(pick_token(s), Deadline::after_ms(1), buf, 1 + s.byte()); break;
        case 9: {
            Result<xen::Tx> tx = store.transaction_start();
            if (tx.ok()) (void)store.transaction_end(tx.value(), s.byte() & 1);
            break;
        }
        case 10: (void)store.transact([&](xen::Tx tx) { return store.write("a", "1", tx); }, 1 + s.byte() % 3); break;
        case 11: (void)store.reconnect(Deadline::after_ms(1)); break;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    sim::ConsoleGuest guest;
    sim::Page& page = guest.xen.add_page(kStorePfn);
    auto* ring = reinterpret_cast<xen::XenstoreInterface*>(page.bytes);
    Script script{data, size};
    HostileDaemon daemon(guest.xen, *ring, script);
    guest.xen.connect(kStorePort, [&] { daemon.step(); });
    guest.xen.on_idle([&] { daemon.step(); });
    (void)guest.events.bind_polled(kStorePort);
    xen::XenStore store(guest.events, ring, kStorePort, xen::XenStore::Config{2});
    while (!script.done()) {
        run_client_op(store, script);
        daemon.check_guest_stayed_on_its_side();
        // Nothing past the interface is anyone's to write.
        for (std::size_t k = sizeof(xen::XenstoreInterface); k < sizeof page.bytes; ++k) {
            if (page.bytes[k] != 0) std::abort();
        }
    }
    return 0;
}
