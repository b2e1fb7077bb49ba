// voices/readings.toml → Readings, and read_at(): the rule that rewrites the
// text at one position for espeak ("$45 billion" → "45 billion dollars",
// "1990s" → "19 nineties", "Gov. Brown" → "Governor Brown", "YPG" → "Y.P.G").
// Lexicon::apply calls it where no lexicon entry matches, so captions keep the
// words as written while espeak gets the reading. Every rewrite was measured
// with `turncast phonemes --raw` against espeak-ng 1.51 (en-gb, en-us).
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "cast/cast.hpp"
#include "cast/text.hpp"
#include "core/data.hpp"
#include "core/toml_file.hpp"
#include "core/error.hpp"

namespace turncast::cast {

namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }
bool upper(char c) { return c >= 'A' && c <= 'Z'; }
bool lower_ascii(char c) { return c >= 'a' && c <= 'z'; }

// A number at pos: "45", "3.5", "1,000,000" (0 if none).
std::size_t number_len(std::string_view s, std::size_t pos) {
    std::size_t i = pos;
    while (i < s.size() && digit(s[i])) ++i;
    if (i == pos) return 0;
    while (i + 3 < s.size() + 0 && s[i] == ',' && digit(s[i + 1]) && digit(s[i + 2]) && digit(s[i + 3]) &&
           (i + 4 >= s.size() || !digit(s[i + 4])))
        i += 4;
    if (i + 1 < s.size() && s[i] == '.' && digit(s[i + 1])) {
        ++i;
        while (i < s.size() && digit(s[i])) ++i;
    }
    return i - pos;
}

// Does a word end at pos (end of text, or no letter or digit follows)?
bool word_ends(std::string_view s, std::size_t pos) { return pos >= s.size() || !text::is_word_at(s, pos); }

std::string ordinal_suffix(int n) {
    if (n % 100 >= 11 && n % 100 <= 13) return "th";
    switch (n % 10) {
    case 1: return "st";
    case 2: return "nd";
    case 3: return "rd";
    default: return "th";
    }
}

// The last word before pos, as written ("" at the start).
std::string_view word_before(std::string_view s, std::size_t pos) {
    std::size_t e = pos;
    while (e > 0 && !text::is_word_before(s, e)) {
        --e;
        while (e > 0 && (static_cast<unsigned char>(s[e]) & 0xC0) == 0x80) --e;
    }
    std::size_t b = e;
    while (b > 0 && text::is_word_before(s, b)) {
        --b;
        while (b > 0 && (static_cast<unsigned char>(s[b]) & 0xC0) == 0x80) --b;
    }
    return s.substr(b, e - b);
}

class Rules {
public:
    Rules(const Readings& r, std::string_view t, std::size_t pos, bool caps) : r_(r), t_(t), pos_(pos), caps_(caps) {}

    std::optional<ReadingMatch> match() const {
        if (auto m = money_before()) return m;
        if (!text::is_word_at(t_, pos_) || (pos_ > 0 && text::is_word_before(t_, pos_))) {
            if (t_[pos_] == '\'' || t_.substr(pos_, 3) == "\xE2\x80\x99") return short_decade();
            return std::nullopt;
        }
        if (digit(t_[pos_])) {
            if (auto m = money_after()) return m;
            if (auto m = caret_ordinal()) return m;
            if (auto m = day_month()) return m;
            if (auto m = decade()) return m;
            if (auto m = year()) return m;
            return std::nullopt;
        }
        if (auto m = month_day()) return m;
        if (auto m = abbreviation()) return m;
        return acronym();
    }

private:
    // "$45 billion", "US$3", "£5", "₽500", "USD 5": the currency before the amount.
    std::optional<ReadingMatch> money_before() const {
        for (const auto& [sym, names] : r_.currencies)
            if (t_.compare(pos_, sym.size(), sym) == 0) return amount(pos_ + sym.size(), sym, true);
        for (const auto& [code, sym] : r_.codes)
            if (t_.compare(pos_, code.size(), code) == 0 && pos_ + code.size() < t_.size() &&
                t_[pos_ + code.size()] == ' ' && (pos_ == 0 || !text::is_word_before(t_, pos_)))
                return amount(pos_ + code.size() + 1, sym, false);
        return std::nullopt;
    }

    // The amount (and scale) at i after a currency: "45 billion" → "45 billion dollars".
    std::optional<ReadingMatch> amount(std::size_t i, const std::string& sym, bool symbol) const {
        if (symbol && i < t_.size() && t_[i] == ' ') ++i;
        const std::size_t n = number_len(t_, i);
        if (n == 0) return std::nullopt;
        std::size_t end = i + n;
        std::string number(t_.substr(i, n));
        std::string scale = scale_at(end);
        const auto& names = r_.currencies.at(sym);
        const bool one = number == "1" && scale.empty();
        std::string said = number + (scale.empty() ? "" : " " + scale) + " " + (one ? names.first : names.second);
        return ReadingMatch{end - pos_, said, true};
    }

    // A scale word at `end` ("billion", " bn", "bn"): the word, and `end` moved past it.
    std::string scale_at(std::size_t& end) const {
        for (std::size_t k = end; k <= end + 1 && k < t_.size(); ++k) {
            if (k > end && t_[end] != ' ') break;
            std::size_t e = k;
            while (e < t_.size() && lower_ascii(t_[e])) ++e;
            if (e == k || !word_ends(t_, e)) continue;
            auto it = r_.scales.find(std::string(t_.substr(k, e - k)));
            if (it == r_.scales.end()) continue;
            // "m" alone after a space is a metre ("5 m"), not a million.
            if (k > end && it->first.size() == 1) continue;
            end = e;
            return it->second;
        }
        return {};
    }

    // "500 ₽", "500₽", "3 billion USD": the currency after the amount.
    std::optional<ReadingMatch> money_after() const {
        const std::size_t n = number_len(t_, pos_);
        std::size_t end = pos_ + n;
        std::string scale = scale_at(end);
        std::size_t k = end;
        if (k < t_.size() && t_[k] == ' ') ++k;
        std::string sym;
        std::size_t len = 0;
        for (const auto& [s, names] : r_.currencies)
            if (s != "$" && t_.compare(k, s.size(), s) == 0 && s.size() > len) sym = s, len = s.size();
        for (const auto& [code, s] : r_.codes)
            if (t_.compare(k, code.size(), code) == 0 && word_ends(t_, k + code.size()) && code.size() > len)
                sym = s, len = code.size();
        if (sym.empty()) return std::nullopt;
        const auto& names = r_.currencies.at(sym);
        const std::string number(t_.substr(pos_, n));
        const bool one = number == "1" && scale.empty();
        return ReadingMatch{k + len - pos_,
                            number + (scale.empty() ? "" : " " + scale) + " " + (one ? names.first : names.second)};
    }

    // "8^th", "21^st" (a superscript the page flattened) → "8th".
    std::optional<ReadingMatch> caret_ordinal() const {
        const std::size_t n = number_len(t_, pos_);
        const std::size_t c = pos_ + n;
        if (c + 2 < t_.size() && t_[c] == '^') {
            const std::string suf = text::lower(t_.substr(c + 1, 2));
            if ((suf == "st" || suf == "nd" || suf == "rd" || suf == "th") && word_ends(t_, c + 3))
                return ReadingMatch{c + 3 - pos_, std::string(t_.substr(pos_, n)) + suf};
        }
        return std::nullopt;
    }

    int month_at(std::size_t pos, std::size_t* len) const {
        for (std::size_t m = 0; m < r_.months.size(); ++m) {
            const std::string& name = r_.months[m];
            if (t_.compare(pos, name.size(), name) == 0 && word_ends(t_, pos + name.size())) {
                *len = name.size();
                return int(m);
            }
        }
        return -1;
    }

    // A day (1..31) as written: its value and length, 0 if none.
    int day_at(std::size_t pos, std::size_t* len) const {
        std::size_t i = pos;
        while (i < t_.size() && digit(t_[i]) && i - pos < 3) ++i;
        if (i == pos || i - pos > 2 || !word_ends(t_, i)) return 0;
        const int d = std::atoi(std::string(t_.substr(pos, i - pos)).c_str());
        *len = i - pos;
        return d >= 1 && d <= 31 ? d : 0;
    }

    // "30 August" → "the 30th of August" ("on the 30 August" → "on the 30th of August").
    std::optional<ReadingMatch> day_month() const {
        std::size_t dlen = 0, mlen = 0;
        const int d = day_at(pos_, &dlen);
        if (d == 0 || pos_ + dlen >= t_.size() || t_[pos_ + dlen] != ' ') return std::nullopt;
        const int m = month_at(pos_ + dlen + 1, &mlen);
        if (m < 0) return std::nullopt;
        const bool the = text::lower(word_before(t_, pos_)) == "the";
        return ReadingMatch{dlen + 1 + mlen, fmt::format("{}{}{} of {}", the ? "" : "the ", d, ordinal_suffix(d),
                                                         r_.months[std::size_t(m)])};
    }

    // "August 30" → "August 30th" (not "August 30,000", not "August 2021").
    std::optional<ReadingMatch> month_day() const {
        std::size_t mlen = 0, dlen = 0;
        const int m = month_at(pos_, &mlen);
        if (m < 0 || pos_ + mlen >= t_.size() || t_[pos_ + mlen] != ' ') return std::nullopt;
        const std::size_t dpos = pos_ + mlen + 1;
        const int d = day_at(dpos, &dlen);
        if (d == 0) return std::nullopt;
        const std::size_t e = dpos + dlen;
        if (e < t_.size() && (t_[e] == ':' || ((t_[e] == ',' || t_[e] == '.') && e + 1 < t_.size() && digit(t_[e + 1]))))
            return std::nullopt;
        return ReadingMatch{e - pos_, fmt::format("{} {}{}", r_.months[std::size_t(m)], d, ordinal_suffix(d))};
    }

    // "1990s" → "19 nineties", "2000s" → "two thousands", "1900s" → "19 hundreds";
    // "the 90s" → "the nineties".
    std::optional<ReadingMatch> decade() const {
        if (pos_ + 3 <= t_.size() && number_len(t_, pos_) == 2 && t_[pos_ + 1] == '0' && t_[pos_ + 2] == 's' &&
            word_ends(t_, pos_ + 3)) {
            auto it = r_.decades.find(std::string(t_.substr(pos_, 2)));
            if (it != r_.decades.end() && it->first != "00") return ReadingMatch{3, it->second};
        }
        if (pos_ + 5 > t_.size() || number_len(t_, pos_) != 4 || t_[pos_ + 4] != 's' || !word_ends(t_, pos_ + 5))
            return std::nullopt;
        const std::string y(t_.substr(pos_, 4));
        if (y[3] != '0') return std::nullopt;
        if (y == "2000") return ReadingMatch{5, "two thousands"};
        auto it = r_.decades.find(y.substr(2, 2));
        if (it == r_.decades.end()) return std::nullopt;
        return ReadingMatch{5, y.substr(0, 2) + " " + it->second};
    }

    // "'90s", "’90s" and "90s" after "the" → "nineties".
    std::optional<ReadingMatch> short_decade() const {
        const std::size_t q = t_[pos_] == '\'' ? 1 : 3;
        const std::size_t d = pos_ + q;
        if (d + 3 > t_.size() || !digit(t_[d]) || !digit(t_[d + 1]) || t_[d + 2] != 's' || !word_ends(t_, d + 3) ||
            (pos_ > 0 && text::is_word_before(t_, pos_)))
            return std::nullopt;
        auto it = r_.decades.find(std::string(t_.substr(d, 2)));
        if (it == r_.decades.end() || it->first == "00") return std::nullopt;
        return ReadingMatch{q + 3, it->second};
    }

    // A year after "in", "since", a month or a date: "1928" → "19 28".
    std::optional<ReadingMatch> year() const {
        if (number_len(t_, pos_) != 4 || !word_ends(t_, pos_ + 4)) return std::nullopt;
        const int y = std::atoi(std::string(t_.substr(pos_, 4)).c_str());
        if (y < 1100 || y > 2099 || (y >= 2000 && y <= 2009)) return std::nullopt;
        const std::string_view before = word_before(t_, pos_);
        bool is_year = r_.year_after.count(text::lower(before)) > 0;
        std::size_t unused = 0;
        for (const auto& m : r_.months) is_year = is_year || before == m;
        // "August 30, 2021", "30 August 2021", "from 1941 to 1945".
        if (!is_year && !before.empty()) {
            const std::size_t b = static_cast<std::size_t>(before.data() - t_.data());
            const std::string_view two = word_before(t_, b);
            for (const auto& m : r_.months) is_year = is_year || (two == m && day_at(b, &unused) > 0);
            const std::string lb = text::lower(before);
            if ((lb == "to" || lb == "and") && two.size() == 4 && number_len(two, 0) == 4) is_year = true;
        }
        if (!is_year) return std::nullopt;
        const std::string w(t_.substr(pos_, 4));
        const std::string hi = w.substr(0, 2), lo = w.substr(2, 2);
        std::string said;
        if (lo == "00") said = hi + " hundred";
        else if (lo[0] == '0') said = hi + " oh " + lo.substr(1);
        else said = hi + " " + lo;
        return ReadingMatch{4, said};
    }

    // "Gov. Brown" → "Governor Brown"; "vs." → "versus".
    std::optional<ReadingMatch> abbreviation() const {
        std::size_t e = pos_;
        while (e < t_.size() && text::is_word_at(t_, e)) e += text::char_len(t_, e);
        if (e >= t_.size() || t_[e] != '.') return std::nullopt;
        const std::string written(t_.substr(pos_, e + 1 - pos_));
        if (auto it = r_.anywhere.find(written); it != r_.anywhere.end()) return ReadingMatch{written.size(), it->second};
        if (auto it = r_.titles.find(written); it != r_.titles.end() && e + 2 < t_.size() && t_[e + 1] == ' ' &&
                                               (upper(t_[e + 2]) || static_cast<unsigned char>(t_[e + 2]) >= 0xC0))
            return ReadingMatch{written.size(), it->second};
        return std::nullopt;
    }

    // "YPG" → "Y.P.G", "ICBMs" → "I.C.B.M's", "DoD" → "D.o.D": letters in the voice's accent.
    std::optional<ReadingMatch> acronym() const {
        if (caps_) return std::nullopt;
        std::size_t e = pos_;
        while (e < t_.size() && (upper(t_[e]) || lower_ascii(t_[e]))) ++e;
        if (!word_ends(t_, e) && !(e < t_.size() && t_[e] == '\'')) return std::nullopt;
        std::string_view w = t_.substr(pos_, e - pos_);
        std::string_view plural;
        if (w.size() > 2 && w.back() == 's' && upper(w[w.size() - 2])) {
            plural = "'s";
            w.remove_suffix(1);
        }
        if (w.size() < 2 || w.size() > 6 || !upper(w.front()) || !upper(w.back())) return std::nullopt;
        std::size_t caps = 0;
        for (std::size_t k = 0; k < w.size(); ++k) {
            caps += upper(w[k]);
            if (k > 0 && lower_ascii(w[k]) && lower_ascii(w[k - 1])) return std::nullopt;  // "McCAIN"-like
        }
        if (caps < 2 || caps + 1 < w.size()) return std::nullopt;
        if (r_.acronym_words.count(std::string(w))) return std::nullopt;
        // Roman numerals ("XIV", "II") are read elsewhere.
        if (w.find_first_not_of("IVX") == std::string_view::npos) return std::nullopt;
        std::string said;
        for (char c : w) {
            if (!said.empty()) said += '.';
            said += c;
        }
        return ReadingMatch{w.size() + (plural.empty() ? 0 : 1), said + std::string(plural)};
    }

    const Readings& r_;
    std::string_view t_;
    std::size_t pos_;
    bool caps_;
};

// ---- loading ---------------------------------------------------------------

class Loader {
public:
    explicit Loader(std::string path) : path_(std::move(path)) {}

    [[noreturn]] void fail(const toml::source_region& at, const std::string& what) const {
        throw ConfigError(path_, fmt::format("line {}: {}", at.begin.line, what),
                          "see the comments in voices/readings.toml for each table's form");
    }

    const toml::table& table(const toml::table& root, const char* key) const {
        static const toml::table empty;
        const toml::node* n = root.get(key);
        if (!n) return empty;
        if (!n->is_table()) fail(n->source(), fmt::format("'{}' must be a table", key));
        return *n->as_table();
    }

    std::map<std::string, std::string> strings_map(const toml::table& t, const char* key, const char* where) const {
        std::map<std::string, std::string> out;
        const toml::node* n = t.get(key);
        if (!n) return out;
        if (!n->is_table()) fail(n->source(), fmt::format("'{}.{}' must be a table of strings", where, key));
        for (auto&& [k, v] : *n->as_table()) {
            if (!v.is_string() || v.as_string()->get().empty())
                fail(v.source(), fmt::format("'{}.{}.{}' must be a non-empty string", where, key, k.str()));
            out.emplace(std::string(k.str()), v.as_string()->get());
        }
        return out;
    }

    std::vector<std::string> strings(const toml::table& t, const char* key, const char* where) const {
        std::vector<std::string> out;
        const toml::node* n = t.get(key);
        if (!n) return out;
        if (!n->is_array()) fail(n->source(), fmt::format("'{}.{}' must be an array of strings", where, key));
        for (auto&& e : *n->as_array()) {
            if (!e.is_string() || e.as_string()->get().empty())
                fail(e.source(), fmt::format("'{}.{}' must hold non-empty strings", where, key));
            out.push_back(e.as_string()->get());
        }
        return out;
    }

    Readings load(const toml::table& root) const {
        Readings r;
        const auto& abbr = table(root, "abbreviations");
        r.titles = strings_map(abbr, "titles", "abbreviations");
        r.anywhere = strings_map(abbr, "anywhere", "abbreviations");
        for (const auto* m : {&r.titles, &r.anywhere})
            for (const auto& [k, v] : *m)
                if (k.size() < 2 || k.back() != '.')
                    fail(abbr.source(), fmt::format("abbreviation '{}' must end with its full stop", k));
        const auto& money = table(root, "money");
        if (const toml::node* n = money.get("symbols")) {
            if (!n->is_table()) fail(n->source(), "'money.symbols' must be a table");
            for (auto&& [k, v] : *n->as_table()) {
                const toml::array* a = v.as_array();
                if (!a || a->size() != 2 || !(*a)[0].is_string() || !(*a)[1].is_string())
                    fail(v.source(), fmt::format("'money.symbols.{}' must be [singular, plural]", k.str()));
                r.currencies.emplace(std::string(k.str()),
                                     std::make_pair((*a)[0].as_string()->get(), (*a)[1].as_string()->get()));
            }
        }
        r.codes = strings_map(money, "codes", "money");
        for (const auto& [code, sym] : r.codes)
            if (!r.currencies.count(sym))
                fail(money.source(), fmt::format("money.codes.{} names '{}', which money.symbols lacks", code, sym));
        r.scales = strings_map(money, "scales", "money");
        const auto& years = table(root, "years");
        for (auto& w : strings(years, "after", "years")) r.year_after.insert(text::lower(w));
        r.decades = strings_map(years, "decades", "years");
        r.months = strings(table(root, "dates"), "months", "dates");
        for (auto& w : strings(table(root, "acronyms"), "words", "acronyms")) r.acronym_words.insert(w);
        return r;
    }

private:
    std::string path_;
};

}  // namespace

std::string default_readings_path() { return data_file("readings.toml"); }

Readings load_readings(const std::string& path) {
    const toml::table root = parse_toml_file(path, "readings file", "fix the TOML syntax at that line");
    return Loader(path).load(root);
}

std::optional<ReadingMatch> read_at(const Readings& r, std::string_view text, std::size_t pos, bool mostly_capitals) {
    if (pos >= text.size()) return std::nullopt;
    return Rules(r, text, pos, mostly_capitals).match();
}

Lexicon default_lexicon(const std::string& user_lexicon_path) {
    Lexicon lex = load_lexicon(default_lexicon_path());
    lex.readings = std::make_shared<const Readings>(load_readings(default_readings_path()));
    if (!user_lexicon_path.empty()) lex = merge(std::move(lex), load_lexicon(user_lexicon_path));
    return lex;
}

}  // namespace turncast::cast
