// Loudness and resampling, per segment, so that a re-render stays local.
// Speech is mastered at espeak's own rate and resampled on its way into the
// encoder, a few thousand samples at a time:
//
//   auto pcm = turncast::master::to_float(speech.pcm);             // 22050 Hz
//   turncast::master::level(pcm, target, {}, turncast::master::kSpeechRate);
//   turncast::master::Resampler to48(pcm.data(), pcm.size(), 48000);
//   to48.read(out, n);                                              // the next n samples
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace turncast::master {

constexpr int kSampleRate = 48000;  // Opus' native rate; AAC is encoded at it too
constexpr int kSpeechRate = 22050;  // espeak's rate: where speech is levelled

struct LoudnessTarget {
    double integrated_lufs = -16.0;
    double true_peak_dbtp = -1.5;
};

// espeak's 16-bit samples as floats in [-1, 1).
std::vector<float> to_float(const std::vector<std::int16_t>& pcm);
// The same into `out`, reusing its storage: a thread that masters segment
// after segment touches fresh memory only for the longest one (a page fault
// per 4 KiB costs ~10 µs on a virtual machine, more than the conversion).
void to_float(const std::vector<std::int16_t>& pcm, std::vector<float>& out);

// ceil(n * out_rate / 22050): the number of samples a Resampler (or
// the lossless writer) gives for n input samples, so the renderer can plan a timeline
// before resampling.
std::int64_t resampled_length(std::int64_t n22050, int out_rate = kSampleRate);

// The resampler's filter length (libswresample's filter_size), part of the
// mastering fingerprint.
constexpr int kResamplerTaps = 64;

// Streams 22050 Hz speech to out_rate (libswresample, exact rational
// polyphase filter): read() hands out the next samples, feeding the filter a
// few thousand input samples at a time, so no segment-length buffer at the
// output rate is ever built. Deterministic: the same input gives the same
// output, of exactly resampled_length(n, out_rate) samples, however it is
// read. Sample k of the input lands at k * out_rate / 22050 (no added delay).
// Every output sample is multiplied by `gain`. `in` must outlive the object.
class Resampler {
public:
    Resampler(const float* in, std::int64_t n, int out_rate, float gain = 1.0f);
    ~Resampler();
    Resampler(const Resampler&) = delete;
    Resampler& operator=(const Resampler&) = delete;

    std::int64_t size() const { return size_; }        // output samples in all
    std::int64_t remaining() const { return size_ - done_; }
    void read(float* out, std::int64_t count);          // count <= remaining(); throws LibraryError

private:
    void refill();
    struct State;
    std::unique_ptr<State> st_;
    const float* in_;
    std::int64_t n_, fed_ = 0, size_, done_ = 0;
    float gain_;
};


// The true peak (libebur128, 4x oversampled) of a stream handed over in
// blocks of any size, exact whenever it exceeds `above`; otherwise some value
// <= above. Only the neighbourhoods of samples loud enough to matter go
// through the (costly) oversampling, so checking decoded audio against a
// ceiling costs a fraction of a full true-peak measurement (when no sample
// could reach `above`, nothing is oversampled and finish() gives 0). above = 0
// measures everything exactly.
class TruePeakMeter {
public:
    explicit TruePeakMeter(double above, int rate = kSampleRate);
    ~TruePeakMeter();
    TruePeakMeter(const TruePeakMeter&) = delete;
    TruePeakMeter& operator=(const TruePeakMeter&) = delete;

    void add(const float* pcm, std::size_t n);  // throws LibraryError
    double finish();                             // the true peak (linear); ends the stream

private:
    struct State;
    std::unique_ptr<State> st_;
};

struct Loudness {
    double integrated_lufs = -70.0;  // -70 (or below) for silence
    double true_peak_dbtp = -99.0;
};
Loudness measure(const float* pcm, std::size_t n, int rate = kSampleRate);

struct LimiterSettings {
    double lookahead_ms = 2.0;        // the gain ramps down over this
    double release_ms = 50.0;         // time constant back to unity gain
    double margin_db = 0.3;           // sample ceiling below the true-peak ceiling
    int max_rounds = 3;               // gain/limit rounds to land on the target
    double tolerance_lu = 0.15;       // stop early when this close after a round
    // A final gain so that the true peak (4x oversampled) is at or below the
    // target's ceiling. The renderer turns it off for lossy pieces, whose
    // decoded peaks it checks after encoding anyway (encode_piece).
    bool true_peak_trim = true;
};

// A look-ahead peak limiter, offline and deterministic: afterwards no sample
// exceeds ceiling_linear in magnitude. `rate` turns the settings' times into
// samples.
void limit_peaks(std::vector<float>& pcm, double ceiling_linear, const LimiterSettings& settings = {},
                 int rate = kSampleRate);

struct Leveled {
    double gain_db = 0.0;  // the gain applied before (and around) limiting
};

// Brings one segment to the target: gain to the target loudness, then the
// limiter keeps peaks under the ceiling; further rounds correct the gain for
// what the limiter took (within tolerance_lu of the target for espeak speech
// in two or three rounds); a final trim (unless turned off) guarantees true
// peak <= target.true_peak_dbtp. Thread-safe (no
// shared state), like everything in master: the renderer may run segments in
// parallel.
// Loudness is integrated (gated) loudness; a segment shorter than one 400 ms
// gating block uses its ungated K-weighted loudness over its whole length
// instead; silence (below -70 LUFS) is left untouched.
// Per segment, so re-rendering one segment changes no other. The renderer
// levels at kSpeechRate (2.2 times fewer samples than 48 kHz); the true peak
// is measured by 4x oversampling at either rate.
Leveled level(std::vector<float>& pcm, const LoudnessTarget& target, const LimiterSettings& settings = {},
              int rate = kSampleRate);
// The same with the caller's working storage: its capacity is reused, and it
// is left holding pcm's old storage (its contents unspecified), so that two
// buffers serve segment after segment.
Leveled level(std::vector<float>& pcm, const LoudnessTarget& target, const LimiterSettings& settings, int rate,
              std::vector<float>& work);

// What level() and Resampler make of the same input depends on these settings,
// the constants behind them (the levelling model's, the resampler's filter)
// and the library versions; the render cache keys its pieces with this text,
// so that a change to any of them is never answered with audio mastered
// before it. A change to the algorithms themselves bumps kMasteringVersion.
std::string fingerprint(const LimiterSettings& settings);

}  // namespace turncast::master
