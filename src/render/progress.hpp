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
    void stage(const std::string& name, int total);  // starts a stage of `total` items
    void step(int done = 1);                         // items finished since the last call
    void done();                                     // ends the line

private:
    void draw(bool force);
    bool enabled_;
    std::string name_;
    int total_ = 0, done_ = 0;
    std::chrono::steady_clock::time_point start_, stage_start_, last_draw_;
};

}  // namespace turncast::render
