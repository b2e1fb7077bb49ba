// Where everything goes: each segment's speech on the timeline, its pause
// before it exactly as the cast file sets it, and, per codec, the pieces that
// play it.
//
// A segment's speech is encoded once per codec as a piece that knows nothing
// of its place: kMinLead (20 ms) of silence, the speech, then silence up to
// the codec's unit (a 20 ms Opus frame, a 42.7 ms AAC frame, a 24 ms MP3
// frame). Between two speech pieces sits a piece of silence sized so that the
// next speech starts within half a unit of its place on the timeline (Opus
// ±10 ms, AAC ±21 ms, MP3 ±12 ms),
// each file on its own; so a one-word correction encodes one speech piece
// again, and the silences after it (a handful of lengths, encoded in
// milliseconds) move, and every pause is heard as set:
//
//   auto layout = turncast::render::lay_out(script, coded_lengths);
//   layout.starts[i];                 // timeline sample where segment i's speech starts
//   layout.pieces[Codec::Aac];        // speech and silence pieces, in order
//
// Chapter marks are timeline positions, the same in every file: in the pause
// before the chapter's first words, at most half a second before them.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "core/model.hpp"
#include "core/timeline.hpp"
#include "encode/encode.hpp"

namespace turncast::render {

struct LaidPiece {
    static constexpr std::size_t kSilence = std::size_t(-1);
    std::size_t segment = kSilence;  // the speech of this segment, or silence
    std::int64_t span = 0;           // timeline samples
};

struct Layout {
    std::vector<std::int64_t> starts;          // timeline sample of each segment's first speech sample
    std::vector<std::int64_t> ends;            // one past its last (starts + coded length)
    std::vector<std::int64_t> chapter_starts;  // parallel to Script::chapters
    std::int64_t total = 0;                    // the audio's length: the shorter file's
    std::map<encode::Codec, std::vector<LaidPiece>> pieces;
};

// A pause in timeline samples: exactly pause_ms (at least 0).
std::int64_t pause_samples(int pause_ms);

// The silence a speech piece starts with (encode::kMinLead: its first Opus
// frame is silent, so it decodes the same alone and joined).
constexpr std::int64_t kSpeechLead = encode::kMinLead;
// Silence after the last words.
constexpr std::int64_t kEndSilence = 24000;  // 500 ms

// The span of segment i's speech piece in `codec`, for `coded` timeline
// samples of speech.
std::int64_t speech_span(encode::Codec codec, std::int64_t coded);

// A segment's speech as the layout needs it: its length and its events
// (positions at synth::kSampleRate within the speech).
struct SegmentSpeech {
    std::int64_t samples = 0;
    std::vector<TimedSpan> words, sentences;
};

// Timeline samples a segment's speech occupies in the encoded pieces: its
// encoder input (24 kHz) counted at 48 kHz (its 48 kHz length, or one more).
std::int64_t coded_length(std::int64_t samples22050);
std::vector<std::int64_t> coded_lengths(const std::vector<SegmentSpeech>& speech);

// Lays out the script's segments, given each one's speech length in timeline
// samples as the encoders get it (coded_length). Speech starts at its pause
// after the previous speech's end, or later where a piece cannot be that
// short (pauses under ~130 ms); every codec is laid out whatever the formats,
// so the timeline never depends on them.
Layout lay_out(const Script& script, const std::vector<std::int64_t>& coded);

// Each segment's words and sentences at their places in the layout, the
// chapter marks and the length: what every sidecar reads.
Timeline place_speech(const Script& script, const std::vector<SegmentSpeech>& speech, const Layout& layout);

}  // namespace turncast::render
