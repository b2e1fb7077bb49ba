// Per-segment loudness (libebur128): measuring, true peaks, the limiter and levelling.
#include "master/master.hpp"

extern "C" {
#include <libswresample/swresample.h>
}
#include <ebur128.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/memory.hpp"
#include "io/av.hpp"

namespace turncast::master {

namespace {


struct EburDeleter {
    void operator()(ebur128_state* s) const { ebur128_destroy(&s); }
};
using EburPtr = std::unique_ptr<ebur128_state, EburDeleter>;

void check_ebur(int ret, const char* what) {
    if (ret != EBUR128_SUCCESS)
        throw LibraryError("libebur128", std::string(what) + " failed (error " + std::to_string(ret) + ")");
}

// Loudness is measured as the file is heard: players send mono to both
// speakers, which sounds 3 dB louder than one channel (BS.1770's dual mono).
// So the default -16 LUFS reads -19 LUFS in a plain mono meter, AES TD1008's
// figure for mono speech, and sounds as loud as a -16 LUFS stereo podcast.
EburPtr make_meter(int mode, int rate) {
    EburPtr st(ebur128_init(1, unsigned(rate), mode));
    if (!st) throw LibraryError("libebur128", "cannot create a loudness meter");
    check_ebur(ebur128_set_channel(st.get(), 0, EBUR128_DUAL_MONO), "setting the channel to dual mono");
    return st;
}

double to_db(double linear) { return 20.0 * std::log10(linear); }
double to_linear(double db) { return std::pow(10.0, db / 20.0); }

// Integrated loudness (BS.1770 gated), or -HUGE_VAL when undefined.
double integrated(const float* pcm, std::size_t n, int rate) {
    auto st = make_meter(EBUR128_MODE_I, rate);
    check_ebur(ebur128_add_frames_float(st.get(), pcm, n), "measuring loudness");
    double out = -HUGE_VAL;
    check_ebur(ebur128_loudness_global(st.get(), &out), "integrated loudness");
    return out;
}

// K-weighted loudness over the whole segment without gating, for segments
// shorter than one 400 ms gating block (where integrated loudness is undefined).
double ungated(const float* pcm, std::size_t n, int rate) {
    const unsigned long ms = (unsigned long)(double(n) * 1000.0 / rate);
    if (ms < 10) return -HUGE_VAL;
    auto st = make_meter(EBUR128_MODE_M, rate);
    const int set = ebur128_set_max_window(st.get(), std::max(ms, 400ul));
    if (set != EBUR128_ERROR_NO_CHANGE) check_ebur(set, "setting the loudness window");
    check_ebur(ebur128_add_frames_float(st.get(), pcm, n), "measuring loudness");
    double out = -HUGE_VAL;
    check_ebur(ebur128_loudness_window(st.get(), ms, &out), "window loudness");
    return out;
}

// The loudness level aims from: integrated, or ungated for very
// short segments; -HUGE_VAL for silence.
double levelling_loudness(const float* pcm, std::size_t n, int rate) {
    double l = integrated(pcm, n, rate);
    if (!(l > -70.0)) l = ungated(pcm, n, rate);
    return l > -70.0 ? l : -HUGE_VAL;
}

void apply_gain(std::vector<float>& pcm, double linear_gain) {
    const float g = float(linear_gain);
    for (auto& s : pcm) s *= g;
}

// libebur128 (1.2.x) finds true peaks by 4x oversampling below 96 kHz with a
// 49-tap Hann-windowed sinc, split into 4 polyphase subfilters: output phase f
// after input n is sum over taps j = f (mod 4) of coeff[j] * x[n - j / 4]
// (taps whose coefficient is ~0 are left out). Interpolator holds the same
// design in float, to screen audio cheaply before the library measures it.
struct Interpolator {
    static constexpr int kTaps = 49, kFactor = 4, kDelay = (kTaps + kFactor - 1) / kFactor;  // 13
    double coeff[kTaps] = {};
    float phase[kFactor][kDelay] = {};  // phase[f][k]: the weight of x[n - k]

    Interpolator() {
        constexpr double kPi = 3.14159265358979323846;
        for (int j = 0; j < kTaps; ++j) {
            const double m = double(j) - (kTaps - 1) / 2.0;
            double c = std::fabs(m) > 1e-6 ? std::sin(m * kPi / kFactor) / (m * kPi / kFactor) : 1.0;
            c *= 0.5 * (1.0 - std::cos(2.0 * kPi * j / (kTaps - 1)));
            if (std::fabs(c) <= 1e-6) c = 0.0;
            coeff[j] = c;
            phase[j % kFactor][j / kFactor] = float(c);
        }
    }

    // The largest |oversampled value| of x[0, n) between zeros: the block
    // preceded and followed by at least kDelay zeros, as the meter sees a
    // neighbourhood (below). Float sums of at most 13 terms: within ~1e-7 of
    // the library's double sums.
    float block_peak(const float* x, std::size_t n, std::vector<float>& scratch) const {
        const std::size_t outputs = n + kDelay - 1;
        scratch.assign(outputs + kDelay - 1, 0.0f);  // x with kDelay - 1 zeros in front
        std::copy(x, x + n, scratch.begin() + kDelay - 1);
        const float* padded = scratch.data() + kDelay - 1;  // padded[m] = x[m], zeros before and after
        // Each output sums its taps in order, k = 0 first, in registers; eight
        // outputs at a time keep eight running maxima (the compiler vectorises
        // both). Taps of weight 0 are summed too: exact for finite x; anything
        // else makes a NaN, which a lane keeps, and the block goes to the library.
        constexpr std::size_t kLanes = 8;
        float peaks[kLanes] = {};
        auto keep = [&](std::size_t lane, float v) {
            peaks[lane] = (v > peaks[lane] || v != v) ? v : peaks[lane];
        };
        for (int f = 0; f < kFactor; ++f) {
            const float* c = phase[f];
            auto at = [&](std::size_t m) {
                float sum = 0.0f;
                for (int k = 0; k < kDelay; ++k) sum += c[k] * padded[std::ptrdiff_t(m) - k];
                return std::fabs(sum);
            };
            std::size_t m = 0;
            for (; m + kLanes <= outputs; m += kLanes)
                for (std::size_t l = 0; l < kLanes; ++l) keep(l, at(m + l));
            for (; m < outputs; ++m) keep(0, at(m));
        }
        float peak = 0.0f;
        for (float p : peaks) {
            if (p != p) return HUGE_VALF;
            peak = std::max(peak, p);
        }
        return peak;
    }
};

const Interpolator& interpolator() {
    static const Interpolator interp;
    return interp;
}

// An oversampled value is a weighted sum of the few input samples around it,
// so it cannot exceed gain * (their largest magnitude), gain being the largest
// sum of |coefficients| over the subfilters (1.86), confirmed against the
// library itself (the worst-case input for that subfilter must read exactly
// the bound). Should a libebur128 version use another filter, the bound is
// infinite and meters measure every sample.
double interpolator_gain_bound() {
    const auto& in = interpolator();
    constexpr int kTaps = Interpolator::kTaps, kFactor = Interpolator::kFactor;
    double sums[kFactor] = {};
    for (int j = 0; j < kTaps; ++j) sums[j % kFactor] += std::fabs(in.coeff[j]);
    const int worst = int(std::max_element(sums, sums + kFactor) - sums);
    // Output phase `worst` after input n sums coeff[j] * x[n - j / 4] over
    // j = worst (mod 4): the input with x[n - j / 4] = sign(coeff[j]) reaches
    // the bound there and nowhere else exceeds it.
    std::vector<float> x(64, 0.0f);
    constexpr int n = kTaps / kFactor;
    for (int j = worst; j < kTaps; j += kFactor) x[std::size_t(n - j / kFactor)] = in.coeff[j] < 0 ? -1.0f : 1.0f;
    auto meter = make_meter(EBUR128_MODE_TRUE_PEAK, 48000);
    check_ebur(ebur128_add_frames_float(meter.get(), x.data(), x.size()), "measuring true peak");
    double read = 0.0;
    check_ebur(ebur128_true_peak(meter.get(), 0, &read), "true peak");
    const double bound = sums[worst];
    return std::fabs(read - bound) < 1e-5 ? bound * (1.0 + 1e-4) : HUGE_VAL;
}

// Whether Interpolator::block_peak reads what the library does, on a few
// thousand samples of a deterministic noisy chirp.
bool interpolator_matches_library() {
    std::vector<float> x(4096);
    std::uint32_t seed = 12345;
    for (std::size_t i = 0; i < x.size(); ++i) {
        seed = seed * 1664525u + 1013904223u;
        const double noise = double(seed >> 8) / double(1u << 24) - 0.5;
        x[i] = float(0.6 * std::sin(0.0005 * double(i * i)) + 0.3 * noise);
    }
    std::vector<float> scratch;
    const double ours = interpolator().block_peak(x.data(), x.size(), scratch);
    std::vector<float> fed(x);
    fed.resize(x.size() + Interpolator::kDelay, 0.0f);
    auto meter = make_meter(EBUR128_MODE_TRUE_PEAK, 48000);
    check_ebur(ebur128_add_frames_float(meter.get(), fed.data(), fed.size()), "measuring true peak");
    double read = 0.0;
    check_ebur(ebur128_true_peak(meter.get(), 0, &read), "true peak");
    return std::fabs(read - ours) < 1e-5;
}

constexpr std::size_t kReach = 32;          // > the 13 input samples each oversampled value uses
constexpr std::size_t kMaxPending = 1 << 16; // a neighbourhood longer than this goes to the meter as it comes
constexpr float kScreenMargin = 1e-4f;       // relative; far above the float sums' error

// The first i' >= i with |x[i']| > limit, or n. Most decoded speech is quiet:
// blocks of 64 are tested at once, comparing magnitudes as integers (a
// non-negative float's bits order as the float does; NaN counts as loud, as
// below), which the compiler vectorises; then the block that holds a loud
// sample is searched one by one.
std::size_t first_above(const float* x, std::size_t i, std::size_t n, float limit) {
    constexpr std::size_t kBlock = 64;
    std::int32_t lim;
    std::memcpy(&lim, &limit, sizeof lim);
    for (; i + kBlock <= n; i += kBlock) {
        std::int32_t bits[kBlock];
        std::memcpy(bits, x + i, sizeof bits);
        std::int32_t loud = 0;
        for (std::size_t k = 0; k < kBlock; ++k) loud |= -std::int32_t((bits[k] & 0x7fffffff) > lim);
        if (loud) break;
    }
    while (i < n && std::fabs(x[i]) <= limit) ++i;
    return i;
}

}  // namespace

// A loud sample (one whose neighbourhood could oversample above `above`) is
// taken with the kReach true samples on either side; runs of loud samples
// closer than that make one neighbourhood. Between neighbourhoods the meter
// gets kReach zeros, so every oversampled value near a loud sample is computed
// from the true samples, and every other value comes from quiet samples and
// zeros and stays below `above`. All samples just before a loud one that
// starts a neighbourhood are quiet (a loud one among them would have kept the
// previous neighbourhood going), so re-feeding some of them after the zeros
// changes nothing that matters.
//
// A neighbourhood is first screened in float (Interpolator, exactly what the
// meter would compute for it between its zeros, to ~1e-7): only one that could
// reach `above` goes to libebur128, whose double-precision oversampling is the
// costly part. Skipping one changes no other, since each starts after zeros.
struct TruePeakMeter::State {
    EburPtr meter;
    int rate;
    float loud;
    float hot = 0.0f;            // screen threshold; 0: no screening, every neighbourhood is measured
    std::vector<float> history;  // the last kReach samples before the current block
    std::size_t owed = 0;        // samples still to take after the last loud one
    std::vector<float> pending;  // the current neighbourhood, while it is screened
    bool direct = false;         // the current neighbourhood goes straight to the meter
    std::vector<float> scratch;

    void feed(const float* p, std::size_t n) {
        if (n == 0) return;
        if (!meter) meter = make_meter(EBUR128_MODE_TRUE_PEAK, rate);
        check_ebur(ebur128_add_frames_float(meter.get(), p, n), "measuring true peak");
    }
    void feed_gap() {
        static const std::vector<float> zeros(kReach, 0.0f);
        feed(zeros.data(), zeros.size());
    }
    // Samples of the current neighbourhood.
    void take(const float* p, std::size_t n) {
        if (hot <= 0.0f || direct) {
            feed(p, n);
            return;
        }
        pending.insert(pending.end(), p, p + n);
        if (pending.size() > kMaxPending) {
            feed(pending.data(), pending.size());
            pending.clear();
            direct = true;
        }
    }
    // The current neighbourhood has ended.
    void close() {
        if (hot > 0.0f && !direct) {
            const bool measure = interpolator().block_peak(pending.data(), pending.size(), scratch) >= hot;
            if (measure) feed(pending.data(), pending.size());
            pending.clear();
            if (!measure) return;
        }
        direct = false;
        feed_gap();
    }
};

TruePeakMeter::TruePeakMeter(double above, int rate) : st_(std::make_unique<State>()) {
    static const double gain = interpolator_gain_bound();
    static const bool screen = gain < HUGE_VAL && interpolator_matches_library();
    st_->rate = rate;
    // At 96 kHz and above libebur128 does not oversample: then every sample
    // is measured.
    st_->loud = rate >= 96000 ? 0.0f : float(above / gain);
    if (screen && st_->loud > 0.0f) st_->hot = float(above) * (1.0f - kScreenMargin);
}

TruePeakMeter::~TruePeakMeter() = default;

void TruePeakMeter::add(const float* x, std::size_t n) {
    auto& s = *st_;
    std::size_t i = 0;
    while (i < n) {
        if (s.owed > 0) {  // inside a neighbourhood: feed up to kReach past its last loud sample
            std::size_t j = i;
            for (; j < n && s.owed > 0; ++j, --s.owed)
                if (std::fabs(x[j]) > s.loud) s.owed = kReach + 1;
            s.take(x + i, j - i);
            if (s.owed == 0) s.close();
            i = j;
            continue;
        }
        const std::size_t j = first_above(x, i, n, s.loud);
        if (j == n) break;
        // A new neighbourhood: the kReach samples before x[j] first.
        if (j < kReach) {
            const std::size_t from_history = std::min(kReach - j, s.history.size());
            s.take(s.history.data() + s.history.size() - from_history, from_history);
            s.take(x, j);
        } else {
            s.take(x + j - kReach, kReach);
        }
        s.owed = kReach + 1;  // x[j] and the kReach after it
        i = j;
    }
    if (n >= kReach) {
        s.history.assign(x + n - kReach, x + n);
    } else {
        s.history.insert(s.history.end(), x, x + n);
        if (s.history.size() > kReach) s.history.erase(s.history.begin(), s.history.end() - kReach);
    }
}

double TruePeakMeter::finish() {
    auto& s = *st_;
    if (s.owed > 0) {
        s.close();
        s.owed = 0;
    }
    if (!s.meter) return 0.0;
    double tp = 0.0;
    check_ebur(ebur128_true_peak(s.meter.get(), 0, &tp), "true peak");
    return tp;
}

namespace {

// The true peak exactly as true_peak() measures it when it exceeds `above`;
// otherwise some value <= `above`.
double true_peak_above(const float* pcm, std::size_t n, int rate, double above) {
    TruePeakMeter meter(above, rate);
    meter.add(pcm, n);
    return meter.finish();
}

// ---- the levelling model -----------------------------------------------------
//
// level() needs the gain at which gain-then-limiter lands on the target
// loudness. Espeak's peaks stand ~19 dB over its loudness, so at the
// renderer's ceiling the limiter takes back most of any gain (a 10 dB rise
// gains ~2.5 LU), and each trial costs a limiter pass and a libebur128 pass
// over the whole segment. The model predicts trials instead, from the peak
// and energy of every ~5 ms block (one cheap pass, no filtering): a trial
// gain runs the limiter's rule block by block (each block's gain is what its
// peak, or the next block's, needs, released as the limiter releases),
// scales each block's energy by that gain squared, and gates the 100 ms sums
// as BS.1770 does. It leaves out K-weighting and the gain's ripple inside a
// block, so it reads low by a roughly constant offset: on the sample's
// segments at the renderer's ceiling, libebur128 measures 1.14-1.59 LU over
// the prediction for 80% of them (0.5-2.3 LU for all). The first trial aims at the typical offset
// (most segments land within tolerance), a miss measures the segment's own
// offset, with which the second trial lands, and any further step is a secant
// through the two measured trials. libebur128 has the last word: every
// trial but a last one is measured with it.
class LevelModel {
public:
    static constexpr int kBlocksPerHop = 20;

    // Collects the blocks' peaks and energies; returns the plain (unweighted)
    // gated loudness, which stands ~kPlainToKLu below the integrated loudness
    // of espeak speech.
    double measure(const float* x, std::size_t n, int rate) {
        hop_ = std::size_t((rate + 5) / 10);  // libebur128's 100 ms, rounded as it does
        hops_ = n / hop_;
        u_.resize(hops_ * kBlocksPerHop);
        peak_.resize(hops_ * kBlocksPerHop);
        sub_.resize(hops_);
        for (std::size_t h = 0; h < hops_; ++h) {
            const float* p = x + h * hop_;
            double hop_energy = 0.0;
            for (int b = 0; b < kBlocksPerHop; ++b) {
                const std::size_t from = hop_ * std::size_t(b) / kBlocksPerHop;
                const std::size_t to = hop_ * std::size_t(b + 1) / kBlocksPerHop;
                double e = 0.0;
                float pk = 0.0f;
                for (std::size_t i = from; i < to; ++i) {
                    e += double(p[i]) * double(p[i]);
                    pk = std::max(pk, std::fabs(p[i]));
                }
                u_[h * kBlocksPerHop + std::size_t(b)] = e;
                peak_[h * kBlocksPerHop + std::size_t(b)] = pk;
                hop_energy += e;
            }
            sub_[h] = hop_energy / double(hop_);
        }
        return gate();
    }

    // Four 100 ms steps make one gating block: fewer, and there is nothing to predict.
    bool usable() const { return hops_ >= 4; }

    // The plain gated loudness predicted after `gain_db` and the limiter at
    // ceiling_linear (release_ms as LimiterSettings).
    double predict(double gain_db, double ceiling_linear, double release_ms, int rate) const {
        const double g = std::pow(10.0, gain_db / 20.0);
        const double a = std::exp(-double(hop_) / kBlocksPerHop / std::max(1.0, release_ms * rate / 1000.0));
        auto need = [&](std::size_t j) {
            const double v = g * peak_[j];
            return v > ceiling_linear ? ceiling_linear / v : 1.0;
        };
        double r = 1.0, next = peak_.empty() ? 1.0 : need(0);
        for (std::size_t h = 0; h < hops_; ++h) {
            double e = 0.0;
            for (int b = 0; b < kBlocksPerHop; ++b) {
                const std::size_t j = h * kBlocksPerHop + std::size_t(b);
                const double here = next;
                next = j + 1 < peak_.size() ? need(j + 1) : 1.0;
                r = std::min(std::min(here, next), 1.0 - (1.0 - r) * a);
                e += u_[j] * r * r;
            }
            sub_[h] = g * g * e / double(hop_);
        }
        return gate();
    }

    // The gain in [lo, hi] dB at which predict() reads `want` (bisection: the
    // prediction rises with the gain); lo or hi when out of reach.
    double solve(double want, double lo, double hi, double ceiling_linear, double release_ms, int rate) const {
        if (predict(hi, ceiling_linear, release_ms, rate) <= want) return hi;
        if (predict(lo, ceiling_linear, release_ms, rate) >= want) return lo;
        for (int i = 0; i < 16; ++i) {  // (hi - lo) / 65536: well under 0.01 dB
            const double mid = 0.5 * (lo + hi);
            (predict(mid, ceiling_linear, release_ms, rate) < want ? lo : hi) = mid;
        }
        return 0.5 * (lo + hi);
    }

private:
    // BS.1770 gating of sub_ (mean squares per 100 ms) over 400 ms blocks every 100 ms.
    double gate() const {
        auto lufs = [](double e) { return -0.691 + 10.0 * std::log10(e); };
        // Mean loudness of the blocks above `floor` (LUFS), or -inf when none is.
        auto gated = [&](double floor) {
            double sum = 0.0;
            std::size_t count = 0;
            for (std::size_t i = 0; i + 4 <= sub_.size(); ++i) {
                const double e = (sub_[i] + sub_[i + 1] + sub_[i + 2] + sub_[i + 3]) / 4.0;
                if (e > 0.0 && lufs(e) > floor) sum += e, ++count;
            }
            return count ? lufs(sum / double(count)) : -HUGE_VAL;
        };
        const double absolute = gated(-70.0);
        return absolute > -HUGE_VAL ? gated(std::max(-70.0, absolute - 10.0)) : absolute;
    }

    std::size_t hop_ = 1, hops_ = 0;
    std::vector<double> u_;     // sum of squares per block
    std::vector<float> peak_;   // largest magnitude per block
    mutable std::vector<double> sub_;  // mean square per 100 ms, as measured or predicted
};

// Integrated (K-weighted) minus plain gated loudness, typical of espeak speech
// (0.67-0.84 LU for the sample's main voice, 0.26-1.41 across its voices).
constexpr double kPlainToKLu = 0.75;
// libebur128's reading of a trial minus the model's prediction, typical of
// the sample's segments at the renderer's ceiling (see LevelModel), refitted
// after the limiter changed: of the sample's 62 segments 33 (58% of the
// audio) land within 0.15 LU at 1.39, 40 (81%) at 1.45, 42 (88%) at 1.49, 37
// at 1.52; libebur128 then measures 1.12 trials per sample instead of 1.42.
constexpr double kModelOffsetLu = 1.49;

}  // namespace

Loudness measure(const float* pcm, std::size_t n, int rate) {
    Loudness l;
    if (n == 0) return l;
    auto st = make_meter(EBUR128_MODE_I | EBUR128_MODE_TRUE_PEAK, rate);
    check_ebur(ebur128_add_frames_float(st.get(), pcm, n), "measuring loudness");
    double i = -HUGE_VAL;
    check_ebur(ebur128_loudness_global(st.get(), &i), "integrated loudness");
    l.integrated_lufs = i > -70.0 ? i : -70.0;
    double tp = 0.0;
    check_ebur(ebur128_true_peak(st.get(), 0, &tp), "true peak");
    l.true_peak_dbtp = tp > 0.0 ? std::max(to_db(tp), -99.0) : -99.0;
    return l;
}

void limit_peaks(std::vector<float>& pcm, double ceiling_linear, const LimiterSettings& settings, int rate) {
    const std::size_t n = pcm.size();
    if (n == 0 || ceiling_linear <= 0.0) return;
    const std::size_t look = std::size_t(std::max(1L, std::lround(settings.lookahead_ms * rate / 1000.0)));
    const float ceiling = float(ceiling_linear);
    if (std::none_of(pcm.begin(), pcm.end(), [&](float x) { return std::fabs(x) > ceiling; })) return;
    // For each sample i:
    //   req[i]  what sample i needs to stay under the ceiling;
    //   m[i]    = min(req[i .. i+look]): the gain is already down when a peak
    //           arrives;
    //   r[i]    = min(m[i], release towards unity): exponential recovery,
    //           kept as the attenuation u = 1 - r (one multiply and one max a
    //           sample on the loop's critical path);
    //   out[i]  = mean(r[i-look .. i]): the attack ramp. Every value averaged at
    //           a peak j is <= req[j] (m covers j from i = j-look on), so the
    //           ceiling holds.
    // In chunks, with O(chunk + look) state (at 48 kHz a long answer would
    // need tens of MB of per-sample arrays, and faulting them in cost as much
    // as the limiter): a chunk's req, and the look-ahead past it, is read from
    // the input before any of the chunk is rewritten (vectorised); its window
    // minima come from van Herk / Gil-Werman (prefix and suffix minima over
    // blocks of look + 1: three comparisons a sample, no branches); then one
    // serial pass for the release and the ramp. At the renderer's gains, where
    // most samples are limited, this runs in ~60% of the time a monotonic
    // queue took.
    const std::size_t w = look + 1;  // the window
    constexpr std::size_t kChunk = 8192;
    const std::size_t blocks = (kChunk + look + w - 1) / w;  // a chunk and its look-ahead
    std::vector<float> req(blocks * w), pre(blocks * w), suf(blocks * w), m(kChunk);
    std::vector<float> recent(w, 0.0f);  // r[i-look .. i], ring (zeros before the start)
    const float a = float(std::exp(-1.0 / std::max(1.0, settings.release_ms * rate / 1000.0)));
    float u = 0.0f;
    double sum = 0.0;
    std::size_t slot = 0;
    for (std::size_t start = 0; start < n; start += kChunk) {
        const std::size_t len = std::min(kChunk, n - start);
        const std::size_t have = std::min(len + look, n - start);  // samples of req that exist
        for (std::size_t k = 0; k < have; ++k) req[k] = std::min(1.0f, ceiling / std::fabs(pcm[start + k]));
        std::fill(req.begin() + std::ptrdiff_t(have), req.end(), 1.0f);  // past the end: no requirement
        for (std::size_t b = 0; b < blocks; ++b) {
            const std::size_t from = b * w, to = from + w;
            pre[from] = req[from];
            for (std::size_t k = from + 1; k < to; ++k) pre[k] = std::min(pre[k - 1], req[k]);
            suf[to - 1] = req[to - 1];
            for (std::size_t k = to - 1; k-- > from;) suf[k] = std::min(suf[k + 1], req[k]);
        }
        // min(req[k .. k+look]): the suffix of k's block and the prefix of the next.
        for (std::size_t from = 0; from < len; from += w) {
            m[from] = suf[from];
            const std::size_t to = std::min(from + w, len);
            for (std::size_t k = from + 1; k < to; ++k) m[k] = std::min(suf[k], pre[k + look]);
        }
        for (std::size_t k = 0; k < len; ++k) {
            const std::size_t i = start + k;
            u = std::max(1.0f - m[k], u * a);
            const float r = std::min(m[k], 1.0f - u);
            sum += double(r) - double(recent[slot]);  // r[i-look-1] lived in this slot
            recent[slot] = r;
            if (++slot == recent.size()) slot = 0;    // slot == i % (look + 1)
            const std::size_t count = std::min(i, look) + 1;
            const float g = float(sum / double(count));
            pcm[i] = float(double(pcm[i]) * double(g));
        }
    }
}

Leveled level(std::vector<float>& pcm, const LoudnessTarget& target, const LimiterSettings& settings, int rate) {
    std::vector<float> work;
    return level(pcm, target, settings, rate, work);
}

Leveled level(std::vector<float>& pcm, const LoudnessTarget& target, const LimiterSettings& settings, int rate,
              std::vector<float>& work) {
    Leveled result;
    LevelModel model;
    double loud = model.measure(pcm.data(), pcm.size(), rate) + kPlainToKLu;
    const bool modelled = loud > -60.0 && model.usable();
    if (!modelled) loud = levelling_loudness(pcm.data(), pcm.size(), rate);
    if (!(loud > -70.0)) return result;  // silence: left as it is
    const double ceiling = target.true_peak_dbtp - settings.margin_db;
    const double ceiling_linear = to_linear(ceiling);
    std::vector<float>& y = work;
    double gain_db = target.integrated_lufs - loud;
    // The limiter lowers loudness, more the harder it works. Each round
    // limits once more from the original with a new gain (so distortion never
    // compounds) and measures the result with libebur128. With the model
    // (segments of 400 ms or more) the first gain is its prediction, and a
    // first miss corrects the model by what it got wrong at that gain.
    // Without it, the first round comes up short by what the limiter took.
    // Other corrections follow the slope of loudness over gain (secant steps
    // through the last two rounds; after one round near the ceiling the slope
    // falls from ~0.41 at 1.2 LU short to ~0.30 at 3.5 LU short on the
    // sample's voices, which the first step's line follows).
    const double lo = gain_db - 12.0, hi = gain_db + 24.0;
    if (modelled)
        gain_db = model.solve(target.integrated_lufs - kModelOffsetLu, lo, hi, ceiling_linear, settings.release_ms, rate);
    double prev_gain = 0.0, prev_loud = 0.0;  // the round before, from round 1 on
    for (int round = 0; round < settings.max_rounds; ++round) {
        const float g = float(to_linear(gain_db));
        resize_large(y, pcm.size());
        for (std::size_t i = 0; i < pcm.size(); ++i) y[i] = pcm[i] * g;
        limit_peaks(y, ceiling_linear, settings, rate);
        if (round + 1 == settings.max_rounds) break;
        const double now = levelling_loudness(y.data(), y.size(), rate);
        const double error = target.integrated_lufs - now;
        if (std::fabs(error) < settings.tolerance_lu) break;
        const double tried = gain_db;
        // After the first miss the model, corrected by what it got wrong at
        // `tried`, proposes the next gain; it has no step to offer without a
        // model, after the first round, or when its answer sits at an end of
        // its range and so does not move. Then a secant step instead.
        std::optional<double> modelled_step;
        if (modelled && now > -70.0 && round == 0) {
            const double offset = now - model.predict(tried, ceiling_linear, settings.release_ms, rate);
            const double proposed =
                model.solve(target.integrated_lufs - offset, lo, hi, ceiling_linear, settings.release_ms, rate);
            if (std::fabs(proposed - tried) > 1e-3) modelled_step = proposed;
        }
        double next = 0.0;
        if (modelled_step) {
            next = *modelled_step;
        } else {
            const double slope = round > 0 && std::fabs(tried - prev_gain) > 1e-3
                                     ? std::clamp((now - prev_loud) / (tried - prev_gain), 0.2, 1.0)
                                     : std::clamp(0.47 - 0.048 * error, 0.25, 0.6);
            next = tried + std::min(error / slope, 12.0);
        }
        prev_gain = tried;
        prev_loud = now;
        gain_db = next;
    }
    double trim_db = 0.0;
    if (settings.true_peak_trim) {
        // True peaks between samples can exceed the sample ceiling a little; the
        // last step is a plain gain, so the ceiling is a guarantee.
        const double tp = true_peak_above(y.data(), y.size(), rate, to_linear(target.true_peak_dbtp));
        if (tp > 0.0 && to_db(tp) > target.true_peak_dbtp) {
            trim_db = target.true_peak_dbtp - to_db(tp) - 0.01;
            apply_gain(y, to_linear(trim_db));
        }
    }
    result.gain_db = gain_db + trim_db;
    pcm.swap(y);  // `work` keeps the input's storage for the next call
    return result;
}

// Bumped when level(), limit_peaks() or the levelling model change what they
// compute in a way no setting or constant below records.
constexpr int kMasteringVersion = 1;

// Every field of LimiterSettings shapes the mastered audio, so every field is
// in the fingerprint: a new field changes the struct's size and stops the
// build here until it is added below (and this size updated).
// LP64: three doubles, an int (padded to 8), a double and a bool (padded to 8).
static_assert(sizeof(LimiterSettings) == 48, "a new limiter setting must go into fingerprint()");

std::string fingerprint(const LimiterSettings& settings) {
    int major = 0, minor = 0, patch = 0;
    ebur128_get_version(&major, &minor, &patch);  // the library loaded, not the headers built against
    return fmt::format("turncast-master/{} ebur128={}.{}.{} swr={} taps={} lookahead={}ms release={}ms margin={}dB "
                       "rounds={} tolerance={}LU trim={} model=plain+{}LU offset={}LU blocks={}",
                       kMasteringVersion, major, minor, patch,
                       swresample_version(), kResamplerTaps, settings.lookahead_ms, settings.release_ms,
                       settings.margin_db, settings.max_rounds, settings.tolerance_lu, settings.true_peak_trim ? 1 : 0,
                       kPlainToKLu, kModelOffsetLu, LevelModel::kBlocksPerHop);
}

}  // namespace turncast::master
