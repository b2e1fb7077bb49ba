#include "measure/palette.hpp"

#include <cmath>

#include "measure/measure.hpp"

namespace turncast::measure {

const char* const kPassage =
    "The minister said the talks had gone well, and that both sides would meet again next month to "
    "discuss trade, energy and the security of the region. Officials expect a joint statement by the "
    "end of the week, although several questions remain open.";
const char* const kQuestion = "Will the talks continue next month?";
const char* const kStatement = "The talks will continue next month.";

int passage_words() {
    int n = 0;
    bool in = false;
    for (const char* c = kPassage; *c; ++c) {
        const bool space = *c == ' ';
        n += !space && !in;
        in = !space;
    }
    return n;
}

std::vector<VoiceFigures> measure_voices(synth::Engine& engine, const std::vector<Voice>& voices, int jobs) {
    std::vector<synth::Request> requests;
    for (const auto& v : voices)
        for (const char* text : {kPassage, kQuestion, kStatement}) requests.push_back({text, v, "measure " + v.id});
    std::vector<synth::Speech> speech(requests.size());
    engine.synthesize(requests, jobs, [&](std::size_t i, synth::Speech s) { speech[i] = std::move(s); });
    std::vector<VoiceFigures> out;
    for (std::size_t k = 0; k < voices.size(); ++k) {
        const auto& passage = speech[3 * k].pcm;
        VoiceFigures f;
        f.id = voices[k].id;
        f.median_hz = median_pitch(pitch_track(passage, synth::kSampleRate));
        f.wpm = words_per_minute(passage, synth::kSampleRate, passage_words());
        f.clipped = clipped(passage) + clipped(speech[3 * k + 1].pcm) + clipped(speech[3 * k + 2].pcm);
        f.question_slope = end_slope(pitch_track(speech[3 * k + 1].pcm, synth::kSampleRate), 0.5);
        f.statement_slope = end_slope(pitch_track(speech[3 * k + 2].pcm, synth::kSampleRate), 0.5);
        out.push_back(f);
    }
    return out;
}

std::vector<ClosePair> close_pairs(const std::vector<Voice>& voices, const std::vector<VoiceFigures>& figures,
                                   double limit) {
    std::vector<ClosePair> out;
    for (std::size_t i = 0; i < voices.size(); ++i)
        for (std::size_t j = i + 1; j < voices.size(); ++j) {
            if (voices[i].sex != voices[j].sex) continue;
            const double d = std::fabs(semitones(figures[i].median_hz, figures[j].median_hz));
            if (d < limit) out.push_back({voices[i].id, voices[j].id, d});
        }
    return out;
}

}  // namespace turncast::measure
