// master: resampling and loudness, on synthetic signals and on real espeak speech.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <cstdint>
#include <random>
#include <vector>

#include "master/master.hpp"
#include "master/policy.hpp"
#include "render/render.hpp"
#include "synth/synth.hpp"

using namespace turncast;

namespace {

constexpr double kPi = 3.14159265358979323846;

std::vector<std::int16_t> tone22050(double hz, double seconds, double amplitude) {
    std::vector<std::int16_t> pcm(std::size_t(seconds * 22050));
    for (std::size_t i = 0; i < pcm.size(); ++i)
        pcm[i] = std::int16_t(std::lround(amplitude * 32767.0 * std::sin(2 * kPi * hz * double(i) / 22050.0)));
    return pcm;
}

// 22050 Hz speech at 48 kHz, as the lossless writer reads it: a Resampler to the end.
std::vector<float> resample(const std::vector<std::int16_t>& pcm22050) {
    const auto in = master::to_float(pcm22050);
    master::Resampler r(in.data(), std::int64_t(in.size()), master::kSampleRate);
    std::vector<float> out(std::size_t(r.size()));
    r.read(out.data(), r.size());
    return out;
}

std::vector<float> tone48(double hz, double seconds, double amplitude) {
    std::vector<float> pcm(std::size_t(seconds * 48000));
    for (std::size_t i = 0; i < pcm.size(); ++i)
        pcm[i] = float(amplitude * std::sin(2 * kPi * hz * double(i) / 48000.0));
    return pcm;
}

double peak(const std::vector<float>& pcm) {
    double p = 0;
    for (float s : pcm) p = std::max(p, double(std::fabs(s)));
    return p;
}

Voice voice(const std::string& espeak_voice, const std::string& variant = {}) {
    Voice v;
    v.id = espeak_voice + (variant.empty() ? "" : "+" + variant);
    v.espeak_voice = espeak_voice;
    v.variant = variant;
    return v;
}

const char* kSpeech =
    "Thank you very much. I would like to begin by saying that we are pleased to welcome everyone "
    "here today. The question you ask is important, and I will answer it in detail.";

}  // namespace

TEST_CASE("resampled_length is ceil(n * 48000 / 22050) and resample returns exactly that", "[av]") {
    CHECK(master::resampled_length(0) == 0);
    CHECK(master::resampled_length(1) == 3);
    CHECK(master::resampled_length(147) == 320);
    CHECK(master::resampled_length(148) == 323);
    CHECK(master::resampled_length(22050) == 48000);
    CHECK(master::resampled_length(22051) == 48003);

    std::mt19937 rng(7);
    std::uniform_int_distribution<int> sample(-20000, 20000);
    std::vector<std::int64_t> lengths;
    for (std::int64_t n = 1; n <= 400; ++n) lengths.push_back(n);
    for (std::int64_t n : {1023, 1024, 1025, 4410, 22049, 22050, 22051, 65063, 100003}) lengths.push_back(n);
    for (std::int64_t n : lengths) {
        std::vector<std::int16_t> in(static_cast<std::size_t>(n));
        for (auto& s : in) s = std::int16_t(sample(rng));
        const auto out = resample(in);
        INFO("n = " << n);
        REQUIRE(std::int64_t(out.size()) == master::resampled_length(n));
        REQUIRE(std::int64_t(out.size()) == (n * 48000 + 22049) / 22050);
    }
    CHECK(resample({}).empty());
}

TEST_CASE("resampling keeps a 1 kHz tone at 1 kHz, in place, and is repeatable", "[av]") {
    const auto in = tone22050(1000.0, 1.0, 0.5);
    const auto out = resample(in);
    REQUIRE(out.size() == 48000);

    // Frequency: zero crossings over the middle 0.8 s.
    int crossings = 0;
    for (std::size_t i = 4800 + 1; i < 43200; ++i)
        if ((out[i - 1] < 0) != (out[i] < 0)) ++crossings;
    CHECK(crossings / 2.0 / 0.8 == Approx(1000.0).margin(2.0));

    // No added delay and a flat passband: it matches the ideal 48 kHz tone.
    const auto ideal = tone48(1000.0, 1.0, 0.5);
    double worst = 0;
    for (std::size_t i = 2400; i < 45600; ++i) worst = std::max(worst, double(std::fabs(out[i] - ideal[i])));
    CHECK(worst < 0.005);  // -40 dB below the tone; a one-sample shift would be ~0.065

    CHECK(resample(in) == out);
}

TEST_CASE("measure reads a sine's loudness and true peak; silence is -70 / -99", "[av]") {
    // BS.1770: a 1 kHz sine at 0 dBFS in one channel reads -3.01 LUFS; as
    // dual mono (heard on both speakers) 3.01 dB more: 0 LUFS.
    const auto sine = tone48(1000.0, 3.0, 0.1);  // -20 dBFS
    const auto l = master::measure(sine.data(), sine.size());
    CHECK(l.integrated_lufs == Approx(-20.0).margin(0.1));
    CHECK(l.true_peak_dbtp == Approx(-20.0).margin(0.1));

    const std::vector<float> silence(48000 * 2, 0.0f);
    const auto s = master::measure(silence.data(), silence.size());
    CHECK(s.integrated_lufs <= -70.0);
    CHECK(s.true_peak_dbtp <= -99.0);
}

TEST_CASE("limit_peaks holds the ceiling and leaves quiet audio untouched", "[av]") {
    auto quiet = tone48(440.0, 0.5, 0.3);
    const auto before = quiet;
    master::limit_peaks(quiet, 0.5);
    CHECK(quiet == before);

    auto loud = tone48(440.0, 0.5, 0.3);
    for (std::size_t i = 5000; i < loud.size(); i += 7000) loud[i] = (i % 2) ? 1.0f : -1.0f;
    master::limit_peaks(loud, 0.5);
    CHECK(peak(loud) <= 0.5 + 1e-6);
    // Far from the clicks (> lookahead + several release constants) the tone is intact.
    CHECK(loud[2000] == before[2000]);
}

TEST_CASE("level brings real espeak speech to -16 LUFS with true peak <= -1.5 dBTP", "[av][espeak]") {
    synth::Engine engine;
    const master::LoudnessTarget target;
    for (const auto& v : {voice("en-gb", "m3"), voice("en-us", "f2"), voice("en-us")}) {
        INFO(v.id);
        synth::Request r{kSpeech, v};
        auto pcm = resample(engine.synthesize_one(r).pcm);
        const auto raw = master::measure(pcm.data(), pcm.size());
        CHECK(raw.integrated_lufs < -15.0);  // espeak is quiet and peaky: levelling is needed (dual mono: +3 dB)

        master::level(pcm, target);
        const auto l = master::measure(pcm.data(), pcm.size());
        CHECK(l.integrated_lufs == Approx(-16.0).margin(0.5));
        CHECK(l.true_peak_dbtp <= -1.5);
    }

    SECTION("other targets") {
        auto pcm = resample(engine.synthesize_one({kSpeech, voice("en-us")}).pcm);
        master::level(pcm, {-23.0, -2.0});
        const auto l = master::measure(pcm.data(), pcm.size());
        CHECK(l.integrated_lufs == Approx(-23.0).margin(0.5));
        CHECK(l.true_peak_dbtp <= -2.0);
    }
}

TEST_CASE("level is deterministic and leaves silence alone", "[av]") {
    std::vector<float> silence(48000, 0.0f);
    master::level(silence, {});
    CHECK(peak(silence) == 0.0);

    auto a = tone48(300.0, 1.0, 0.05);
    for (std::size_t i = 100; i < a.size(); i += 3000) a[i] = 0.95f;
    auto b = a;
    master::level(a, {});
    master::level(b, {});
    CHECK(a == b);
}

TEST_CASE("Resampler: the same samples however it is read, at 48 and 24 kHz, with gain", "[av]") {
    std::mt19937 rng(11);
    std::uniform_real_distribution<float> sample(-0.6f, 0.6f);
    std::vector<float> in(30011);
    for (auto& s : in) s = sample(rng);
    for (int rate : {48000, 24000}) {
        INFO("rate " << rate);
        master::Resampler whole(in.data(), std::int64_t(in.size()), rate);
        REQUIRE(whole.size() == master::resampled_length(std::int64_t(in.size()), rate));
        REQUIRE(whole.size() == (std::int64_t(in.size()) * rate + 22049) / 22050);
        std::vector<float> a(std::size_t(whole.size()));
        whole.read(a.data(), whole.size());
        CHECK(whole.remaining() == 0);
        CHECK_THROWS_AS(whole.read(a.data(), 1), std::invalid_argument);

        // Odd-sized reads, the way an encoder pulls one frame at a time.
        master::Resampler pieces(in.data(), std::int64_t(in.size()), rate, 0.5f);
        std::vector<float> b(std::size_t(pieces.size()));
        std::int64_t at = 0;
        for (std::int64_t step = 1; at < pieces.size(); step = step * 3 % 2000 + 1) {
            const auto n = std::min(step, pieces.size() - at);
            pieces.read(b.data() + at, n);
            at += n;
        }
        for (std::size_t i = 0; i < a.size(); ++i) REQUIRE(b[i] == a[i] * 0.5f);
    }
    // resample() is a Resampler read to the end, from 16-bit input.
    std::vector<std::int16_t> pcm(5000);
    for (std::size_t i = 0; i < pcm.size(); ++i) pcm[i] = std::int16_t((i * 7919) % 20000 - 10000);
    const auto f = master::to_float(pcm);
    master::Resampler r(f.data(), std::int64_t(f.size()), 48000);
    std::vector<float> out(std::size_t(r.size()));
    r.read(out.data(), r.size());
    CHECK(resample(pcm) == out);
}

TEST_CASE("level at espeak's rate: on target, and the sample ceiling holds without the true-peak trim", "[av][espeak]") {
    synth::Engine engine;
    auto pcm = master::to_float(engine.synthesize_one({kSpeech, voice("en-gb", "m3")}).pcm);
    master::LoudnessTarget target{-16.0, -3.5};
    master::LimiterSettings limiter;
    limiter.margin_db = 1.0;
    limiter.true_peak_trim = false;
    master::level(pcm, target, limiter, master::kSpeechRate);
    const auto l = master::measure(pcm.data(), pcm.size(), master::kSpeechRate);
    CHECK(l.integrated_lufs == Approx(-16.0).margin(0.4));
    CHECK(20 * std::log10(peak(pcm)) <= -4.5 + 1e-3);  // ceiling - margin, in samples
    // At 48 kHz the loudness reads the same within a few tenths.
    master::Resampler up(pcm.data(), std::int64_t(pcm.size()), 48000);
    std::vector<float> pcm48(std::size_t(up.size()));
    up.read(pcm48.data(), up.size());
    CHECK(master::measure(pcm48.data(), pcm48.size()).integrated_lufs == Approx(l.integrated_lufs).margin(0.3));
}

TEST_CASE("TruePeakMeter: exact above its threshold however the stream is split, at most the threshold below", "[av]") {
    // Sparse loud clicks (inter-sample peaks over the sample peak) in quiet noise.
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> noise(-0.05f, 0.05f);
    std::vector<float> pcm(200000);
    for (auto& s : pcm) s = noise(rng);
    for (std::size_t at : {1000u, 1031u, 50000u, 123457u, 199990u}) {
        pcm[at] = 0.7f;
        pcm[at + 1] = -0.7f;
        pcm[at + 2] = 0.7f;
    }
    const double full = std::pow(10.0, master::measure(pcm.data(), pcm.size()).true_peak_dbtp / 20.0);
    REQUIRE(full > 0.7);  // oversampling finds more than the sample peak

    for (std::size_t block : {std::size_t(1), std::size_t(7), std::size_t(31), std::size_t(1024), pcm.size()}) {
        INFO("block " << block);
        for (double above : {0.0, 0.5, full * 0.99}) {
            master::TruePeakMeter meter(above);
            for (std::size_t i = 0; i < pcm.size(); i += block)
                meter.add(pcm.data() + i, std::min(block, pcm.size() - i));
            CHECK(meter.finish() == Approx(full).epsilon(1e-6));
        }
    }
    // Where no sample could oversample past the threshold, nothing is measured.
    std::vector<float> quiet(pcm.size());
    for (auto& s : quiet) s = noise(rng);
    master::TruePeakMeter high(0.5);
    high.add(quiet.data(), quiet.size());
    CHECK(high.finish() == 0.0);
    master::TruePeakMeter all(0.0);
    all.add(quiet.data(), quiet.size());
    CHECK(all.finish() > 0.04);

    // A smooth loud tone: its samples pass the coarse bound everywhere, but
    // its true peak stays under a threshold just above it (then the meter
    // may skip it: at most the threshold) and is exact under one just below.
    std::vector<float> tone(48000);
    for (std::size_t i = 0; i < tone.size(); ++i) tone[i] = float(0.6 * std::sin(2 * M_PI * 220 * double(i) / 48000));
    const double tone_peak = std::pow(10.0, master::measure(tone.data(), tone.size()).true_peak_dbtp / 20.0);
    REQUIRE(tone_peak == Approx(0.6).epsilon(0.01));
    master::TruePeakMeter over(tone_peak * 1.01);
    over.add(tone.data(), tone.size());
    CHECK(over.finish() <= tone_peak * 1.01);
    master::TruePeakMeter under(tone_peak * 0.999);
    under.add(tone.data(), tone.size());
    CHECK(under.finish() == Approx(tone_peak).epsilon(1e-6));
}

TEST_CASE("TruePeakMeter: a non-finite sample is never screened out", "[av]") {
    // The float screen sums taps of weight 0 too (0 * inf is NaN): such a
    // neighbourhood must still reach the library, as with no screening.
    for (float bad : {std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN()}) {
        std::vector<float> pcm(4000, 0.01f);
        pcm[2000] = bad;
        master::TruePeakMeter screened(0.5), every(0.0);
        screened.add(pcm.data(), pcm.size());
        every.add(pcm.data(), pcm.size());
        const double a = screened.finish(), b = every.finish();
        INFO("bad sample " << bad << ": screened " << a << ", every sample " << b);
        CHECK((a == b || (std::isnan(a) && std::isnan(b))));
        CHECK(a != 0.0);  // the neighbourhood was measured
    }
}

TEST_CASE("level lands within its tolerance on espeak voices at the renderer's ceiling; reused work space changes nothing",
          "[av][espeak]") {
    synth::Engine engine;
    const auto lossy = master::for_output(master::LoudnessTarget{}, true);  // the renderer's, for lossy pieces
    const auto& target = lossy.target;
    const auto& limiter = lossy.limiter;
    std::vector<float> work(12345, 0.5f);  // left from some other segment
    for (const auto& v : {voice("en-gb", "m3"), voice("en-us", "f2"), voice("en-us"), voice("en-gb-x-rp", "m7")}) {
        INFO(v.id);
        const auto raw = master::to_float(engine.synthesize_one({kSpeech, v}).pcm);
        auto a = raw, b = raw;
        master::level(a, target, limiter, master::kSpeechRate);
        const auto l = master::measure(a.data(), a.size(), master::kSpeechRate);
        CHECK(std::fabs(l.integrated_lufs - target.integrated_lufs) < limiter.tolerance_lu);
        master::level(b, target, limiter, master::kSpeechRate, work);
        CHECK(a == b);
    }
}

TEST_CASE("level lands within tolerance on audio unlike espeak's: a steady tone, and noise with sparse peaks", "[av]") {
    master::LimiterSettings limiter;
    std::vector<std::vector<float>> inputs;
    inputs.push_back(tone48(1000.0, 3.0, 0.02));  // no limiting needed: the model's offset is far off
    std::mt19937 rng(5);
    std::normal_distribution<float> noise(0.0f, 0.03f);
    std::vector<float> spiky(48000 * 3);
    for (std::size_t i = 0; i < spiky.size(); ++i) spiky[i] = i % 4801 == 0 ? 0.9f : noise(rng);
    inputs.push_back(spiky);  // a limiter-bound crest factor
    for (auto& pcm : inputs) {
        master::level(pcm, {}, limiter);
        const auto l = master::measure(pcm.data(), pcm.size());
        CHECK(std::fabs(l.integrated_lufs - (-16.0)) < limiter.tolerance_lu);
        CHECK(l.true_peak_dbtp <= -1.5);
    }
}

TEST_CASE("the mastering fingerprint records every limiter setting and the libraries' versions", "[av]") {
    const master::LimiterSettings base;
    const auto print = master::fingerprint(base);
    CHECK(print == master::fingerprint(base));  // a key: the same settings, the same text
    CHECK(print.find("ebur128=") != std::string::npos);
    CHECK(print.find("swr=") != std::string::npos);
    std::vector<master::LimiterSettings> changed(6, base);
    changed[0].lookahead_ms += 0.5;
    changed[1].release_ms += 1.0;
    changed[2].margin_db += 0.1;
    changed[3].max_rounds += 1;
    changed[4].tolerance_lu += 0.05;
    changed[5].true_peak_trim = !base.true_peak_trim;
    for (std::size_t i = 0; i < changed.size(); ++i) {
        INFO("setting " << i);
        CHECK(master::fingerprint(changed[i]) != print);
    }
    // The renderer's lossy settings differ from the defaults, so their pieces
    // never share a key with audio mastered for a lossless file.
    CHECK(master::fingerprint(master::for_output({}, true).limiter) != print);
}
