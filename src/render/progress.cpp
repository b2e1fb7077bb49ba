#include "render/progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace turncast::render {

using Clock = std::chrono::steady_clock;

Progress::Progress(bool quiet) : enabled_(!quiet && ::isatty(STDERR_FILENO)), start_(Clock::now()) {}

Progress::~Progress() { done(); }

void Progress::stage(const std::string& name, int total) {
    name_ = name;
    total_ = total;
    done_ = 0;
    stage_start_ = Clock::now();
    draw(true);
}

void Progress::step(int done) {
    done_ += done;
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
    if (done_ > 0 && done_ < total_)
        std::fprintf(stderr, "  remaining ~%.1fs", stage_elapsed / done_ * (total_ - done_));
    std::fflush(stderr);
}

}  // namespace turncast::render
