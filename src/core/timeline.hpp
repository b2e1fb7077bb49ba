// Where everything landed in the rendered audio, in exact samples at 48 kHz.
// Built by the renderer from the synthesised segments; read by every sidecar
// writer (captions, chapters.json, transcript, web player) and by tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/model.hpp"

namespace turncast {

constexpr int kTimelineRate = 48000;

struct TimedSpan {
    std::int64_t start = 0;       // samples from the start of the audio
    std::int64_t end = 0;
    std::uint32_t text_pos = 0;   // byte offset into Segment::caption_text()
    std::uint32_t length = 0;     // bytes
};

struct TimedSegment {
    std::int64_t piece_start = 0;   // where this segment's piece begins (pause first)
    std::int64_t speech_start = 0;  // first sample of speech
    std::int64_t speech_end = 0;    // one past the last sample of speech
    std::vector<TimedSpan> words;
    std::vector<TimedSpan> sentences;  // each runs to the next sentence or speech_end
};

struct Timeline {
    std::int64_t total = 0;                 // samples in the audio
    std::vector<TimedSegment> segments;     // parallel to Script::segments
    std::vector<std::int64_t> chapter_starts;  // parallel to Script::chapters
};

inline double seconds(std::int64_t samples) { return double(samples) / kTimelineRate; }

}  // namespace turncast
