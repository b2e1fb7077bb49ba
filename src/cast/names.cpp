// The names of a transcript: its capitalised words and acronyms that neither
// the lexicon nor the reading rules rewrite, with how often and where they
// first occur. `turncast plan --unknown-words` asks espeak which of them it
// would guess from their spelling.
#include <algorithm>
#include <sstream>
#include <map>
#include <set>

#include "cast/cast.hpp"
#include "cast/text.hpp"
#include "core/error.hpp"
#include "core/read.hpp"

namespace turncast::cast {

namespace {

bool upper_start(std::string_view w) {
    const std::uint32_t cp = text::code_point(w, 0);
    if (cp < 0x80) return cp >= 'A' && cp <= 'Z';
    // Latin-1 and Latin Extended-A capitals ("Ólafur", "Łukasz"), Cyrillic and Greek capitals.
    return (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) || (cp >= 0x100 && cp <= 0x17F && cp % 2 == 0) ||
           (cp >= 0x410 && cp <= 0x42F) || (cp >= 0x391 && cp <= 0x3A9);
}

std::size_t capitals(std::string_view w) {
    return std::size_t(std::count_if(w.begin(), w.end(), [](char c) { return c >= 'A' && c <= 'Z'; }));
}

}  // namespace

std::unordered_set<std::string> load_ordinary_words(const std::string& path) {
    std::unordered_set<std::string> out;
    std::istringstream in;
    try {
        in.str(read_file(path, kMaxConfigBytes, "word list"));
    } catch (const Error&) {
        return out;  // no word list: every capitalised word is a candidate
    }
    std::string w;
    while (std::getline(in, w))
        if (!w.empty() && std::all_of(w.begin(), w.end(), [](char c) { return c >= 'a' && c <= 'z'; })) out.insert(w);
    return out;
}

std::vector<NameUse> transcript_names(const Document& doc, const Lexicon& lex,
                                      const std::unordered_set<std::string>& ordinary) {
    struct Seen {
        NameUse use;
        bool inside = false;  // seen other than at a sentence's start
        std::size_t order = 0;
    };
    std::map<std::string, Seen> seen;
    std::set<std::string> lower_words;  // written in lower case somewhere: ordinary words
    auto scan = [&](std::string_view t, int line, bool label) {
        bool sentence_start = true;
        for (std::size_t i = 0; i < t.size();) {
            if (!text::is_word_at(t, i)) {
                const char c = t[i];
                if (c == '.' || c == '!' || c == '?' || c == ':' || c == '"') sentence_start = true;
                i += text::char_len(t, i);
                continue;
            }
            std::size_t e = i;
            while (e < t.size() && text::is_word_at(t, e)) e += text::char_len(t, e);
            const std::string_view w = t.substr(i, e - i);
            const bool first = sentence_start;
            sentence_start = false;
            i = e;
            if (!upper_start(w)) {
                lower_words.insert(std::string(w));
                continue;
            }
            if (w.size() < 2 || std::all_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
            auto [it, fresh] = seen.try_emplace(std::string(w));
            Seen& s = it->second;
            if (fresh) {
                s.use.word = std::string(w);
                s.use.line = line;
                s.order = seen.size();
            }
            ++s.use.count;
            s.inside = s.inside || !first || label || capitals(w) >= 2;
        }
    };
    for (const auto& p : doc.paragraphs) {
        if (!p.label.empty()) scan(p.label, p.pos.line, true);
        if (!p.stage_direction) scan(p.text, p.pos.line, false);
    }
    std::vector<NameUse> out;
    for (auto& [w, s] : seen) {
        if (!s.inside || lower_words.count(text::lower(w))) continue;
        if (capitals(w) < 2 && ordinary.count(text::lower(w))) continue;  // "House", "Forum"
        if (w.size() > 2 && w.compare(w.size() - 2, 2, "'s") == 0) continue;
        // What the lexicon or a reading rule rewrites is known.
        if (lex.apply(w) != w) continue;
        out.push_back(s.use);
    }
    std::stable_sort(out.begin(), out.end(), [](const NameUse& a, const NameUse& b) {
        if (a.count != b.count) return a.count > b.count;
        return a.line < b.line;
    });
    return out;
}

}  // namespace turncast::cast
