// The shipped palette measured as a listener hears it (measure/palette.hpp):
// same-sex voices at least 1.5 semitones apart in median pitch, every rate
// within 8% of the cast file's, no voice clipping in espeak's own output,
// every voice's questions ending rising and its statements falling.
// Fails when a cast.toml edit brings two voices too close or a rate drifts.
#include <catch2/catch.hpp>

#include <cmath>
#include <thread>

#include "cast/cast.hpp"
#include "measure/measure.hpp"
#include "measure/palette.hpp"
#include "synth/synth.hpp"
#include "synth/voice_file.hpp"

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
    for (const auto& f : figures) {
        INFO(f.id << ": a question ends at " << f.question_slope << ", a statement at " << f.statement_slope
                  << " semitones a second");
        CHECK(f.question_slope > 2.0);
        CHECK(f.statement_slope < -2.0);
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

TEST_CASE("palette: every derived voice's questions rise and its statements fall", "[espeak][palette]") {
    const auto cfg = cast::load_cast(cast::default_cast_path());
    std::vector<synth::Request> requests;
    for (const auto& id : cfg.derived)
        for (const char* text : {measure::kQuestion, measure::kStatement}) requests.push_back({text, *cfg.voice(id), id});
    REQUIRE(requests.size() >= 200);
    std::vector<double> slope(requests.size());
    engine().synthesize(requests, jobs(), [&](std::size_t i, synth::Speech s) {
        slope[i] = measure::end_slope(measure::pitch_track(s.pcm, synth::kSampleRate), 0.5);
    });
    for (std::size_t i = 0; i < requests.size(); i += 2) {
        INFO(requests[i].voice.id << ": a question ends at " << slope[i] << ", a statement at " << slope[i + 1]
                                  << " semitones a second");
        CHECK(slope[i] > 2.0);
        CHECK(slope[i + 1] < -2.0);
    }
}

TEST_CASE("question tune: statements as espeak speaks them, questions rising", "[espeak][palette]") {
    const auto cfg = cast::load_cast(cast::default_cast_path());
    // Voices whose files set no `intonation` (voice_file.hpp): loading the
    // merged file in memory must not change one sample of a statement.
    std::vector<synth::Request> requests;
    for (const auto& v : cfg.palette) {
        if (v.espeak_voice == "en-gb-x-gbcwmd" || v.variant == "m5") continue;
        Voice own = v;
        own.question_tune = "espeak";
        for (const Voice& voice : {v, own}) {
            requests.push_back({"The talks will continue next month, although several questions remain open.",
                                voice, voice.id});
            requests.push_back({"Will the talks continue next month?", voice, voice.id});
        }
        if (requests.size() >= 40) break;
    }
    REQUIRE(requests.size() >= 40);
    std::vector<synth::Speech> speech(requests.size());
    engine().synthesize(requests, jobs(), [&](std::size_t i, synth::Speech s) { speech[i] = std::move(s); });
    for (std::size_t k = 0; k < requests.size(); k += 4) {
        INFO(requests[k].voice.id << " (" << requests[k].voice.espeak_voice << "+" << requests[k].voice.variant << ")");
        CHECK(speech[k].pcm == speech[k + 2].pcm);
        CHECK(speech[k + 1].pcm != speech[k + 3].pcm);
        const double tuned = measure::end_slope(measure::pitch_track(speech[k + 1].pcm, synth::kSampleRate), 0.5);
        const double own = measure::end_slope(measure::pitch_track(speech[k + 3].pcm, synth::kSampleRate), 0.5);
        CHECK(tuned > 2.0);
        CHECK(tuned > own + 3.0);
    }
}

TEST_CASE("question tune: the voice file and its variant in one", "[palette]") {
    const std::string voice = "name English\nlanguage en-us 2\n\nphonemes en-us\ntunes s1 c1 q1 e1\n";
    const std::string variant = "language variant\nname male5\ngender male\nformant 0 100 85 130\nintonation 2\n";
    CHECK(synth::with_question_tune(voice, variant, "q2") ==
          "name English\nlanguage en-us 2\n\nphonemes en-us\ntunes s1 c1 q2 e1\n"
          "gender male\nformant 0 100 85 130\n");
    // No `tunes` line: espeak's English ones, with the question tune given.
    CHECK(synth::with_question_tune("name X\nlanguage en\n", "", "q5") ==
          "name X\nlanguage en\ntunes s1 c1 q5 e1\n");
    // An `intonation` line would override the tunes for every clause: dropped.
    CHECK(synth::with_question_tune("name W\nintonation 4\nstressAdd 0 0\n", "", "q2") ==
          "name W\nstressAdd 0 0\ntunes s1 c1 q2 e1\n");
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
