#include "render/progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace turncast::render {

using Clock = std::chrono::steady_clock;

Progress::Progress(bool quiet) : enabled_(!quiet && ::isatty(STDERR_FILENO)), start_(Clock::now()) {}

Progress::~Progress() { done(); }

void Progress::stage(const std::string& name, int total, double work) {
    stage(name, total, work, 0, 0.0, Clock::now());
}

void Progress::stage(const std::string& name, int total, double work, int done, double work_done,
                     Clock::time_point since) {
    name_ = name;
    total_ = total;
    done_ = done;
    work_ = work;
    work_done_ = work_done;
    stage_start_ = since;
    draw(true);
}

void Progress::step(int done, double work) {
    done_ += done;
    work_done_ += work;
    draw(done_ == total_);
}

void Progress::done() {
    if (enabled_ && !name_.empty()) std::fputs("\r\033[K", stderr);
    name_.clear();
}

void Progress::draw(bool force) {
    if (!enabled_) return;
    auto now = Clock::now();
    if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    double elapsed = std::chrono::duration<double>(now - start_).count();
    double stage_elapsed = std::chrono::duration<double>(now - stage_start_).count();
    std::fprintf(stderr, "\r\033[K%s %d/%d  elapsed %.1fs", name_.c_str(), done_, total_, elapsed);
    const bool by_work = work_ > 0.0 && work_done_ > 0.0;
    if (done_ > 0 && done_ < total_)
        std::fprintf(stderr, "  remaining ~%.1fs",
                     by_work ? stage_elapsed / work_done_ * (work_ - work_done_)
                             : stage_elapsed / done_ * (total_ - done_));
    std::fflush(stderr);
}

}  // namespace turncast::render
