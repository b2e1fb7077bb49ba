// The remaining time a render shows while speaking and encoding (issue 5's
// progress): the time until its encoders finish, from the CPU their jobs took.
#include <catch2/catch.hpp>

#include "render/progress.hpp"

using turncast::render::RemainingTime;

TEST_CASE("remaining time: nothing to tell before a segment is finished", "[progress]") {
    RemainingTime eta(2);
    CHECK_FALSE(eta.at(0.0, 1000.0));
    eta.job_done(1.0, 0.5);  // a segment's mastering and one of its pieces: not finished yet
    eta.job_done(1.5, 1.0);
    CHECK_FALSE(eta.at(1.5, 1000.0));
}

TEST_CASE("remaining time: the CPU per unit of work, times the work left, over the threads", "[progress]") {
    RemainingTime eta(2);
    // One segment of 100 units: mastering 0.5 s, its two pieces 1 s and 2.5 s
    // of CPU, the last ending 2 s into the render.
    eta.job_done(0.5, 0.5);
    eta.job_done(1.5, 1.0);
    eta.job_done(2.0, 2.5);
    eta.segment_done(100.0, 4.0);
    // 0.04 s a unit: 1000 units cost 40 s, 4 of them spent, 36 left on two threads.
    REQUIRE(eta.at(2.0, 1000.0));
    CHECK(*eta.at(2.0, 1000.0) == Approx(18.0));
    // The running jobs go on meanwhile: three seconds later, three less.
    CHECK(*eta.at(5.0, 1000.0) == Approx(15.0));
    // Never below nothing, and nothing left once all the work is done.
    CHECK(*eta.at(100.0, 1000.0) == 0.0);
    CHECK(*eta.at(2.0, 100.0) == 0.0);

    // Jobs of a segment not finished yet count as spent: 2 s more CPU, ending at 3 s.
    eta.job_done(3.0, 2.0);
    CHECK(*eta.at(3.0, 1000.0) == Approx(17.0));
    // A second segment at half the cost per unit moves the rate to the mean.
    eta.segment_done(100.0, 2.0);  // 6 s for 200 units: 0.03 s a unit, 30 s in all, 6 spent
    CHECK(*eta.at(3.0, 1000.0) == Approx(12.0));
}

TEST_CASE("remaining time: a larger total (text still to speak) gives a longer time", "[progress]") {
    RemainingTime one(1), two(2);
    for (auto* eta : {&one, &two}) {
        eta->job_done(1.0, 3.0);
        eta->segment_done(300.0, 3.0);
    }
    CHECK(*one.at(1.0, 600.0) == Approx(3.0));
    CHECK(*one.at(1.0, 900.0) == Approx(6.0));
    CHECK(*two.at(1.0, 900.0) == Approx(3.0));  // the same work on two threads
    // Speaking still to come shares the same threads.
    CHECK(*two.at(1.0, 900.0, 4.0) == Approx(5.0));
    CHECK(*two.at(1.0, 900.0, -1.0) == Approx(3.0));  // an estimate below nothing counts as nothing
}

TEST_CASE("remaining time: speaking in workers of its own, on a machine of so many cores", "[progress]") {
    // Each: one segment of 300 units took 3 s of CPU, the job ending 1 s in;
    // 900 units in all leave 6 s of encoding, and 4 s of speaking is to come.
    auto after_one_segment = [](RemainingTime eta) {
        eta.job_done(1.0, 3.0);
        eta.segment_done(300.0, 3.0);
        return eta;
    };
    // --jobs 1 on two cores: one encoder thread beside one speaking worker;
    // the encoding's 6 s on its one thread is the longer, not 6 + 4.
    auto one_on_two = after_one_segment(RemainingTime(1, 2, 1));
    CHECK(*one_on_two.at(1.0, 900.0, 4.0) == Approx(6.0));
    CHECK(*one_on_two.at(1.0, 900.0, 8.0) == Approx(8.0));  // or the speaking's, if longer
    // Two threads each on two cores: the cores are the bound, (6 + 4) / 2.
    auto two_on_two = after_one_segment(RemainingTime(2, 2, 2));
    CHECK(*two_on_two.at(1.0, 900.0, 4.0) == Approx(5.0));
    // Four threads each on two cores go no faster than two.
    auto four_on_two = after_one_segment(RemainingTime(4, 2, 4));
    CHECK(*four_on_two.at(1.0, 900.0, 4.0) == Approx(5.0));
    // On one core everything queues for it: 6 + 4.
    auto one_on_one = after_one_segment(RemainingTime(1, 1, 1));
    CHECK(*one_on_one.at(1.0, 900.0, 4.0) == Approx(10.0));
    // Time passing since the last job ended counts against the bound.
    CHECK(*one_on_two.at(3.0, 900.0, 4.0) == Approx(4.0));
}
