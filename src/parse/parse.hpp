// Transcript text → Document: metadata, body paragraphs (with their speaker
// labels split off), and what was dropped as clutter.
//
//   auto rules = turncast::parse::load_rules(turncast::parse::default_rules_path());
//   auto doc   = turncast::parse::parse_transcript(bytes, "talk.txt", rules);
//
// Pure: parse_transcript does no I/O. The rules are data (voices/rules.toml):
// clutter patterns, role words ("Question", "Q", "Remark"), tail markers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/model.hpp"

namespace turncast::parse {

struct Rules {
    // Labels that name a role rather than a person: "Question", "Q", "Remark".
    std::vector<std::string> question_labels;
    std::vector<std::string> remark_labels;
    // ECMAScript regexes matched against a whole trimmed line: the line is
    // dropped as clutter with the rule's reason.
    struct LinePattern { std::string regex; std::string reason; };
    std::vector<LinePattern> clutter_lines;
    // A line equal to one of these ends the body: it and everything after it is
    // page furniture ("Additional materials", "Advanced settings", ...).
    std::vector<std::string> tail_markers;
    // Parenthesised/bracketed stage directions: "(Laughter.)", "(APPLAUSE)".
    std::vector<std::string> stage_direction_words;
};

// Rules as built into the binary's data folder (voices/rules.toml).
std::string default_rules_path();
// Reads a rules file; throws ConfigError naming file, line and key.
Rules load_rules(const std::string& path);

// Throws InputError (file, line, byte, what to do) for input that cannot be a
// transcript: not UTF-8, UTF-16, binary, empty, no text.
Document parse_transcript(std::string_view bytes, const std::string& filename, const Rules& rules);

}  // namespace turncast::parse
