// A palette voice measured as a listener hears it: a fixed news passage and a
// question spoken in the voice through libespeak-ng, then listen-by-numbers
// (measure.hpp). `turncast voices --measure` prints these; the palette test
// holds the shipped voices to them.
#pragma once

#include <string>
#include <vector>

#include "core/model.hpp"
#include "synth/synth.hpp"

namespace turncast::measure {

struct VoiceFigures {
    std::string id;
    double median_hz = 0;       // median pitch of the passage
    double wpm = 0;             // words a minute, first sound to last
    std::size_t clipped = 0;    // full-scale samples in espeak's own output
    double question_slope = 0;  // semitones a second over a question's last 500 ms
    double statement_slope = 0; // the same for a statement
};

// The passage's words (for the rate) and texts; fixed so figures compare run to run.
extern const char* const kPassage;
int passage_words();
extern const char* const kQuestion;
extern const char* const kStatement;

// Measures every voice; synthesis runs `jobs` at a time.
std::vector<VoiceFigures> measure_voices(synth::Engine& engine, const std::vector<Voice>& voices, int jobs);

// Same-sex pairs whose median pitches are closer than `semitones`.
struct ClosePair {
    std::string a, b;
    double semitones = 0;
};
std::vector<ClosePair> close_pairs(const std::vector<Voice>& voices, const std::vector<VoiceFigures>& figures,
                                   double semitones);

}  // namespace turncast::measure
