// Small text helpers shared by the sidecar writers (internal to src/sidecar).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.hpp"
#include "core/timeline.hpp"

namespace turncast::sidecar {

inline bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Whitespace runs become one space; no space at either end.
std::string collapse_spaces(std::string_view text);

// Characters (UTF-8 code points) of collapse_spaces(text): what a reader sees.
std::size_t display_length(std::string_view text);

std::string join(const std::vector<std::string>& parts, const std::string& separator);

// WebVTT cue text and voice names: &, <, >.
std::string escape_vtt(std::string_view text);
// HTML text and attribute values; XML text and attribute values: & < > " '.
std::string escape_xml(std::string_view text);

// Seconds with millisecond precision, as JSON numbers and data attributes
// carry them: to_ms(samples) / 1000.
double seconds_ms(std::int64_t samples);
std::string seconds_text(std::int64_t samples);  // "12.345"

// A sentence as the transcript shows it: whitespace collapsed, times clamped
// so that sentences never overlap and never outlast the audio.
struct TimedSentence {
    std::size_t segment = 0;
    std::int64_t start = 0, end = 0;  // samples
    std::string body;
};
std::vector<TimedSentence> timed_sentences(const Script& script, const Timeline& timeline);

// Throws Error(Internal) unless the timeline is parallel to the script.
void check_timeline(const Script& script, const Timeline& timeline);

}  // namespace turncast::sidecar
