// Rewrites only what espeak-ng 1.51 (en-gb) measurably says wrong; each rule
// was checked with `espeak-ng -v en-gb -x` and has a unit test:
//
//   "5 per cent"    p3 s'Ent (two words, "per" reduced)  → "5 percent"   p3s'Ent
//   "1941-1945"     ... f'o@ti w'0n d'aS n'aInti:n...    → "1941 to 1945"
//   "10–15"         t'En f'Ifti:n ("ten fifteen")         → "10 to 15"
//   "between 10-15"                                        → "between 10 and 15"
//   "No. 5"         n'oU f'aIv ("no five")                → "number 5"
//   "World War II"  w'O@ r,oUm@n_ t'u: ("Roman two")      → "World War Two"
//   "Peter I", "Elizabeth II's"  ("Roman two")            → "Peter the First", "Elizabeth the Second's"
//
// Everything else ("5%", "100-percent", "1990s", "21st") espeak already says right.
#include <array>
#include <cctype>
#include <functional>
#include <regex>
#include <set>
#include <string>

#include "cast/cast.hpp"
#include "cast/text.hpp"

namespace turncast::cast {

namespace {

const std::array<const char*, 20> kOnes = {"",        "One",     "Two",       "Three",    "Four",
                                           "Five",    "Six",     "Seven",     "Eight",    "Nine",
                                           "Ten",     "Eleven",  "Twelve",    "Thirteen", "Fourteen",
                                           "Fifteen", "Sixteen", "Seventeen", "Eighteen", "Nineteen"};
const std::array<const char*, 20> kOnesOrd = {"",           "First",      "Second",      "Third",
                                              "Fourth",     "Fifth",      "Sixth",       "Seventh",
                                              "Eighth",     "Ninth",      "Tenth",       "Eleventh",
                                              "Twelfth",    "Thirteenth", "Fourteenth",  "Fifteenth",
                                              "Sixteenth",  "Seventeenth", "Eighteenth", "Nineteenth"};

std::string cardinal(int n) {  // 1..39
    if (n < 20) return kOnes[n];
    std::string tens = n < 30 ? "Twenty" : "Thirty";
    return n % 10 ? tens + "-" + kOnes[n % 10] : tens;
}

std::string ordinal(int n) {  // 1..39
    if (n < 20) return kOnesOrd[n];
    if (n % 10 == 0) return n == 20 ? "Twentieth" : "Thirtieth";
    return std::string(n < 30 ? "Twenty" : "Thirty") + "-" + kOnesOrd[n % 10];
}

// Value of a canonical Roman numeral made of I, V, X (1..39), or 0.
int roman_value(const std::string& s) {
    int total = 0;
    auto val = [](char c) { return c == 'I' ? 1 : c == 'V' ? 5 : c == 'X' ? 10 : 0; };
    for (std::size_t i = 0; i < s.size(); ++i) {
        int v = val(s[i]);
        if (v == 0) return 0;
        if (i + 1 < s.size() && val(s[i + 1]) > v) total -= v;
        else total += v;
    }
    if (total < 1 || total > 39) return 0;
    // Re-encode to reject non-canonical forms such as "IIII" or "VX".
    static const char* units[] = {"", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"};
    std::string canon = std::string(total / 10, 'X') + units[total % 10];
    return canon == s ? total : 0;
}

// Words after which a numeral is a number ("World War Two", "Part Three"), not
// a regnal ordinal ("Peter the First").
const std::set<std::string> kCardinalBefore = {
    "War", "Part", "Chapter", "Volume", "Act", "Phase", "Stage", "Article", "Type", "Class",
    "Category", "Level", "Round", "Section", "Book", "Annex", "Protocol", "Title", "Schedule",
    "Appendix", "Mark", "Vatican", "Council", "Convention", "Pillar", "Tier", "Grade"};

// Capitalised words that begin sentences or clauses, where a following "I" is
// the pronoun ("So I.", "Then I,").
const std::set<std::string> kNotNames = {
    "So", "And", "But", "Then", "Now", "Here", "There", "Yes", "No", "Well", "What", "Why", "How",
    "When", "Where", "If", "As", "Today", "Perhaps", "Maybe", "Sometimes", "Actually", "Indeed",
    "Or", "Nor", "Because", "Although", "Though", "Unless", "While", "Until", "Once", "Thus",
    "Still", "Also", "Only", "Even", "Again", "Certainly", "Frankly", "Honestly", "Please", "Thank",
    "Thanks", "Can", "Could", "Should", "Would", "Will", "Shall", "May", "Might", "Must", "Do",
    "Did", "Am", "Have", "Had", "Let", "Mr", "Mrs", "Ms", "Dr"};

std::string regex_rewrite(const std::string& in, const std::regex& re,
                          const std::function<std::string(const std::smatch&, const std::string& before)>& fn) {
    std::string out;
    auto begin = in.cbegin();
    std::smatch m;
    while (std::regex_search(begin, in.cend(), m, re)) {
        out.append(begin, m[0].first);
        out += fn(m, out);
        begin = m[0].second;
        if (m[0].length() == 0) {
            if (begin == in.cend()) break;
            out += *begin++;
        }
    }
    out.append(begin, in.cend());
    return out;
}

std::string last_word(const std::string& s) {
    std::size_t e = s.size();
    while (e > 0 && s[e - 1] == ' ') --e;
    std::size_t b = e;
    while (b > 0 && std::isalpha(static_cast<unsigned char>(s[b - 1]))) --b;
    return s.substr(b, e - b);
}


bool is_dash_cp(std::uint32_t cp) {
    return cp == '-' || (cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212;
}

// Length of a number "1941", "1,000", "2.5" at pos (0 if none).
std::size_t number_at(const std::string& s, std::size_t pos) {
    std::size_t i = pos;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == pos) return 0;
    // Thousands groups and one decimal part.
    while (i + 3 < s.size() + 0 && s[i] == ',' && std::isdigit(static_cast<unsigned char>(s[i + 1])) &&
           std::isdigit(static_cast<unsigned char>(s[i + 2])) && std::isdigit(static_cast<unsigned char>(s[i + 3])))
        i += 4;
    if (i + 1 < s.size() && s[i] == '.' && std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
        ++i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    }
    return i - pos;
}

// "1941-1945", "10 – 15" → "1941 to 1945"; "between 10-15" → "between 10 and 15".
// Not ISO dates or other chains ("2021-08-30"), not "COVID-19", not "-5", not a
// time zone ("13:26:14-04:00").
std::string rewrite_ranges(const std::string& s) {
    std::string out;
    std::size_t i = 0;
    while (i < s.size()) {
        if (!std::isdigit(static_cast<unsigned char>(s[i]))) {
            out += s[i++];
            continue;
        }
        const std::size_t a_len = number_at(s, i);
        bool standalone = true;
        if (i > 0) {
            std::size_t p = i - 1;
            while (p > 0 && (static_cast<unsigned char>(s[p]) & 0xC0) == 0x80) --p;
            const std::uint32_t cp = text::code_point(s, p);
            standalone = !(text::is_word_cp(cp) || is_dash_cp(cp) || cp == '.' || cp == ',' || cp == ':');
        }
        std::size_t j = i + a_len;
        std::size_t b_pos = 0, b_len = 0;
        if (standalone) {
            std::size_t k = j;
            if (k < s.size() && s[k] == ' ') ++k;
            if (k < s.size() && is_dash_cp(text::code_point(s, k))) {
                k += text::char_len(s, k);
                if (k < s.size() && s[k] == ' ') ++k;
                b_len = number_at(s, k);
                b_pos = k;
            }
        }
        if (b_len > 0) {
            const std::size_t e = b_pos + b_len;
            const bool chained = e < s.size() &&
                                 (std::isdigit(static_cast<unsigned char>(s[e])) ||
                                  is_dash_cp(text::code_point(s, e)) ||
                                  ((s[e] == '.' || s[e] == ',') && e + 1 < s.size() &&
                                   std::isdigit(static_cast<unsigned char>(s[e + 1]))));
            if (!chained) {
                const char* joint = text::lower(last_word(out)) == "between" ? " and " : " to ";
                out += s.substr(i, a_len) + joint + s.substr(b_pos, b_len);
                i = e;
                continue;
            }
        }
        // Not a range: copy the whole number so no part of it starts one.
        out += s.substr(i, a_len);
        i = j;
    }
    return out;
}

}  // namespace

std::string normalise_for_speech(std::string_view text) {
    std::string s(text);

    // "per cent", "per-cent", "Per Cent" → one word, as espeak says "percent".
    static const std::regex per_cent(R"(\b([Pp])(?:er|ER)(?: +|-)(?:cent|CENT)\b)");
    s = std::regex_replace(s, per_cent, "$1ercent");

    // "No. 5", "no.5", "Nos. 5 and 6", "№ 5" → "number 5".
    static const std::regex number_abbrev(R"(\b([Nn])o(s?)\. ?(?=\d))");
    s = regex_rewrite(s, number_abbrev, [](const std::smatch& m, const std::string&) {
        return std::string(m[2].length() ? "numbers " : "number ");
    });
    static const std::regex numero("\xE2\x84\x96 ?(?=\\d)");
    s = std::regex_replace(s, numero, "number ");

    // Number ranges: "1941-1945", "10 – 15" → "1941 to 1945"; "between 10-15" →
    // "between 10 and 15". Not ISO dates or other chains ("2021-08-30"), not
    // "COVID-19", not decimals.
    s = rewrite_ranges(s);

    // Roman numerals after a capitalised name: "World War II", "Peter I",
    // "John Paul II's".
    static const std::regex roman(R"(\b([A-Z][a-z]+) ([IVX]+)\b)");
    s = regex_rewrite(s, roman, [](const std::smatch& m, const std::string&) {
        const std::string word = m[1], numeral = m[2];
        const int n = roman_value(numeral);
        std::string after(m[0].second, m[0].second + std::min<std::ptrdiff_t>(4, m.suffix().length()));
        const bool possessive = after.rfind("'s", 0) == 0 || after.rfind("\xE2\x80\x99s", 0) == 0;
        if (n == 0 || kNotNames.count(word)) return m[0].str();
        if (kCardinalBefore.count(word)) return word + " " + cardinal(n);
        if (numeral == "I") {
            // The pronoun unless the sentence or clause ends right after it.
            const bool ends = after.empty() || after[0] == '.' || after[0] == ',' || after[0] == ';' ||
                              after[0] == ')' || possessive;
            if (!ends) return m[0].str();
        }
        if (numeral == "X" && !kCardinalBefore.count(word)) return m[0].str();  // "Malcolm X"
        return word + " the " + ordinal(n);
    });
    return s;
}

}  // namespace turncast::cast
