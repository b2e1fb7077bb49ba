#include "measure/measure.hpp"

#include <aubio/aubio.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>

namespace turncast::measure {

namespace {

constexpr double kHopSeconds = 0.010;
constexpr double kSilenceDbfs = -50.0;

struct PitchDeleter {
    void operator()(aubio_pitch_t* p) const { del_aubio_pitch(p); }
};
struct FvecDeleter {
    void operator()(fvec_t* v) const { del_fvec(v); }
};

bool silent_block(const std::vector<std::int16_t>& pcm, std::size_t from, std::size_t n) {
    double sum = 0;
    for (std::size_t k = from; k < from + n && k < pcm.size(); ++k) sum += double(pcm[k]) * double(pcm[k]);
    const double rms = std::sqrt(sum / double(std::max<std::size_t>(1, n))) / 32768.0;
    return rms <= 0 || 20.0 * std::log10(rms) < kSilenceDbfs;
}

}  // namespace

std::vector<double> pitch_track(const std::vector<std::int16_t>& pcm, int sample_rate) {
    const uint_t hop = static_cast<uint_t>(sample_rate * kHopSeconds);
    const uint_t win = 1024;
    std::unique_ptr<aubio_pitch_t, PitchDeleter> pitch(new_aubio_pitch("yin", win, hop, static_cast<uint_t>(sample_rate)));
    std::unique_ptr<fvec_t, FvecDeleter> in(new_fvec(hop)), out(new_fvec(1));
    if (!pitch || !in || !out) return {};
    aubio_pitch_set_unit(pitch.get(), "Hz");
    aubio_pitch_set_tolerance(pitch.get(), 0.15f);
    std::vector<double> track;
    track.reserve(pcm.size() / hop + 1);
    for (std::size_t at = 0; at + hop <= pcm.size(); at += hop) {
        for (uint_t k = 0; k < hop; ++k) fvec_set_sample(in.get(), smpl_t(pcm[at + k]) / 32768.0f, k);
        aubio_pitch_do(pitch.get(), in.get(), out.get());
        const double f0 = fvec_get_sample(out.get(), 0);
        const double confidence = aubio_pitch_get_confidence(pitch.get());
        const bool voiced = confidence > 0.8 && f0 > 50 && f0 < 500 && !silent_block(pcm, at, hop);
        track.push_back(voiced ? f0 : 0.0);
    }
    // A voiced estimate with no voiced neighbour is YIN's stray guess (often
    // an octave off, at a plosive's burst): no syllable lasts 10 ms.
    std::vector<double> kept(track.size(), 0.0);
    for (std::size_t i = 0; i < track.size(); ++i) {
        const bool before = i > 0 && track[i - 1] > 0, after = i + 1 < track.size() && track[i + 1] > 0;
        if (before || after) kept[i] = track[i];
    }
    return kept;
}

double median_pitch(const std::vector<double>& track) {
    std::vector<double> v;
    for (double f : track)
        if (f > 0) v.push_back(f);
    if (v.empty()) return 0;
    std::nth_element(v.begin(), v.begin() + long(v.size() / 2), v.end());
    return v[v.size() / 2];
}

double semitones(double a_hz, double b_hz) { return a_hz > 0 && b_hz > 0 ? 12.0 * std::log2(b_hz / a_hz) : 0.0; }

double end_slope(const std::vector<double>& track, double seconds) {
    std::size_t last = track.size();
    while (last > 0 && track[last - 1] <= 0) --last;
    if (last == 0) return 0;
    const std::size_t span = static_cast<std::size_t>(seconds / kHopSeconds);
    const std::size_t first = last > span ? last - span : 0;
    const double ref = median_pitch(track);
    double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (std::size_t k = first; k < last; ++k) {
        if (track[k] <= 0) continue;
        const double x = double(k) * kHopSeconds, y = semitones(ref, track[k]);
        n += 1, sx += x, sy += y, sxx += x * x, sxy += x * y;
    }
    if (n < 5) return 0;
    const double den = n * sxx - sx * sx;
    return den > 0 ? (n * sxy - sx * sy) / den : 0;
}

std::size_t clipped(const std::vector<std::int16_t>& pcm) {
    return std::size_t(std::count_if(pcm.begin(), pcm.end(), [](std::int16_t s) { return s >= 32767 || s <= -32768; }));
}

std::size_t leading_silence(const std::vector<std::int16_t>& pcm, int sample_rate) {
    const std::size_t block = static_cast<std::size_t>(sample_rate * kHopSeconds);
    std::size_t at = 0;
    while (at < pcm.size() && silent_block(pcm, at, std::min(block, pcm.size() - at))) at += block;
    return std::min(at, pcm.size());
}

std::size_t trailing_silence(const std::vector<std::int16_t>& pcm, int sample_rate) {
    const std::size_t block = static_cast<std::size_t>(sample_rate * kHopSeconds);
    std::size_t end = pcm.size();
    while (end > 0) {
        const std::size_t from = end > block ? end - block : 0;
        if (!silent_block(pcm, from, end - from)) break;
        end = from;
    }
    return pcm.size() - end;
}

double words_per_minute(const std::vector<std::int16_t>& pcm, int sample_rate, int words) {
    const std::size_t lead = leading_silence(pcm, sample_rate), trail = trailing_silence(pcm, sample_rate);
    if (lead + trail >= pcm.size()) return 0;
    const double seconds = double(pcm.size() - lead - trail) / sample_rate;
    return seconds > 0 ? words * 60.0 / seconds : 0;
}

}  // namespace turncast::measure
