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

    // Added by the parser (all optional in the rules file):
    std::vector<std::string> moderator_labels;   // "Moderator", "Host"
    std::vector<std::string> label_connectors;   // lower-case words allowed in a person's label: "of", "the"
    std::vector<std::string> honorifics;         // "Mr", "Ms": ignored when matching names
    std::vector<std::string> qualifier_words;    // "(As interpreted.)" right after a label → qualifier
    std::vector<std::string> place_lines;        // regexes: header lines naming the place ("Aboard ...")
    std::vector<std::string> follow_up_openers;  // "following up": a question that continues the last one
    std::vector<std::string> clarifications;     // "say it again": a short answer asking to repeat
    std::vector<std::string> non_labels;         // "Note", "Update": look like labels, are text
    std::vector<std::string> non_label_openers;  // "And", "For": a label never starts with these
    std::vector<std::string> floor_phrases;      // "go ahead", "next question": giving someone the floor
    std::vector<std::string> floor_words;        // "Yeah.": an answer's last paragraph that points at the next asker
    std::vector<std::string> greetings;          // "thanks", "good afternoon": a new asker's first words
    std::vector<std::string> continuations;      // "and", "one more": a question that goes on from the last
    std::vector<std::string> resumptions;        // "and, sorry, one more": the asker takes back an unnamed floor
    std::vector<std::string> header_fields;      // "Title", "Date", "Text Length": "Key: value" lines before the first label
    std::vector<std::string> header_notices;     // "FULL TRANSCRIPT", "BEGIN TRANSCRIPT": a whole line before the first label
    std::vector<std::string> inline_notes;       // "ph", "sic": "(ph)" / "[sic]" removed from the words, no pause
    int max_label_words = 12;                    // longer "labels" are text
    int max_label_chars = 80;
    int follow_up_max_words = 60;                // a follow-up question is at most this long
    int short_answer_words = 12;                 // "Once again, louder please." (a clarification this short)
};

// Rules as built into the binary's data folder (voices/rules.toml).
std::string default_rules_path();
// Reads a rules file; throws ConfigError naming file, line and key.
Rules load_rules(const std::string& path);

// Throws InputError (file, line, byte, what to do) for input that cannot be a
// transcript: not UTF-8, UTF-16, binary, empty, no text. Linear in the input:
// user regexes (clutter_lines, place_lines) only see lines of at most 300
// characters, so a 1 MB line cannot blow std::regex's stack.
Document parse_transcript(std::string_view bytes, const std::string& filename, const Rules& rules);

// A file-name-safe form of any text: ASCII lowercase letters, digits and
// single hyphens, any script transliterated by ICU ("Пресс-конференция" →
// "press-konferencia"), at most kMaxSlug characters (a longer one ends in a
// hash of the whole), never empty, never "." or "..", no slashes.
//   slugify("Sergey Lavrov's remarks") == "sergey-lavrovs-remarks"
constexpr std::size_t kMaxSlug = 80;
std::string slugify(std::string_view text);

}  // namespace turncast::parse
