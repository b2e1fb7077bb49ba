// Progress on a terminal: stage, items done, elapsed and remaining time, on one
// line of stderr. Silent when stderr is not a terminal or when quiet.
#pragma once

#include <chrono>
#include <string>

namespace turncast::render {

class Progress {
public:
    explicit Progress(bool quiet);
    ~Progress();
    // Starts a stage of `total` items. With `work` > 0 items differ in size
    // (step() says each one's) and the remaining time follows the work done,
    // not the count.
    void stage(const std::string& name, int total, double work = 0.0);
    // A stage whose work began at `since` (in the background of an earlier
    // stage), with `done` of its items and `work_done` of its work finished.
    void stage(const std::string& name, int total, double work, int done, double work_done,
               std::chrono::steady_clock::time_point since);
    void step(int done = 1, double work = 0.0);  // finished since the last call
    void done();                                     // ends the line

private:
    void draw(bool force);
    bool enabled_;
    std::string name_;
    int total_ = 0, done_ = 0;
    double work_ = 0.0, work_done_ = 0.0;
    std::chrono::steady_clock::time_point start_, stage_start_, last_draw_;
};

}  // namespace turncast::render
