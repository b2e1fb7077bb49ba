// CPU time in seconds, for the render's remaining-time estimate and the
// benchmarks:
//
//   const double t0 = turncast::thread_cpu_seconds();
//   work();
//   const double spent = turncast::thread_cpu_seconds() - t0;
#pragma once

#include <sys/resource.h>
#include <time.h>

namespace turncast {

namespace detail {
inline double clock_seconds(clockid_t clock) {
    timespec t{};
    clock_gettime(clock, &t);
    return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
}
}  // namespace detail

// The calling thread's.
inline double thread_cpu_seconds() { return detail::clock_seconds(CLOCK_THREAD_CPUTIME_ID); }
// This process's, all its threads.
inline double process_cpu_seconds() { return detail::clock_seconds(CLOCK_PROCESS_CPUTIME_ID); }
// The child processes that have ended and been waited for (user + system).
inline double children_cpu_seconds() {
    rusage r{};
    getrusage(RUSAGE_CHILDREN, &r);
    return double(r.ru_utime.tv_sec + r.ru_stime.tv_sec) + double(r.ru_utime.tv_usec + r.ru_stime.tv_usec) * 1e-6;
}

}  // namespace turncast
