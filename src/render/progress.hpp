// Progress on a terminal: stage, items done, elapsed and remaining time, on one
// line of stderr. Silent when stderr is not a terminal or when quiet.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace turncast::render {

class Progress {
public:
    // Where a stage's remaining time comes from: its own items (the time they
    // took so far, for those left), or the caller, with each step: a render's
    // speaking stage shows the time left until its encoders finish, which
    // run beside it and after it.
    enum class Remaining { Stage, Given };

    // `label`, when given, is asked for what to show before the stage each
    // time the line is drawn (a batch's own progress).
    explicit Progress(bool quiet, std::function<std::string()> label = {});
    ~Progress();
    // Starts a stage of `total` items. With `work` > 0 items differ in size
    // (step() says each one's) and the remaining time follows the work done,
    // not the count.
    void stage(const std::string& name, int total, double work = 0.0, Remaining remaining = Remaining::Stage);
    // A stage whose work began at `since` (in the background of an earlier
    // stage), with `done` of its items and `work_done` of its work finished.
    void stage(const std::string& name, int total, double work, int done, double work_done,
               std::chrono::steady_clock::time_point since, Remaining remaining = Remaining::Stage);
    // Finished since the last call; with Remaining::Given, `remaining` is the
    // time left in seconds, if it can be told yet.
    void step(int done = 1, double work = 0.0, std::optional<double> remaining = std::nullopt);
    void done();  // ends the line
    // Draws the label alone (no stage running), at most every 100 ms unless forced.
    void show_label(bool force = false) { draw(force); }

private:
    void draw(bool force);
    bool enabled_;
    bool drawn_ = false;  // the line holds something done() clears
    std::function<std::string()> label_;
    std::string name_;
    int total_ = 0, done_ = 0;
    double work_ = 0.0, work_done_ = 0.0;
    Remaining remaining_mode_ = Remaining::Stage;
    std::optional<double> given_;  // Remaining::Given: seconds left at given_at_
    std::chrono::steady_clock::time_point start_, stage_start_, last_draw_, given_at_;
};

// The time left until a render's encoders finish, from the CPU time their
// jobs took: the CPU per unit of work (audio to encode, e.g. timeline samples)
// of the segments finished so far, times the work not yet done, shared by the
// encoder threads, beside whatever CPU the caller knows is still to come on
// the same machine (the speaking left, in workers of its own). CPU per unit
// of work holds steady through a render, where the work finished per second
// does not: speaking takes a share of the cores early on, and long segments
// go first. Not thread-safe: call it where the work counters are kept.
class RemainingTime {
public:
    // `threads` encoder threads on a machine of `cores` cores (0: as many as
    // threads), beside other work in `other_threads` threads or processes of
    // its own.
    explicit RemainingTime(int threads, int cores = 0, int other_threads = 1)
        : threads_(threads > 0 ? threads : 1), cores_(cores > 0 ? cores : threads_),
          other_threads_(other_threads > 0 ? other_threads : 1) {}
    // A job took `cpu` seconds of its thread's time and ended `seconds` into
    // the render.
    void job_done(double seconds, double cpu);
    // A segment of `work` finished, its jobs having taken `cpu` in all.
    void segment_done(double work, double cpu);
    // Seconds left at `seconds` into the render, for `total` work in all
    // (while text is still being spoken the caller estimates it), and
    // `other_cpu` seconds of the other work still to come. Each kind of work
    // takes at least its CPU over its own threads, and both together at
    // least their sum over the cores. Nothing before a segment is finished.
    std::optional<double> at(double seconds, double total, double other_cpu = 0.0) const;

private:
    int threads_, cores_, other_threads_;
    double spent_ = 0.0;                             // CPU of every job done
    double last_job_ = 0.0;                          // when the last one ended
    double work_finished_ = 0.0, cpu_finished_ = 0.0;  // of finished segments
};

}  // namespace turncast::render
