// A process-wide "please stop" flag, set from a signal handler (SIGINT,
// SIGTERM) and polled by long-running loops, which then throw Interrupted so
// that destructors remove temporary files and previous outputs stay intact.
#pragma once

#include <atomic>

#include "core/error.hpp"

namespace turncast {

inline std::atomic<bool>& stop_flag() noexcept {
    static std::atomic<bool> flag{false};
    return flag;
}
inline void request_stop() noexcept { stop_flag().store(true); }
inline bool stop_requested() noexcept { return stop_flag().load(); }
inline void clear_stop() noexcept { stop_flag().store(false); }
inline void throw_if_stopped() {
    if (stop_requested()) throw Interrupted();
}

}  // namespace turncast
