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

// libswresample; deterministic: the same input gives the same output, of
// exactly resampled_length(pcm22050.size()) samples. Sample k of the input
// lands at k * 48000 / 22050 in the output (no added delay).
std::vector<float> resample(const std::vector<std::int16_t>& pcm22050);

// ceil(n * 48000 / 22050): the length resample() returns for n input samples,
// so the renderer can plan a timeline before resampling.
std::int64_t resampled_length(std::int64_t n22050);

struct Loudness {
    double integrated_lufs = -70.0;  // -70 (or below) for silence
    double true_peak_dbtp = -99.0;
};
Loudness measure(const float* pcm, std::size_t n, int rate = kSampleRate);

// Linear gain that brings this segment to the target, limited so its true
// peak stays at or below the target's ceiling. Loudness is integrated
// (gated) loudness; a segment shorter than one 400 ms gating block uses its
// ungated K-weighted loudness over its whole length instead; silence (below
// -70 LUFS) gets 1.0. Raw espeak speech peaks ~19 dB above its loudness, so
// for speech the peak limit usually wins and the result stays well below
// -16 LUFS: use level() to reach the target.
double level_gain(const std::vector<float>& pcm48, const LoudnessTarget& target);
void apply_gain(std::vector<float>& pcm, double linear_gain);

struct LimiterSettings {
    int lookahead_samples = 96;       // 2 ms at 48 kHz: the gain ramps down over this
    double release_samples = 2400.0;  // 50 ms time constant back to unity gain
    double margin_db = 0.3;           // sample ceiling below the true-peak ceiling
    int max_rounds = 2;               // gain/limit rounds to land on the target
    double tolerance_lu = 0.1;        // stop early when this close after a round
};

// A look-ahead peak limiter, offline and deterministic: afterwards no sample
// exceeds ceiling_linear in magnitude.
void limit_peaks(std::vector<float>& pcm, double ceiling_linear, const LimiterSettings& settings = {});

struct Leveled {
    double gain_db = 0.0;  // the gain applied before (and around) limiting
};

// Brings one segment to the target: gain to the target loudness, then the
// limiter keeps peaks under the ceiling; a second round corrects the gain for
// what the limiter took (within ~0.2 LU of the target for espeak speech); a
// final trim guarantees true peak <= target.true_peak_dbtp. Thread-safe (no
// shared state), like everything in master: the renderer may run segments in
// parallel.
// Loudness is measured as in level_gain(); silence is left untouched.
// Per segment, so re-rendering one segment changes no other.
Leveled level(std::vector<float>& pcm48, const LoudnessTarget& target, const LimiterSettings& settings = {});

}  // namespace turncast::master
