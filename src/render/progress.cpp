#include "render/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace turncast::render {

using Clock = std::chrono::steady_clock;

Progress::Progress(bool quiet, std::function<std::string()> label)
    : enabled_(!quiet && ::isatty(STDERR_FILENO)), label_(std::move(label)), start_(Clock::now()) {}

Progress::~Progress() { done(); }

void Progress::stage(const std::string& name, int total, double work, Remaining remaining) {
    stage(name, total, work, 0, 0.0, Clock::now(), remaining);
}

void Progress::stage(const std::string& name, int total, double work, int done, double work_done,
                     Clock::time_point since, Remaining remaining) {
    name_ = name;
    total_ = total;
    done_ = done;
    work_ = work;
    work_done_ = work_done;
    stage_start_ = since;
    // A stage that goes on with the time left given for the one before (the
    // same end) keeps showing it until the next step.
    if (remaining == Remaining::Stage || remaining_mode_ == Remaining::Stage) given_.reset();
    remaining_mode_ = remaining;
    draw(true);
}

void Progress::step(int done, double work, std::optional<double> remaining) {
    done_ += done;
    work_done_ += work;
    if (remaining_mode_ == Remaining::Given) {
        given_ = remaining;
        given_at_ = Clock::now();
    }
    draw(done_ == total_);
}

void Progress::done() {
    if (enabled_ && drawn_) std::fputs("\r\033[K", stderr);
    drawn_ = false;
    name_.clear();
}

void Progress::draw(bool force) {
    if (!enabled_) return;
    auto now = Clock::now();
    if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    double elapsed = std::chrono::duration<double>(now - start_).count();
    double stage_elapsed = std::chrono::duration<double>(now - stage_start_).count();
    const std::string label = label_ ? label_() : std::string();
    drawn_ = true;
    if (name_.empty()) {  // between a batch's renders
        std::fprintf(stderr, "\r\033[K%s", label.c_str());
        std::fflush(stderr);
        return;
    }
    std::fprintf(stderr, "\r\033[K%s%s%s %d/%d  elapsed %.1fs", label.c_str(), label.empty() ? "" : "  ",
                 name_.c_str(), done_, total_, elapsed);
    std::optional<double> remaining;
    if (remaining_mode_ == Remaining::Given) {
        if (given_) remaining = std::max(0.0, *given_ - std::chrono::duration<double>(now - given_at_).count());
    } else if (done_ > 0 && done_ < total_) {
        const bool by_work = work_ > 0.0 && work_done_ > 0.0;
        remaining = by_work ? stage_elapsed / work_done_ * (work_ - work_done_)
                            : stage_elapsed / done_ * (total_ - done_);
    }
    if (remaining && done_ < total_) std::fprintf(stderr, "  remaining ~%.1fs", *remaining);
    std::fflush(stderr);
}

void RemainingTime::job_done(double seconds, double cpu) {
    spent_ += cpu;
    last_job_ = seconds;
}

void RemainingTime::segment_done(double work, double cpu) {
    work_finished_ += work;
    cpu_finished_ += cpu;
}

std::optional<double> RemainingTime::at(double seconds, double total, double other_cpu) const {
    if (work_finished_ <= 0.0 || cpu_finished_ <= 0.0) return std::nullopt;
    const double encoding = std::max(0.0, total * (cpu_finished_ / work_finished_) - spent_);
    const double other = std::max(0.0, other_cpu);
    const double left = std::max({encoding / threads_, other / other_threads_, (encoding + other) / cores_});
    // The jobs running now have been at it since the last one ended, at most.
    return std::max(0.0, left - (seconds - last_job_));
}

}  // namespace turncast::render
