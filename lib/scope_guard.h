// Undo on the way out: a ScopeGuard runs its callable when it goes out of
// scope, unless cancel() was called. A multi-step set-up arms one after the
// step that took a resource and cancels it once the whole set-up succeeded,
// so every early return (TRY included) releases what was taken, in reverse
// order of the guards.
//
//     ScopeGuard undo([&] { (void)queue.teardown(); });
//     TRY(publish());
//     undo.cancel();
//
// No heap and no std::function: the callable is stored by value. Neither
// copyable nor movable (a moved-from guard would be one more thing to get
// right); C++17's guaranteed elision still allows `auto g = ScopeGuard(f)`.
#pragma once

#include <utility>

namespace xb {

template <typename Undo>
class [[nodiscard]] ScopeGuard {
  public:
    explicit ScopeGuard(Undo undo) : undo_(std::move(undo)) {}
    ScopeGuard(const ScopeGuard&) = delete;
    ScopeGuard& operator=(const ScopeGuard&) = delete;
    ScopeGuard(ScopeGuard&&) = delete;
    ScopeGuard& operator=(ScopeGuard&&) = delete;
    ~ScopeGuard() {
        if (armed_) undo_();
    }

    // The work is kept: the undo will not run.
    void cancel() { armed_ = false; }
    bool armed() const { return armed_; }

  private:
    Undo undo_;
    bool armed_ = true;
};

template <typename Undo>
ScopeGuard(Undo) -> ScopeGuard<Undo>;

}  // namespace xb
