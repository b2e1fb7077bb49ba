// How speech is mastered for each kind of output: the renderer's policy over
// the tools of master.hpp.
//
//   auto m = turncast::master::for_output(target, /*lossy=*/true);
//   turncast::master::master_speech(espeak_pcm, m, pcm, work);   // 22050 Hz, levelled and limited
//   double ceiling = turncast::master::decoded_peak_limit(target); // what an encoded piece may decode to
#pragma once

#include <cstdint>
#include <vector>

#include "master/master.hpp"

namespace turncast::master {

struct Mastering {
    LoudnessTarget target;
    LimiterSettings limiter;
};

// For a lossless output, the target as it is. For a lossy encoder: the
// target with the codecs' headroom taken off its true-peak ceiling, a lower
// sample ceiling and no final true-peak trim (the decoded peaks are checked
// instead). policy.cpp says why these values.
Mastering for_output(const LoudnessTarget& target, bool lossy);

// The decoded true peak (linear) a lossy piece must stay at or under.
double decoded_peak_limit(const LoudnessTarget& target);

// One segment's espeak speech (16-bit, kSpeechRate) mastered into `pcm`, at
// kSpeechRate: levelled there (2.2 times fewer samples than at 48 kHz), gain
// then a peak limiter (espeak peaks ~19 dB over its loudness). `work` is
// scratch; both keep their storage for the next segment.
void master_speech(const std::vector<std::int16_t>& speech, const Mastering& m, std::vector<float>& pcm,
                   std::vector<float>& work);

}  // namespace turncast::master
