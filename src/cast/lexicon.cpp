// voices/lexicon.tsv → Lexicon, and the whole-word rewrite applied to every
// segment just before synthesis.
//
// Why the markup rules matter: the synthesiser enables espeak's phoneme input
// (espeakPHONEMES) so that lexicon entries may be written as "[[l@vr'0f]]".
// With that flag, a "[[" in the transcript would switch espeak into phoneme
// mode, so transcript text is made inert (neutralise_markup) before the lexicon
// inserts the only brackets espeak will ever see.
#include <algorithm>
#include <cctype>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "cast/cast.hpp"
#include "cast/text.hpp"
#include "core/error.hpp"
#include "core/read.hpp"

namespace turncast::cast {

namespace {

bool has_upper(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

bool equal_at(std::string_view text, std::size_t pos, const LexiconEntry& e) {
    if (text.size() - pos < e.word.size()) return false;
    for (std::size_t k = 0; k < e.word.size(); ++k) {
        char a = text[pos + k], b = e.word[k];
        if (a == b) continue;
        if (e.case_sensitive) return false;
        if (std::tolower(static_cast<unsigned char>(a)) != std::tolower(static_cast<unsigned char>(b)))
            return false;
    }
    return true;
}

bool is_phonemes(std::string_view r) {
    return r.size() >= 4 && r.substr(0, 2) == "[[" && r.substr(r.size() - 2) == "]]";
}

// The possessive ending for a phoneme entry ("Lavrov's"): espeak would spell a
// bare "'s" after a phoneme block, so the ending goes inside the brackets.
std::string possessive_phonemes(std::string_view phonemes) {
    // phonemes: "[[...]]"; find the last letter-like phoneme character.
    std::string_view body = phonemes.substr(2, phonemes.size() - 4);
    char last = 0;
    for (auto it = body.rbegin(); it != body.rend(); ++it)
        if (std::isalnum(static_cast<unsigned char>(*it)) || *it == '@') {
            last = *it;
            break;
        }
    std::string end = std::string("ptkfT").find(last) != std::string::npos ? "s"
                      : std::string("szSZ").find(last) != std::string::npos ? "I2z"
                                                                            : "z";
    return "[[" + std::string(body) + end + "]]";
}

// Length in bytes of "'s" / "’s" at pos followed by a word boundary, else 0.
std::size_t possessive_at(std::string_view text, std::size_t pos) {
    std::size_t len = 0;
    if (text.substr(pos, 2) == "'s") len = 2;
    else if (text.substr(pos, 4) == "\xE2\x80\x99s") len = 4;
    if (len == 0) return 0;
    if (pos + len < text.size() && text::is_word_at(text, pos + len)) return 0;
    return len;
}

void validate_replacement(const std::string& path, int line, const std::string& word,
                          const std::string& r) {
    auto bad = [&](const std::string& what) {
        throw ConfigError(path, fmt::format("line {}: entry '{}': {}", line, word, what),
                          "write a respelling (\"lav-ROFF\") or espeak phonemes in [[...]], "
                          "checked with `espeak-ng -x`");
    };
    if (r.size() > kMaxReplacementBytes)
        bad(fmt::format("the replacement is {} bytes; at most {}", r.size(), kMaxReplacementBytes));
    const bool has_brackets = r.find_first_of("[]") != std::string::npos;
    if (r.find_first_of("<>") != std::string::npos) bad("'<' and '>' are not allowed in a replacement");
    if (!has_brackets) return;
    if (!is_phonemes(r)) bad("phonemes must be written as one [[...]] block: '" + r + "'");
    std::string_view body = std::string_view(r).substr(2, r.size() - 4);
    if (body.find_first_not_of(" \t") == std::string_view::npos) bad("the [[...]] block is empty");
    if (body.find_first_of("[]") != std::string_view::npos) bad("unbalanced or nested brackets in '" + r + "'");
    for (char c : body)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7F)
            bad("espeak phoneme mnemonics are ASCII; '" + r + "' is not");
}

}  // namespace

std::string neutralise_markup(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (char c : in) {
        unsigned char u = static_cast<unsigned char>(c);
        if (c == '[') out += '(';
        else if (c == ']') out += ')';
        else if (c == '<' || c == '>') out += ' ';
        // Control bytes (espeak's embedded-command marker is 0x01) become spaces.
        else if (u < 0x20 || u == 0x7F) out += ' ';
        else out += c;
    }
    return out;
}

// The entries by their first word, lower-cased: at a word of the text only
// the entries starting with that word are tried (linear in the text, however
// long the lexicon). Each list: longest first so "Mamayev Kurgan" beats
// "Mamayev"; on a tie a case-sensitive entry ("US") beats "us".
struct Lexicon::Index {
    const LexiconEntry* data = nullptr;  // the entries it was built for
    std::size_t built_for = 0;
    std::unordered_map<std::string, std::vector<const LexiconEntry*>> by_first;
};

namespace {

std::string first_word_key(std::string_view s, std::size_t pos) {
    std::size_t end = pos;
    while (end < s.size() && text::is_word_at(s, end)) end += text::char_len(s, end);
    return text::lower(s.substr(pos, end - pos));
}

}  // namespace

const Lexicon::Index& Lexicon::index() const {
    std::lock_guard<std::mutex> lock(index_mutex_);
    if (!index_ || index_->built_for != entries.size() || index_->data != entries.data()) {
        auto idx = std::make_shared<Index>();
        idx->data = entries.data();
        idx->built_for = entries.size();
        for (const auto& e : entries) idx->by_first[first_word_key(e.word, 0)].push_back(&e);
        for (auto& [k, list] : idx->by_first)
            std::stable_sort(list.begin(), list.end(), [](const LexiconEntry* a, const LexiconEntry* b) {
                if (a->word.size() != b->word.size()) return a->word.size() > b->word.size();
                return a->case_sensitive && !b->case_sensitive;
            });
        index_ = std::move(idx);
    }
    return *index_;
}

std::string Lexicon::apply(std::string_view text, std::vector<TextAnchor>* anchors) const {
    if (entries.empty() && !readings) return std::string(text);
    const Index& idx = index();

    // Text written in capitals ("THANK YOU.") has no acronyms to spell.
    std::size_t upper = 0, lower = 0;
    for (char c : text) upper += c >= 'A' && c <= 'Z', lower += c >= 'a' && c <= 'z';
    const bool capitals = upper >= 12 && upper > lower;

    std::string out;
    out.reserve(text.size() + 16);
    // A reading rule's rewrite at i ("$45 billion" → "45 billion dollars").
    auto take = [&](std::size_t& i, const ReadingMatch& m) {
        if (anchors) anchors->push_back({std::uint32_t(out.size()), std::uint32_t(i), true});
        out += m.said;
        i += m.length;
        if (anchors) anchors->push_back({std::uint32_t(out.size()), std::uint32_t(i), false});
    };
    std::size_t i = 0;
    while (i < text.size()) {
        std::optional<ReadingMatch> reading;
        if (readings && (i == 0 || !text::is_word_before(text, i))) reading = read_at(*readings, text, i, capitals);
        if (reading && reading->before_lexicon) {
            take(i, *reading);
            continue;
        }
        if (!text::is_word_at(text, i) || (i > 0 && text::is_word_before(text, i))) {
            if (reading) take(i, *reading);
            else out += text[i++];
            continue;
        }
        // i starts a word.
        bool matched = false;
        static const std::vector<const LexiconEntry*> kNone;
        const auto found = idx.by_first.find(first_word_key(text, i));
        for (const LexiconEntry* e : found == idx.by_first.end() ? kNone : found->second) {
            if (!equal_at(text, i, *e)) continue;
            std::size_t end = i + e->word.size();
            if (end < text.size() && text::is_word_at(text, end)) continue;
            // espeak reads "[[" as phoneme input only after white space: glued
            // to a bracket or a quote ("(CSTO)") the whole block is silently
            // dropped, so it gets a space of its own.
            if (is_phonemes(e->replacement) && !out.empty() &&
                !std::isspace(static_cast<unsigned char>(out.back())))
                out += ' ';
            if (anchors) anchors->push_back({std::uint32_t(out.size()), std::uint32_t(i), true});
            if (std::size_t poss = is_phonemes(e->replacement) ? possessive_at(text, end) : 0) {
                out += possessive_phonemes(e->replacement);
                end += poss;
            } else {
                out += e->replacement;
            }
            i = end;
            if (anchors) anchors->push_back({std::uint32_t(out.size()), std::uint32_t(i), false});
            matched = true;
            break;
        }
        if (!matched && reading) {
            take(i, *reading);
        } else if (!matched) {
            std::size_t end = i;
            while (end < text.size() && text::is_word_at(text, end)) end += text::char_len(text, end);
            out.append(text.substr(i, end - i));
            i = end;
        }
    }
    return out;
}

Lexicon load_lexicon(const std::string& path) {
    std::istringstream in(read_file(path, kMaxConfigBytes, "lexicon"));
    Lexicon lex;
    std::map<std::pair<std::string, bool>, int> seen;
    std::string raw;
    int line = 0;
    while (std::getline(in, raw)) {
        ++line;
        if (!raw.empty() && raw.back() == '\r') raw.pop_back();
        if (line == 1 && raw.rfind("\xEF\xBB\xBF", 0) == 0) raw.erase(0, 3);
        const std::string trimmed = text::trim(raw);
        if (trimmed.empty() || trimmed[0] == '#') continue;
        const auto tab = raw.find('\t');
        if (tab == std::string::npos)
            throw ConfigError(path, fmt::format("line {}: expected 'word<TAB>replacement', found no tab", line),
                              "separate the word and its pronunciation with one tab character");
        LexiconEntry e;
        e.word = text::trim(raw.substr(0, tab));
        e.replacement = text::trim(raw.substr(tab + 1));
        if (e.replacement.find('\t') != std::string::npos)
            throw ConfigError(path, fmt::format("line {}: entry '{}' has more than one tab", line, e.word),
                              "one tab separates the word from its replacement");
        if (e.word.empty()) throw ConfigError(path, fmt::format("line {}: the word is empty", line));
        if (e.replacement.empty())
            throw ConfigError(path, fmt::format("line {}: entry '{}' has an empty replacement", line, e.word));
        if (e.word.find_first_of("[]<>") != std::string::npos || !text::is_word_at(e.word, 0) ||
            !text::is_word_before(e.word, e.word.size()))
            throw ConfigError(path, fmt::format("line {}: '{}' is not a word", line, e.word),
                              "an entry starts and ends with a letter or digit");
        validate_replacement(path, line, e.word, e.replacement);
        e.case_sensitive = has_upper(e.word);
        auto [it, fresh] = seen.emplace(std::make_pair(e.word, e.case_sensitive), line);
        if (!fresh)
            throw ConfigError(path, fmt::format("line {}: '{}' is already defined on line {}", line, e.word,
                                                it->second));
        lex.entries.push_back(std::move(e));
    }
    return lex;
}

Lexicon merge(Lexicon base, const Lexicon& user) {
    // One pass each way (linear in both lexicons): the base entries a user
    // entry replaces — the same word, matched the same way — go; the user's are added.
    std::set<std::pair<std::string, bool>> replaced;
    for (const auto& u : user.entries)
        replaced.emplace(u.case_sensitive ? u.word : text::lower(u.word), u.case_sensitive);
    base.entries.erase(std::remove_if(base.entries.begin(), base.entries.end(),
                                      [&](const LexiconEntry& b) {
                                          return replaced.count({b.case_sensitive ? b.word : text::lower(b.word),
                                                                 b.case_sensitive}) > 0;
                                      }),
                       base.entries.end());
    base.entries.insert(base.entries.end(), user.entries.begin(), user.entries.end());
    return base;
}

}  // namespace turncast::cast
