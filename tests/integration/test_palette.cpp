// The shipped palette measured as a listener hears it (measure/palette.hpp):
// same-sex voices at least 1.5 semitones apart in median pitch, every rate
// within 8% of the cast file's, no voice clipping in espeak's own output.
// Fails when a cast.toml edit brings two voices too close or a rate drifts.
#include <catch2/catch.hpp>

#include <cmath>
#include <thread>

#include "cast/cast.hpp"
#include "measure/measure.hpp"
#include "measure/palette.hpp"
#include "synth/synth.hpp"

using namespace turncast;

namespace {

synth::Engine& engine() {
    static synth::Engine e;
    return e;
}

int jobs() { return std::max(1, int(std::thread::hardware_concurrency())); }

}  // namespace

TEST_CASE("palette: voices apart, rates true, nothing clipped", "[espeak][palette]") {
    const auto cfg = cast::load_cast(cast::default_cast_path());
    std::vector<Voice> voices;
    for (const auto& v : cfg.palette)
        if (std::find(cfg.derived.begin(), cfg.derived.end(), v.id) == cfg.derived.end()) voices.push_back(v);
    REQUIRE(voices.size() >= 8);
    const auto figures = measure::measure_voices(engine(), voices, jobs());
    for (std::size_t i = 0; i < voices.size(); ++i) {
        const auto& f = figures[i];
        INFO(f.id << ": " << f.median_hz << " Hz, " << f.wpm << " wpm (set " << voices[i].rate << "), " << f.clipped
                  << " clipped");
        CHECK(f.median_hz > 60);
        CHECK(std::fabs(f.wpm - voices[i].rate) <= 0.08 * voices[i].rate);
        CHECK(f.clipped == 0);
    }
    const auto close = measure::close_pairs(voices, figures, 1.5);
    for (const auto& c : close) UNSCOPED_INFO(c.a << " and " << c.b << ": " << c.semitones << " semitones");
    CHECK(close.empty());
}

TEST_CASE("palette: no derived voice clips", "[espeak][palette]") {
    const auto cfg = cast::load_cast(cast::default_cast_path());
    std::vector<synth::Request> requests;
    for (const auto& id : cfg.derived)
        requests.push_back({"Absolutely, and we will not accept that!", *cfg.voice(id), "derived " + id});
    REQUIRE(requests.size() >= 100);
    std::vector<std::string> clipping;
    engine().synthesize(requests, jobs(), [&](std::size_t i, synth::Speech s) {
        if (measure::clipped(s.pcm) > 0) clipping.push_back(requests[i].voice.id);
    });
    for (const auto& id : clipping) UNSCOPED_INFO(id << " clips");
    CHECK(clipping.empty());
}

TEST_CASE("measure: the figures themselves", "[palette]") {
    // A 200 Hz sine for one second: pitch 200, no clipping; a full-scale square clips.
    std::vector<std::int16_t> sine(synth::kSampleRate);
    for (std::size_t k = 0; k < sine.size(); ++k)
        sine[k] = std::int16_t(12000 * std::sin(2 * M_PI * 200.0 * double(k) / synth::kSampleRate));
    const auto track = measure::pitch_track(sine, synth::kSampleRate);
    CHECK(measure::median_pitch(track) == Approx(200).margin(3));
    CHECK(measure::clipped(sine) == 0);
    std::vector<std::int16_t> square(1000);
    for (std::size_t k = 0; k < square.size(); ++k) square[k] = k % 20 < 10 ? 32767 : -32768;
    CHECK(measure::clipped(square) == 1000);
    CHECK(measure::semitones(100, 200) == Approx(12));
    // A glide up an octave over 0.5 s ends rising at ~24 semitones a second.
    std::vector<std::int16_t> glide(synth::kSampleRate / 2);
    double phase = 0;
    for (std::size_t k = 0; k < glide.size(); ++k) {
        const double f = 150.0 * std::pow(2.0, double(k) / double(glide.size()));
        phase += 2 * M_PI * f / synth::kSampleRate;
        glide[k] = std::int16_t(12000 * std::sin(phase));
    }
    CHECK(measure::end_slope(measure::pitch_track(glide, synth::kSampleRate), 0.5) == Approx(24).margin(4));
    // Silence around a tone: 0.2 s each side.
    std::vector<std::int16_t> padded(std::size_t(synth::kSampleRate * 0.2), 0);
    padded.insert(padded.end(), sine.begin(), sine.end());
    padded.insert(padded.end(), std::size_t(synth::kSampleRate * 0.2), 0);
    CHECK(double(measure::leading_silence(padded, synth::kSampleRate)) / synth::kSampleRate == Approx(0.2).margin(0.011));
    CHECK(double(measure::trailing_silence(padded, synth::kSampleRate)) / synth::kSampleRate == Approx(0.2).margin(0.011));
    CHECK(measure::words_per_minute(padded, synth::kSampleRate, 3) == Approx(180).margin(4));
}
