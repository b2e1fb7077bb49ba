// Resampling and loudness, per segment, so that a re-render stays local.
//
//   auto pcm48 = turncast::master::resample(speech.pcm);          // 22050 → 48000, float
//   auto gain  = turncast::master::level_gain(pcm48, target);     // ebur128 per segment
//   turncast::master::apply_gain(pcm48, gain);
#pragma once

#include <cstdint>
#include <vector>

namespace turncast::master {

constexpr int kSampleRate = 48000;  // Opus' native rate; AAC is encoded at it too

struct LoudnessTarget {
    double integrated_lufs = -16.0;
    double true_peak_dbtp = -1.5;
};

// libswresample; deterministic: the same input gives the same output.
std::vector<float> resample(const std::vector<std::int16_t>& pcm22050);

struct Loudness {
    double integrated_lufs = -70.0;  // -70 (or below) for silence
    double true_peak_dbtp = -99.0;
};
Loudness measure(const float* pcm, std::size_t n, int rate = kSampleRate);

// Linear gain that brings this segment to the target, limited so its true
// peak stays at or below the target's ceiling.
double level_gain(const std::vector<float>& pcm48, const LoudnessTarget& target);
void apply_gain(std::vector<float>& pcm, double linear_gain);

}  // namespace turncast::master
