// Shared helpers for the parser and segmenter unit tests.
#pragma once

#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>

#include "core/model.hpp"
#include "parse/parse.hpp"
#include "parse/text.hpp"
#include "segment/segment.hpp"

namespace turncast::test {

inline const parse::Rules& rules() {
    static const parse::Rules r = parse::load_rules(TURNCAST_SOURCE_DIR "/voices/rules.toml");
    return r;
}

inline std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot open fixture " + path);
    std::ostringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

inline std::string fixture(const std::string& name) {
    return slurp(std::string(TURNCAST_FIXTURES) + "/transcripts/" + name);
}

inline Document parse_fixture(const std::string& name) {
    return parse::parse_transcript(fixture(name), name, rules());
}

inline Document parse_text(const std::string& text) {
    return parse::parse_transcript(text, "test.txt", rules());
}

// Words of the input (after hygiene) that are in no paragraph text, label,
// qualifier or dropped entry — counted, so a word said twice must arrive twice.
inline std::map<std::string, int> lost_words(const std::string& bytes, const Document& doc) {
    std::map<std::string, int> count;
    for (const auto& line : parse::text::clean_lines(bytes, "x"))
        for (auto& t : parse::text::tokens(line.text)) ++count[t];
    auto take = [&](const std::string& s) {
        for (auto& t : parse::text::tokens(s)) --count[t];
    };
    for (const auto& p : doc.paragraphs) { take(p.text); take(p.label); take(p.qualifier); }
    for (const auto& d : doc.dropped) take(d.text);
    std::map<std::string, int> lost;
    for (const auto& [w, n] : count)
        if (n > 0) lost[w] = n;
    return lost;
}

inline std::string all_text(const Document& doc) {
    std::string s;
    for (const auto& p : doc.paragraphs) s += p.text + "\n";
    return s;
}

inline bool dropped_with(const Document& doc, const std::string& text_part, const std::string& reason_part) {
    for (const auto& d : doc.dropped)
        if (d.text.find(text_part) != std::string::npos && d.reason.find(reason_part) != std::string::npos)
            return true;
    return false;
}

}  // namespace turncast::test
