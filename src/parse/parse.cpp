// Transcript text → Document. The stages, in order:
//   hygiene (text.cpp) → front matter → markup (strike-through, escapes) →
//   header fields ("Title:", "FULL TRANSCRIPT") → tail → clutter and time-stamp
//   lines → header (date, time, place, title) → photo captions → blocks →
//   paragraphs (labels, qualifiers, mid-line labels, stage directions, notes).
// Every line that is not spoken ends up in Document::dropped with a reason, so
// `plan --show-dropped` accounts for every word of the input.
//
// Linear in the input: nothing here rescans the document per line, and
// std::regex only ever sees lines of at most kMaxRegexLine characters.
#include <algorithm>
#include <optional>
#include <memory>
#include <regex>

#include <re2/re2.h>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "core/counted.hpp"
#include "core/error.hpp"
#include "parse/parse.hpp"
#include "parse/text.hpp"

namespace turncast::parse {
namespace {

using text::Line;

constexpr std::size_t kMaxRegexLine = 300;
constexpr std::size_t kMaxDirectionChars = 120;

enum class Kind { Blank, Text, Dropped };

struct LineInfo {
    Line line;
    Kind kind = Kind::Text;
};

struct Label {
    std::string label;
    std::string qualifier;
    std::string role;      // "CNN ANCHOR" from "ANDERSON COOPER, CNN ANCHOR:"
    std::size_t rest = 0;  // offset of the text after the label and its colon
    bool opens = false;    // "<NAME: text ...": a corpus turn whose bracket closes later
};

// ---------------------------------------------------------------- dates

const char* const kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                               "jul", "aug", "sep", "oct", "nov", "dec"};

int month_number(const std::string& name) {
    const std::string l = text::lower_ascii(name);
    if (l.size() < 3) return 0;
    for (int m = 0; m < 12; ++m)
        if (l.compare(0, 3, kMonths[m]) == 0) return m + 1;
    return 0;
}

std::string two(int v) { return (v < 10 ? "0" : "") + std::to_string(v); }

std::string iso_date(int y, int m, int d) {
    if (m < 1 || m > 12 || d < 1 || d > 31 || y < 1000) return {};
    return std::to_string(y) + "-" + two(m) + "-" + two(d);
}

// "19:47", "1:23 P.M. CET", "4 pm" → "HH:MM"; empty if not a time.
std::string hh_mm(const std::string& h, const std::string& m, const std::string& ampm) {
    int hour = std::stoi(h);
    const int minute = m.empty() ? 0 : std::stoi(m);
    if (!ampm.empty()) {
        const bool pm = ampm[0] == 'p' || ampm[0] == 'P';
        if (hour < 1 || hour > 12) return {};
        if (pm && hour != 12) hour += 12;
        if (!pm && hour == 12) hour = 0;
    }
    if (hour > 23 || minute > 59) return {};
    return two(hour) + ":" + two(minute);
}

const std::string kMonthRe =
    "(Jan(?:uary|\\.)?|Feb(?:ruary|\\.)?|Mar(?:ch|\\.)?|Apr(?:il|\\.)?|May|June?|July?|"
    "Aug(?:ust|\\.)?|Sep(?:t(?:ember|\\.)?|\\.)?|Oct(?:ober|\\.)?|Nov(?:ember|\\.)?|Dec(?:ember|\\.)?)";
const std::string kTimeRe = "(\\d{1,2}):(\\d{2})(?:\\s*([AaPp])\\.?\\s*[Mm]\\.?)?(?:\\s+[A-Z]{2,5})?";

struct DateTime { std::string date, time; };

// A whole line that is a date and/or a time ("30 August 202119:47",
// "April 4, 2018", "2021-08-30", "16:20", "1:23 P.M. CET").
std::optional<DateTime> parse_date_time(const std::string& line) {
    if (line.size() > 80) return std::nullopt;
    static const std::regex dmy("^(?:[A-Z][a-z]+,?\\s+)?(\\d{1,2})\\s+" + kMonthRe +
                                ",?\\s+(\\d{4}),?\\s*(?:" + kTimeRe + ")?$");
    static const std::regex mdy("^(?:[A-Z][a-z]+,?\\s+)?" + kMonthRe + "\\s+(\\d{1,2}),?\\s+(\\d{4})(?:,?\\s*" +
                                kTimeRe + ")?$");
    static const std::regex ymd("^(\\d{4})-(\\d{2})-(\\d{2})(?:[ T](\\d{2}):(\\d{2})(?::\\d{2})?.*)?$");
    static const std::regex tm("^[\\[(]?" + kTimeRe + "[\\])]?$");
    std::smatch m;
    DateTime dt;
    if (std::regex_match(line, m, dmy)) {
        dt.date = iso_date(std::stoi(m[3]), month_number(m[2]), std::stoi(m[1]));
        if (m[4].matched) dt.time = hh_mm(m[4], m[5], m[6]);
    } else if (std::regex_match(line, m, mdy)) {
        dt.date = iso_date(std::stoi(m[3]), month_number(m[1]), std::stoi(m[2]));
        if (m[4].matched) dt.time = hh_mm(m[4], m[5], m[6]);
    } else if (std::regex_match(line, m, ymd)) {
        dt.date = iso_date(std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3]));
        if (m[4].matched) dt.time = hh_mm(m[4], m[5], "");
    } else if (std::regex_match(line, m, tm)) {
        dt.time = hh_mm(m[1], m[2], m[3]);
    } else {
        return std::nullopt;
    }
    if (dt.date.empty() && dt.time.empty()) return std::nullopt;
    return dt;
}

bool is_timestamp_line(const std::string& line) {
    if (line.size() > 40) return false;
    static const std::regex ts("^[\\[(]?(\\d{1,2}:)?\\d{1,2}:\\d{2}(?:\\s*[AaPp]\\.?\\s*[Mm]\\.?)?(?:\\s+[A-Z]{2,5})?[\\])]?$");
    return std::regex_match(line, ts);
}

// ---------------------------------------------------------------- the parser

std::unique_ptr<RE2> data_regex(const std::string& pattern) {
    RE2::Options o;
    o.set_log_errors(false);
    return std::make_unique<RE2>(pattern, o);
}

class Parser {
public:
    Parser(const Rules& rules, std::string filename) : rules_(rules), filename_(std::move(filename)) {
        // The rules file's regexes run on RE2 (linear time: no pattern in a
        // data file can backtrack for minutes); load_rules checked them.
        for (const auto& p : rules.clutter_lines) clutter_.push_back(data_regex(p.regex));
        for (const auto& p : rules.place_lines) place_.push_back(data_regex(p));
        for (const auto& w : rules.label_connectors) connectors_.insert(text::lower_ascii(w));
        for (const auto& w : rules.non_labels) non_labels_.insert(text::lower_ascii(w));
        for (const auto& w : rules.non_label_openers) non_label_openers_.insert(text::lower_ascii(w));
        for (const auto& w : rules.question_labels) role_labels_.insert(text::lower_ascii(w));
        for (const auto& w : rules.remark_labels) role_labels_.insert(text::lower_ascii(w));
        for (const auto& w : rules.moderator_labels) role_labels_.insert(text::lower_ascii(w));
    }

    Document run(std::string_view bytes) {
        auto lines = text::clean_lines(bytes, filename_);
        info_.reserve(lines.size());
        for (auto& l : lines) {
            LineInfo li;
            li.kind = l.text.empty() ? Kind::Blank : Kind::Text;
            li.line = std::move(l);
            info_.push_back(std::move(li));
        }
        front_matter();
        markup();
        header_fields();
        tail();
        clutter_and_timestamps();
        header();
        photo_captions();
        collect_known_labels();
        paragraphs();
        finish();
        return std::move(doc_);
    }

private:
    // ------------------------------------------------------------ helpers
    void drop(const Line& l, std::string text, std::string reason) {
        doc_.dropped.push_back(Dropped{SourcePos{l.number, l.byte}, std::move(text), std::move(reason)});
    }
    void drop_line(std::size_t i, const std::string& reason) {
        if (info_[i].kind == Kind::Text) drop(info_[i].line, info_[i].line.text, reason);
        if (info_[i].kind != Kind::Blank) info_[i].kind = Kind::Dropped;
    }
    bool block_start(std::size_t i) const {
        return i == 0 || info_[i - 1].kind != Kind::Text;
    }

    bool is_connector(std::string_view w) const { return connectors_.count(text::lower_ascii(w)) > 0; }
    bool is_role(std::string_view label) const { return role_labels_.count(text::lower_ascii(label)) > 0; }
    bool is_question_role(std::string_view label) const {
        for (const auto& q : rules_.question_labels)
            if (text::iequals(q, label)) return true;
        return false;
    }

    // Could `s` be a person's (or role's) label? Bounded by max_label_chars.
    bool plausible_label(std::string_view s) const {
        if (s.empty() || s.size() > static_cast<std::size_t>(rules_.max_label_chars)) return false;
        const auto ws = text::words(s);
        if (ws.empty() || ws.size() > static_cast<std::size_t>(rules_.max_label_words)) return false;
        if (non_labels_.count(text::lower_ascii(s))) return false;
        if (ws.size() > 1 && non_label_openers_.count(text::lower_ascii(ws[0]))) return false;
        for (std::size_t k = 0; k < ws.size(); ++k) {
            const auto w = ws[k];
            const auto b0 = static_cast<unsigned char>(w[0]);
            const bool digit = b0 >= '0' && b0 <= '9';
            if (k == 0 && digit) return false;
            if (!(text::is_upper_letter(w[0]) || b0 >= 0xC0 || digit || is_connector(w))) return false;
            for (char c : w) {
                const auto b = static_cast<unsigned char>(c);
                const bool ok = b >= 0x80 || (b >= '0' && b <= '9') || text::is_upper_letter(c) ||
                                text::is_lower_letter(c) || c == '-' || c == '\'' || c == '.';
                if (!ok) return false;
                if (c == '.' && w.size() > 5) return false;  // "MR.", "J.", "Jr." only
            }
        }
        return true;
    }

    // A label at the start of `t`: "Sergey Lavrov: ...", "Question (retranslated): ...",
    // "Q   ...", "Q: ...". `strict_q` asks for two spaces after a bare "Q"
    // (a hard-wrapped line starting with "Q " is more likely text).
    std::optional<Label> label_at(std::string_view t, bool strict_q) const {
        if (t.size() >= 2 && t[0] == 'Q' && t[1] == ' ') {
            if (strict_q && !(t.size() >= 3 && t[2] == ' ')) return std::nullopt;
            std::size_t k = 1;
            while (k < t.size() && t[k] == ' ') ++k;
            if (k >= t.size()) return std::nullopt;
            return Label{"Q", "", "", k};
        }
        const std::size_t limit = std::min<std::size_t>(t.size(), rules_.max_label_chars + 40);
        // The first colon outside parentheses: "Speaker 1 (00:45): text".
        std::size_t colon = std::string_view::npos;
        for (std::size_t k = 0, depth = 0; k < limit; ++k) {
            if (t[k] == '(') ++depth;
            else if (t[k] == ')' && depth) --depth;
            else if (t[k] == ':' && depth == 0) { colon = k; break; }
        }
        if (colon == std::string_view::npos || colon == 0) return std::nullopt;
        // Corpus turns: "<TRUMP:> Well," (the bracket holds only the label) and
        // "<HOLT: Good evening ... >" (the bracket holds the whole turn).
        const bool angled = t[0] == '<';
        const bool closed = angled && colon + 1 < t.size() && t[colon + 1] == '>';
        if (!closed && colon + 1 < t.size() && t[colon + 1] != ' ') return std::nullopt;  // "10:30", "http://"
        auto l = label_text(t.substr(angled ? 1 : 0, colon - (angled ? 1 : 0)));
        if (!l) return std::nullopt;
        l->opens = angled && !closed;
        l->rest = colon + (closed ? 2 : 1);
        while (l->rest < t.size() && t[l->rest] == ' ') ++l->rest;
        return l;
    }

    // The part of a label before its colon: "Sergey Lavrov", "Question
    // (retranslated)", "(UNKNOWN)", "ANDERSON COOPER, CNN ANCHOR".
    std::optional<Label> label_text(std::string_view cand) const {
        cand = text::trim(cand);
        Label l;
        if (cand.size() > 2 && cand.front() == '(' && cand.back() == ')') {
            // "(UNKNOWN):" — a speaker the transcriber could not name.
            cand = text::trim(cand.substr(1, cand.size() - 2));
            if (cand.find_first_of("()") != std::string_view::npos || !plausible_label(cand)) return std::nullopt;
            l.label = std::string(cand);
            return l;
        }
        // "ANDERSON COOPER, CNN ANCHOR" and "SEN. BERNIE SANDERS (I-VT), PRESIDENTIAL
        // CANDIDATE": a first mention with the person's role after a comma.
        if (const std::size_t comma = cand.find(','); comma != std::string_view::npos) {
            const std::string_view role = text::trim(cand.substr(comma + 1));
            if (text::count_words(role) > 8 || !plausible_label(role)) return std::nullopt;
            l.role = std::string(role);
            cand = text::trim(cand.substr(0, comma));
        }
        if (!cand.empty() && cand.back() == ')') {
            const std::size_t open = cand.rfind('(');
            if (open == std::string_view::npos || open == 0) return std::nullopt;
            l.qualifier = std::string(text::trim(cand.substr(open + 1, cand.size() - open - 2)));
            if (text::count_words(l.qualifier) > 5 || l.qualifier.find_first_of("()") != std::string::npos)
                return std::nullopt;
            cand = text::trim(cand.substr(0, open));
        }
        if (!l.role.empty() && (text::count_words(cand) > 6 || is_role(cand))) return std::nullopt;
        if (!plausible_label(cand)) return std::nullopt;
        l.label = std::string(cand);
        return l;
    }

    static bool all_caps(std::string_view s) {
        bool letter = false;
        for (char c : s) {
            if (text::is_lower_letter(c)) return false;
            if (text::is_upper_letter(c)) letter = true;
        }
        return letter;
    }

    bool known(const std::string& label) const { return known_labels_.count(text::lower_ascii(label)) > 0; }

    // ------------------------------------------------------------ stages
    void front_matter() {
        std::size_t i = 0;
        while (i < info_.size() && info_[i].kind == Kind::Blank) ++i;
        if (i >= info_.size() || info_[i].line.text != "---") return;
        std::size_t end = i + 1;
        const std::size_t limit = std::min(info_.size(), i + 400);
        while (end < limit && info_[end].line.text != "---" && info_[end].line.text != "...") ++end;
        if (end >= limit) return;  // not closed: not front matter

        // key: value, with continuation lines folded into the previous value.
        std::vector<std::pair<std::string, std::string>> kv;
        static const std::regex key_re("^([A-Za-z_][A-Za-z0-9_-]*):(?: (.*))?$");
        for (std::size_t k = i + 1; k < end; ++k) {
            const std::string& t = info_[k].line.text;
            std::smatch m;
            if (t.size() <= kMaxRegexLine && std::regex_match(t, m, key_re))
                kv.emplace_back(m[1], m[2]);
            else if (!kv.empty())
                kv.back().second += "\n" + t;
        }
        for (auto& [key, raw] : kv) {
            const std::string v = yaml_scalar(raw);
            const std::string k = text::lower_ascii(key);
            if (k == "title" && doc_.meta.title.empty()) doc_.meta.title = v;
            else if (k == "date" && doc_.meta.date.empty()) {
                if (auto dt = parse_date_time(v.substr(0, std::min<std::size_t>(v.size(), 10)))) doc_.meta.date = dt->date;
            } else if (k == "time" && doc_.meta.time.empty()) {
                if (auto dt = parse_date_time(v)) doc_.meta.time = dt->time;
            } else if ((k == "place" || k == "location") && doc_.meta.place.empty()) {
                doc_.meta.place = v;
            }
        }
        std::string all;
        for (std::size_t k = i; k <= end; ++k) {
            if (!all.empty()) all += '\n';
            all += info_[k].line.text;
            if (info_[k].kind != Kind::Blank) info_[k].kind = Kind::Dropped;
        }
        drop(info_[i].line, all, "front matter");
    }

    static std::optional<char32_t> hex_code_point(std::string_view h) {
        char32_t v = 0;
        for (char c : h) {
            const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0) return std::nullopt;
            v = v * 16 + static_cast<char32_t>(d);
        }
        if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return std::nullopt;
        return v;
    }

    static void append_utf8(std::string& out, char32_t cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }

    // A YAML scalar as it reads: quotes removed, escapes and folds resolved.
    static std::string yaml_scalar(const std::string& raw) {
        std::string_view s = text::trim(raw);
        std::string out;
        if (!s.empty() && s[0] == '"') {
            for (std::size_t k = 1; k < s.size(); ++k) {
                const char c = s[k];
                if (c == '"') break;
                if (c == '\\' && k + 1 < s.size()) {
                    const char e = s[++k];
                    if (e == '\n') {
                        while (k + 1 < s.size() && s[k + 1] == ' ') ++k;
                    } else if (e == ' ' || e == '_' || e == 'n' || e == 't') {
                        out += ' ';
                    } else if (const int digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
                               digits && k + digits < s.size() && hex_code_point(s.substr(k + 1, digits))) {
                        // "L\xF3pez" → "López"
                        append_utf8(out, *hex_code_point(s.substr(k + 1, digits)));
                        k += digits;
                    } else {
                        out += e;
                    }
                } else if (c == '\n') {
                    out += ' ';
                } else {
                    out += c;
                }
            }
        } else if (!s.empty() && s[0] == '\'') {
            for (std::size_t k = 1; k < s.size(); ++k) {
                if (s[k] == '\'') {
                    if (k + 1 < s.size() && s[k + 1] == '\'') { out += '\''; ++k; continue; }
                    break;
                }
                out += s[k] == '\n' ? ' ' : s[k];
            }
        } else {
            for (char c : s) out += c == '\n' ? ' ' : c;
        }
        return text::collapse_spaces(out);
    }

    // Markdown and HTML left in a page's text: "<s>Uranian</s> \\[Ukrainian\\]"
    // reads "Ukrainian" (struck-through words are dropped, backslash escapes
    // removed, and the bracketed correction right after a strike-through
    // loses its brackets). Front matter is already gone, so its YAML escapes
    // are untouched.
    void markup() {
        for (auto& li : info_) {
            if (li.kind != Kind::Text) continue;
            std::string& t = li.line.text;
            if (t.find('\\') == std::string::npos && t.find("<s>") == std::string::npos &&
                t.find("<del>") == std::string::npos && t.find("<strike>") == std::string::npos &&
                t.find("~~") == std::string::npos)
                continue;
            static const std::string kEscapable = "\\`*_{}[]()#+-.!<>|~";
            std::string out;
            out.reserve(t.size());
            bool unbracket = false;  // the next "[...]" corrects a struck-through word
            for (std::size_t k = 0; k < t.size();) {
                if (unbracket && (t[k] == '[' || t.compare(k, 2, "\\[") == 0)) {
                    // "\\[Ukrainian\\]" after the struck word: keep the words, not the brackets.
                    const std::size_t from = k + (t[k] == '[' ? 1 : 2);
                    std::size_t e = from;
                    while (e < t.size() && e - k < 200 && t[e] != ']' && t[e] != '[' && t.compare(e, 2, "\\]") != 0) ++e;
                    if (e < t.size() && (t[e] == ']' || t.compare(e, 2, "\\]") == 0)) {
                        out.append(t, from, e - from);
                        k = e + (t[e] == ']' ? 1 : 2);
                        unbracket = false;
                        continue;
                    }
                }
                if (t[k] == '\\' && k + 1 < t.size() && kEscapable.find(t[k + 1]) != std::string::npos) {
                    out += t[k + 1];
                    k += 2;
                    unbracket = false;
                    continue;
                }
                std::size_t skip = 0;
                std::string_view close;
                for (auto [o, c] : {std::pair<std::string_view, std::string_view>{"<s>", "</s>"},
                                    {"<del>", "</del>"}, {"<strike>", "</strike>"}, {"~~", "~~"}}) {
                    if (t.compare(k, o.size(), o) == 0) { skip = o.size(); close = c; break; }
                }
                if (skip) {
                    // Bounded: a line full of unclosed "<s>" stays linear.
                    const std::size_t f = std::string_view(t).substr(k + skip, 200).find(close);
                    const std::size_t e = f == std::string_view::npos ? std::string::npos : k + skip + f;
                    // "~~~~" is a rule line, not an empty strike-through.
                    if (e != std::string::npos && text::has_word(std::string_view(t).substr(k + skip, e - k - skip))) {
                        drop(li.line, t.substr(k + skip, e - k - skip), "struck-through text");
                        k = e + close.size();
                        unbracket = true;
                        continue;
                    }
                }
                if (t[k] != ' ') unbracket = false;
                out += t[k++];
            }
            t = text::collapse_spaces(out);
            if (t.empty()) li.kind = Kind::Blank;
        }
    }

    // "Title: ...", "Date: ...", "Text Length: 51340 characters" and notices
    // like "FULL TRANSCRIPT:" above the first speaker label are the file's
    // header, never speakers or words to speak.
    void header_fields() {
        std::unordered_set<std::string> fields, notices;
        for (const auto& f : rules_.header_fields) fields.insert(text::lower_ascii(f));
        for (const auto& n : rules_.header_notices) notices.insert(text::lower_ascii(n));
        if (fields.empty() && notices.empty()) return;
        int text_lines = 0;
        for (std::size_t i = 0; i < info_.size() && text_lines < 40; ++i) {
            auto& li = info_[i];
            if (li.kind != Kind::Text) continue;
            ++text_lines;
            std::string_view t = li.line.text;
            if (t.size() > kMaxRegexLine) break;
            std::string_view bare = t;
            if (!bare.empty() && (bare.back() == ':' || bare.back() == '.')) bare.remove_suffix(1);
            if (notices.count(text::lower_ascii(text::trim(bare)))) {
                drop_line(i, "header: notice");
                continue;
            }
            const std::size_t colon = t.find(':');
            if (colon != std::string_view::npos && colon > 0 && colon < 30) {
                const std::string key = text::lower_ascii(text::trim(t.substr(0, colon)));
                if (fields.count(key)) {
                    header_field(key, std::string(text::trim(t.substr(colon + 1))));
                    drop_line(i, "header: " + key);
                    continue;
                }
            }
            // "Aired January 14, 2020 - 21:00 ET": a date field without its colon.
            const std::size_t sp = t.find(' ');
            if (sp != std::string_view::npos && sp < 30) {
                const std::string key = text::lower_ascii(t.substr(0, sp));
                if (fields.count(key) && date_field(key) && doc_.meta.date.empty()) {
                    header_field(key, std::string(text::trim(t.substr(sp + 1))));
                    if (!doc_.meta.date.empty()) {
                        drop_line(i, "header: " + key);
                        continue;
                    }
                }
            }
            if (block_start(i) && label_at(t, false)) break;  // the body begins
        }
    }

    static bool date_field(const std::string& key) {
        return key == "date" || key == "airdate" || key == "air date" || key == "aired" || key == "recorded" ||
               key == "recording date";
    }

    void header_field(const std::string& key, const std::string& value) {
        if (value.empty()) return;
        if (key == "title") {
            if (doc_.meta.title.empty()) doc_.meta.title = value;
        } else if (date_field(key)) {
            if (!doc_.meta.date.empty()) return;
            // "March 3, 2020", "2020-03-03 21:00", "Tuesday, March 3, 2020 - 9:00 PM ET"
            std::optional<DateTime> dt = parse_date_time(value);
            for (std::string_view cut : {" - ", " | ", " at ", " \xE2\x80\x94 ", " ("}) {
                if (dt) break;
                const std::size_t c = value.find(cut);
                if (c == std::string::npos) continue;
                dt = parse_date_time(value.substr(0, c));
                if (dt && dt->time.empty())  // "... - 9:00 PM ET"
                    if (auto tm = parse_date_time(value.substr(c + cut.size()))) dt->time = tm->time;
            }
            if (dt) {
                doc_.meta.date = dt->date;
                if (doc_.meta.time.empty()) doc_.meta.time = dt->time;
            }
        } else if (key == "time") {
            if (doc_.meta.time.empty())
                if (auto dt = parse_date_time(value)) doc_.meta.time = dt->time;
        } else if (key == "place" || key == "location" || key == "venue") {
            if (doc_.meta.place.empty()) doc_.meta.place = value;
        }
    }

    // The first tail marker after which no speaker label of the body recurs
    // ends the body. A label that occurs both before and after a marker line
    // means the talk goes on, so that marker is kept as text.
    void tail() {
        const std::size_t n = info_.size();
        // covered[i]: some label's first use is before i and its last use after.
        std::unordered_map<std::string, std::pair<std::size_t, std::size_t>> span;
        for (std::size_t i = 0; i < n; ++i) {
            if (info_[i].kind != Kind::Text || !block_start(i)) continue;
            if (auto l = label_at(info_[i].line.text, false)) {
                auto key = text::lower_ascii(l->label);
                auto it = span.find(key);
                if (it == span.end()) span.emplace(std::move(key), std::make_pair(i, i));
                else it->second.second = i;
            }
        }
        std::vector<int> diff(n + 1, 0);
        for (const auto& [k, fl] : span)
            if (fl.second > fl.first + 1) { diff[fl.first + 1] += 1; diff[fl.second] -= 1; }
        std::size_t text_lines = 0;
        for (const auto& li : info_) text_lines += li.kind == Kind::Text;
        const std::size_t window = std::max<std::size_t>(30, text_lines / 4);

        std::size_t after = 0;  // text lines after i
        std::vector<std::size_t> after_count(n, 0);
        for (std::size_t i = n; i-- > 0;) {
            after_count[i] = after;
            after += info_[i].kind == Kind::Text;
        }
        int cover = 0;
        for (std::size_t i = 0; i < n; ++i) {
            cover += diff[i];
            if (info_[i].kind != Kind::Text || after_count[i] > window || cover > 0) continue;
            std::string_view t = info_[i].line.text;
            if (t.size() > 60) continue;
            if (!t.empty() && t.back() == ':') t.remove_suffix(1);
            bool marker = false;
            for (const auto& m : rules_.tail_markers)
                if (text::iequals(text::trim(t), m)) { marker = true; break; }
            if (!marker) continue;
            const std::string reason = "tail: " + std::string(text::trim(t));
            for (std::size_t k = i; k < n; ++k) drop_line(k, reason);
            return;
        }
    }

    void clutter_and_timestamps() {
        for (std::size_t i = 0; i < info_.size(); ++i) {
            auto& li = info_[i];
            if (li.kind != Kind::Text || li.line.text.size() > kMaxRegexLine) continue;
            if (is_timestamp_line(li.line.text)) {
                if (doc_.meta.time.empty() && !seen_body_label_before(i))
                    if (auto dt = parse_date_time(li.line.text)) doc_.meta.time = dt->time;
                drop_line(i, "timestamp");
                continue;
            }
            for (std::size_t k = 0; k < clutter_.size(); ++k) {
                if (RE2::FullMatch(li.line.text, *clutter_[k])) {
                    drop_line(i, rules_.clutter_lines[k].reason);
                    break;
                }
            }
        }
    }

    bool seen_body_label_before(std::size_t i) {
        // Header time-stamps come before the first speaker label.
        while (first_label_scan_ < info_.size() && first_label_scan_ < i) {
            const auto& li = info_[first_label_scan_];
            if (li.kind == Kind::Text && block_start(first_label_scan_) && label_at(li.line.text, false))
                first_label_ = std::min(first_label_, first_label_scan_);
            ++first_label_scan_;
        }
        return first_label_ < i;
    }

    // Date, time, place and title lines near the top, before the first label.
    void header() {
        bool after_datetime = false;
        std::size_t after_place = static_cast<std::size_t>(-1);  // the line right after a place line
        int prose_blocks = 0;
        int blocks = 0;
        bool in_prose = false;
        for (std::size_t i = 0; i < info_.size() && blocks < 14 && prose_blocks < 2; ++i) {
            auto& li = info_[i];
            if (li.kind != Kind::Text) {
                if (in_prose) { ++prose_blocks; in_prose = false; }
                if (li.kind == Kind::Blank && i > 0 && info_[i - 1].kind == Kind::Text) ++blocks;
                continue;
            }
            const std::string& t = li.line.text;
            const bool starts = block_start(i);
            if (starts && label_at(t, false)) break;
            if (auto dt = parse_date_time(t)) {
                if (doc_.meta.date.empty()) doc_.meta.date = dt->date;
                if (doc_.meta.time.empty()) doc_.meta.time = dt->time;
                drop_line(i, "header: date and time");
                after_datetime = true;
                continue;
            }
            if (after_datetime && doc_.meta.place.empty() && looks_like_place(t)) {
                doc_.meta.place = t;
                drop_line(i, "header: place");
                after_datetime = false;
                continue;
            }
            after_datetime = false;
            const bool place_line = t.size() <= kMaxRegexLine && matches_any(place_, t);
            // "National Palace" then "Mexico City, Mexico" on the next line of the block.
            if (place_line || (after_place == i && looks_like_place(t))) {
                doc_.meta.place += (doc_.meta.place.empty() ? "" : ", ") + t;
                drop_line(i, "header: place");
                after_place = i + 1;
                continue;
            }
            const bool single = starts && (i + 1 >= info_.size() || info_[i + 1].kind != Kind::Text);
            if (doc_.meta.title.empty() && !title_tried_ && prose_blocks == 0 && !in_prose && single) {
                title_tried_ = true;
                if (looks_like_title(t)) {
                    doc_.meta.title = t;
                    drop_line(i, "header: title");
                    continue;
                }
            }
            in_prose = true;
        }
        if (doc_.meta.title.empty()) doc_.warnings.push_back("no title line found; the title is left empty");
        title_place_and_date();
    }

    static bool matches_any(const std::vector<std::unique_ptr<RE2>>& res, const std::string& t) {
        for (const auto& r : res)
            if (RE2::FullMatch(t, *r)) return true;
        return false;
    }

    static bool looks_like_place(const std::string& t) {
        if (t.size() > 60 || text::count_words(t) > 4) return false;
        if (!text::is_upper_letter(t[0]) && static_cast<unsigned char>(t[0]) < 0xC0) return false;
        for (char c : t)
            if ((c >= '0' && c <= '9') || c == ':' || c == '.' || c == '!' || c == '?' || c == ';') return false;
        return true;
    }

    static bool looks_like_title(const std::string& t) {
        const std::size_t n = text::count_words(t);
        if (n < 2 || n > 60) return false;
        const auto b0 = static_cast<unsigned char>(t[0]);
        if (!text::is_upper_letter(t[0]) && !(b0 >= '0' && b0 <= '9') && b0 < 0xC0 && t[0] != '"') return false;
        const char last = t.back();
        return !(last == '.' || last == ',' || last == ';' || last == ':' || last == '!');
    }

    // "..., Volgograd, August 30, 2021" at the end of the title.
    void title_place_and_date() {
        const std::string& t = doc_.meta.title;
        if (t.empty() || t.size() > 600) return;
        static const std::regex tail_re("^.*,\\s+([^,]{2,40}),\\s+(" + kMonthRe + "\\s+\\d{1,2},?\\s+\\d{4}|\\d{1,2}\\s+" +
                                        kMonthRe + ",?\\s+\\d{4})$");
        std::smatch m;
        if (!std::regex_match(t, m, tail_re)) return;
        if (doc_.meta.place.empty() && looks_like_place(m[1])) doc_.meta.place = m[1];
        if (doc_.meta.date.empty())
            if (auto dt = parse_date_time(m[2])) doc_.meta.date = dt->date;
    }

    // A short unlabelled block printed twice in a row (kremlin.ru repeats each
    // photo caption), or the title repeated with a full stop, is a caption.
    void photo_captions() {
        struct B { std::size_t first, last; std::string text; };
        std::vector<B> bs;
        for (std::size_t i = 0; i < info_.size();) {
            if (info_[i].kind != Kind::Text) { ++i; continue; }
            B b{i, i, {}};
            std::size_t len = 0;
            while (b.last + 1 < info_.size() && info_[b.last + 1].kind == Kind::Text) ++b.last;
            for (std::size_t k = i; k <= b.last; ++k) len += info_[k].line.text.size() + 1;
            if (len <= 600) {
                for (std::size_t k = i; k <= b.last; ++k) b.text += info_[k].line.text + " ";
                b.text = text::collapse_spaces(b.text);
            }
            i = b.last + 1;
            bs.push_back(std::move(b));
        }
        const std::string& title = doc_.meta.title;
        auto caption = [&](const B& b) {
            return !b.text.empty() && text::count_words(b.text) <= 60 && !label_at(b.text, false);
        };
        auto drop_block = [&](const B& b, const char* why) {
            for (std::size_t k = b.first; k <= b.last; ++k) drop_line(k, why);
        };
        for (std::size_t k = 0; k < bs.size(); ++k) {
            if (!caption(bs[k])) continue;
            if (k + 1 < bs.size() && bs[k + 1].text == bs[k].text) {
                drop_block(bs[k], "clutter: photo caption (printed twice)");
                drop_block(bs[k + 1], "clutter: photo caption (printed twice)");
                ++k;
            } else if (!title.empty() && (bs[k].text == title || bs[k].text == title + ".")) {
                drop_block(bs[k], "clutter: photo caption (the title repeated)");
            }
        }
    }

    void collect_known_labels() {
        for (std::size_t i = 0; i < info_.size(); ++i)
            if (info_[i].kind == Kind::Text && block_start(i))
                if (auto l = label_at(info_[i].line.text, false)) known_labels_.insert(text::lower_ascii(l->label));
        // An all-capitals label first seen mid-line ("... QUICK: Senator") is a
        // speaker too, so its later turns split hard-wrapped blocks and glued
        // dashes ("now—QUICK:") like any other known label.
        for (const auto& li : info_) {
            if (li.kind != Kind::Text) continue;
            const std::string& t = li.line.text;
            for (std::size_t k = 0; k + 2 < t.size(); ++k) {
                const std::size_t after = mid_line_separator(t, k);
                if (!after) continue;
                std::size_t s = after;
                while (s < t.size() && t[s] == ' ') ++s;
                if (s > after || t.compare(k, 3, "...") == 0)
                    if (auto l = label_at(std::string_view(t).substr(s), false); l && l->label != "Q" && all_caps(l->label))
                        known_labels_.insert(text::lower_ascii(l->label));
                k = after - 1;
            }
        }
    }

    // "...", "--" or an em dash at t[k]: the offset just after it, else 0.
    static std::size_t mid_line_separator(const std::string& t, std::size_t k) {
        if (t.compare(k, 3, "...") == 0) return k + 3;
        if (t.compare(k, 3, "\xE2\x80\x94") == 0) return k + 3;  // em dash
        if (t.compare(k, 2, "--") == 0) return k + 2;
        return 0;
    }

    // "Speaker 1  0:03" (Otter): a name, then a time-stamp, alone on a line.
    std::optional<std::string> otter_header(const std::string& t) const {
        if (t.size() > static_cast<std::size_t>(rules_.max_label_chars) + 12) return std::nullopt;
        const std::size_t sp = t.rfind(' ');
        if (sp == std::string::npos) return std::nullopt;
        const std::string stamp = t.substr(sp + 1);
        static const std::regex ts("^(\\d{1,2}:)?\\d{1,2}:\\d{2}$");
        if (!std::regex_match(stamp, ts)) return std::nullopt;
        std::string name(text::trim(std::string_view(t).substr(0, sp)));
        if (!plausible_label(name)) return std::nullopt;
        return name;
    }

    // One unit of text (a block, a line of a block, or a labelled part).
    struct Unit {
        std::vector<std::size_t> lines;
    };

    void paragraphs() {
        std::optional<std::pair<Label, SourcePos>> pending;  // a label alone on its line
        bool corpus_open = false;
        auto flush_pending = [&]() {
            if (pending) {
                doc_.dropped.push_back(Dropped{pending->second, pending->first.label, "label (no text followed it)"});
                pending.reset();
            }
        };
        std::size_t i = 0;
        while (i < info_.size()) {
            if (info_[i].kind != Kind::Text) { ++i; continue; }
            std::size_t last = i;
            while (last + 1 < info_.size() && info_[last + 1].kind == Kind::Text) ++last;
            // Hard-wrapped blocks (every line but the last short) are one paragraph;
            // otherwise each line is one. A known label at a line start always
            // starts a new paragraph.
            bool wrapped = true;
            for (std::size_t k = i; k < last; ++k)
                if (info_[k].line.text.size() > 100) { wrapped = false; break; }
            std::vector<Unit> units;
            for (std::size_t k = i; k <= last; ++k) {
                const std::string& t = info_[k].line.text;
                bool starts = units.empty() || !wrapped;
                if (!starts) {
                    auto l = label_at(t, true);
                    // "<NAME:" at a line start is a corpus turn whatever the name.
                    starts = (l && (known(l->label) || is_role(l->label) || t[0] == '<')) || otter_header(t);
                }
                if (starts) units.emplace_back();
                units.back().lines.push_back(k);
            }
            for (auto& u : units) emit_unit(u, pending, corpus_open, flush_pending);
            i = last + 1;
        }
        flush_pending();
    }

    template <class Flush>
    void emit_unit(const Unit& u, std::optional<std::pair<Label, SourcePos>>& pending, bool& corpus_open,
                   Flush& flush_pending) {
        const Line& first = info_[u.lines.front()].line;
        SourcePos pos{first.number, first.byte};
        std::size_t from = 0;  // first line of the unit that holds text
        std::optional<Label> lab;

        if (auto name = otter_header(first.text)) {
            flush_pending();
            const std::size_t sp = first.text.rfind(' ');
            drop(first, first.text.substr(sp + 1), "timestamp");
            Label l;
            l.label = *name;
            if (u.lines.size() == 1) { pending.emplace(l, pos); return; }
            lab = l;
            from = 1;
        }
        std::string t;
        for (std::size_t k = from; k < u.lines.size(); ++k) {
            if (!t.empty()) t += ' ';
            t += info_[u.lines[k]].line.text;
        }
        if (from == 1) pos = SourcePos{info_[u.lines[1]].line.number, info_[u.lines[1]].line.byte};
        t = text::collapse_spaces(t);

        // Leading time-stamp: "[00:01:23] text".
        static const std::regex lead_ts("^[\\[(]?(\\d{1,2}:)?\\d{1,2}:\\d{2}[\\])]?\\s+");
        std::smatch m;
        if (std::regex_search(t.cbegin(), t.cbegin() + std::min<std::size_t>(t.size(), 24), m, lead_ts)) {
            drop(first, m.str(0), "timestamp");
            t.erase(0, m.length(0));
        }
        // Corpus turns: "<NAME: text <APPLAUSE> more text>" and "<NAME:> text".
        if (!lab) {
            if (auto l = label_at(t, false)) {
                if (t[0] == '<') corpus_open = l->opens;
                lab = *l;
                t.erase(0, l->rest);
            }
        }
        if (corpus_open && !t.empty() && t.back() == '>') {
            if (std::count(t.begin(), t.end(), '>') > std::count(t.begin(), t.end(), '<')) {
                t.pop_back();
                corpus_open = false;
            }
        }
        if (lab) {
            // Rev-style time-stamps: "Speaker 1 (00:45):", "Joe Biden: (00:01) Thank you."
            if (is_stamp(lab->qualifier)) {
                drop(first, lab->qualifier, "timestamp");
                lab->qualifier.clear();
            }
            if (!t.empty() && (t[0] == '(' || t[0] == '[')) {
                const std::size_t close = t.find_first_of(")]", 1);
                if (close != std::string::npos && close < 24) {
                    std::size_t end = close + 1;
                    if (end < t.size() && (t[end] == ')' || t[end] == ']')) ++end;  // "([01:02:03])"
                    if (is_stamp(t.substr(0, end))) {
                        drop(first, t.substr(0, end), "timestamp");
                        t = text::collapse_spaces(std::string_view(t).substr(end));
                    }
                }
            }
            // "(As interpreted.)" right after the label qualifies it.
            if (!t.empty() && t[0] == '(') {
                const std::size_t close = t.find(')');
                if (close != std::string::npos && close < 60) {
                    std::string inner(text::trim(std::string_view(t).substr(1, close - 1)));
                    while (!inner.empty() && inner.back() == '.') inner.pop_back();
                    if (starts_with_word(inner, rules_.qualifier_words)) {
                        lab->qualifier += (lab->qualifier.empty() ? "" : "; ") + inner;
                        t = text::collapse_spaces(std::string_view(t).substr(close + 1));
                    }
                }
            }
            if (!text::has_word(t)) {
                flush_pending();
                pending.emplace(*lab, pos);
                if (!t.empty()) drop(first, t, "punctuation");
                return;
            }
            flush_pending();
        } else if (pending) {
            lab = pending->first;
            pos = pending->second;
            pending.reset();
        }
        split_and_emit(t, lab ? *lab : Label{}, pos);
    }

    // "00:45", "(00:01)", "([01:02:03])": a time-stamp and nothing else.
    static bool is_stamp(std::string s) {
        if (s.empty() || s.size() > 24) return false;
        while (s.size() > 2 && (s[0] == '(' || s[0] == '[') && (s.back() == ')' || s.back() == ']'))
            s = s.substr(1, s.size() - 2);
        return s.find(':') != std::string::npos && is_timestamp_line(s);
    }

    static bool starts_with_word(const std::string& s, const std::vector<std::string>& list) {
        for (const auto& w : list) {
            if (!text::istarts_with(s, w)) continue;
            if (s.size() == w.size()) return true;
            const char c = s[w.size()];
            if (!(text::is_lower_letter(c) || text::is_upper_letter(c))) return true;
        }
        return false;
    }

    bool stage_content(std::string_view inner, char open) const {
        std::string c(text::trim(inner));
        while (!c.empty() && (c.back() == '.' || c.back() == '!' || c.back() == ' ')) c.pop_back();
        if (c.empty() || text::count_words(c) > 8) return false;
        if (starts_with_word(c, rules_.stage_direction_words)) return true;
        // <LAUGH>, <NOISE>: an all-capitals tag in angle brackets is never speech.
        return open == '<' && all_caps(c) && text::count_words(c) <= 4;
    }

    struct Piece {
        std::string text;
        bool stage = false;
        std::optional<Label> label;  // a second label mid-line
        std::size_t offset = 0;
        bool glue = false;           // continues the text piece before it (a note was cut out between)
    };

    bool inline_note(std::string_view inner) const {
        std::string c(text::trim(inner));
        while (!c.empty() && (c.back() == '.' || c.back() == ' ')) c.pop_back();
        for (const auto& w : rules_.inline_notes)
            if (text::iequals(c, w)) return true;
        return false;
    }

    // Is t[b, e] (a stage note) inside a sentence: words before it since the
    // last cut at `start` that do not end a sentence, and words after it before
    // any sentence-ending mark? Both looks are bounded, so the scan stays linear.
    static bool inside_sentence(const std::string& t, std::size_t start, std::size_t b, std::size_t e) {
        std::size_t p = b;
        while (p > start && t[p - 1] == ' ') --p;
        if (p == start) return false;  // the paragraph (or piece) starts here
        std::size_t q = p;
        while (q > start && p - q < 4 && (t[q - 1] == '"' || t[q - 1] == '\'' || t[q - 1] == ')' || t[q - 1] == ']')) --q;
        if (q > start && (t[q - 1] == '.' || t[q - 1] == '!' || t[q - 1] == '?')) return false;
        if (!text::has_word(std::string_view(t).substr(start, b - start))) return false;
        std::size_t n = e + 1;
        while (n < t.size() && t[n] == ' ') ++n;
        if (n >= t.size() || t[n] == '.' || t[n] == '!' || t[n] == '?') return false;  // it ends the sentence
        return text::has_word(std::string_view(t).substr(n, 200));
    }

    // Splits at stage directions and at "... LABEL:" and emits paragraphs.
    void split_and_emit(const std::string& t, const Label& lab, SourcePos pos) {
        emit(tidy_pieces(cut_pieces(t, pos), pos), lab, pos);
    }

    // A line cut into pieces: text, stage directions, and labels of a second
    // speaker mid-line; transcribers' notes are cut out (and recorded).
    std::vector<Piece> cut_pieces(const std::string& t, SourcePos pos) {
        std::vector<Piece> pieces;
        std::size_t start = 0;
        bool glue_next = false;
        auto text_piece = [&](std::size_t a, std::size_t b) {
            if (b > a) {
                pieces.push_back(Piece{std::string(t, a, b - a), false, std::nullopt, a, glue_next});
                glue_next = false;
            }
        };
        std::size_t k = 0;
        while (k < t.size()) {
            const char c = t[k];
            if (c == '(' || c == '[' || c == '<') {
                const char close = c == '(' ? ')' : c == '[' ? ']' : '>';
                // Look no further than a stage direction can be long: a 1 MB
                // line full of "(" must stay linear.
                const std::size_t window = std::min(t.size(), k + 1 + kMaxDirectionChars);
                const std::size_t found = std::string_view(t).substr(k + 1, window - k - 1).find(close);
                const std::size_t e = found == std::string_view::npos ? std::string::npos : k + 1 + found;
                const std::string_view body =
                    e == std::string::npos ? std::string_view() : std::string_view(t).substr(k + 1, e - k - 1);
                if (e != std::string::npos && body.find(c) == std::string_view::npos && c != '<' &&
                    inline_note(body)) {
                    // "Rzeszow (ph)", "their [sic]": a transcriber's note, cut out without a pause.
                    doc_.dropped.push_back(Dropped{pos, std::string(t, k, e - k + 1), "transcriber's note"});
                    text_piece(start, k);
                    glue_next = !pieces.empty() && !pieces.back().stage;
                    k = start = e + 1;
                    continue;
                }
                if (e != std::string::npos && body.find(c) == std::string_view::npos && stage_content(body, c)) {
                    std::string inner(text::trim(body));
                    if (inside_sentence(t, start, k, e)) {
                        // A note mid-sentence never splits the sentence: drop it, keep the words together.
                        doc_.dropped.push_back(Dropped{pos, std::string(t, k, e - k + 1), "stage direction (inside a sentence)"});
                        text_piece(start, k);
                        glue_next = true;
                        k = start = e + 1;
                        continue;
                    }
                    text_piece(start, k);
                    pieces.push_back(Piece{inner, true, std::nullopt, k});
                    k = start = e + 1;
                    continue;
                }
            }
            // "... TRUMP: Well," — a second speaker mid-line.
            // A glued dash ("now—QUICK:") only before a label already known.
            if (const std::size_t after = mid_line_separator(t, k)) {
                std::size_t s = after;
                while (s < t.size() && t[s] == ' ') ++s;
                const bool spaced = s > after || t.compare(k, 3, "...") == 0;
                {
                    if (auto l = label_at(std::string_view(t).substr(s), false);
                        l && l->label != "Q" &&
                        (known(l->label) || is_role(l->label) || (spaced && all_caps(l->label)))) {
                        text_piece(start, after);
                        glue_next = false;
                        Piece p{std::string(), false, *l, s};
                        pieces.push_back(std::move(p));
                        k = start = s + l->rest;
                        pieces.back().offset = start;
                        continue;
                    }
                }
                k = after;
                continue;
            }
            ++k;
        }
        text_piece(start, t.size());
        return pieces;
    }

    // A labelled marker merged with the text after it, the words after a note
    // back into their sentence, stray punctuation given back; spaces tidied.
    std::vector<Piece> tidy_pieces(std::vector<Piece> pieces, SourcePos pos) {
        // Merge a labelled marker with the text after it; tidy spaces.
        std::vector<Piece> out;
        std::size_t last_text = static_cast<std::size_t>(-1);  // index in out of the last text piece
        for (std::size_t p = 0; p < pieces.size(); ++p) {
            Piece cur = std::move(pieces[p]);
            if (cur.glue && !cur.stage && !cur.label && !out.empty() && !out.back().stage) {
                // The words after a note cut out of a sentence: back into that sentence.
                std::string rest(text::trim(cur.text));
                // "I'll — (laughter) — I'll adjust": one dash, not two.
                for (std::string_view dash : {std::string_view("\xE2\x80\x94"), std::string_view("--")}) {
                    const std::string_view before = text::trim(out.back().text);
                    if (before.size() >= dash.size() && before.substr(before.size() - dash.size()) == dash &&
                        rest.compare(0, dash.size(), dash) == 0)
                        rest = std::string(text::trim(std::string_view(rest).substr(dash.size())));
                }
                const bool tight = !rest.empty() && std::string_view(".,;:!?)").find(rest[0]) != std::string_view::npos;
                // Appended in place: a line with thousands of notes stays linear.
                std::string& host = out.back().text;
                while (!host.empty() && host.back() == ' ') host.pop_back();
                const std::string tidy = text::collapse_spaces(rest);
                if (!tidy.empty()) {
                    if (!tight && !host.empty()) host += ' ';
                    host += tidy;
                }
                continue;
            }
            if (cur.label && !cur.stage) {
                if (p + 1 < pieces.size() && !pieces[p + 1].stage && !pieces[p + 1].label) {
                    cur.text = std::move(pieces[p + 1].text);
                    ++p;
                }
            }
            cur.text = text::collapse_spaces(cur.text);
            if (!cur.stage && !text::has_word(cur.text)) {
                // Punctuation left behind by a split: "Appreciate (inaudible)."
                // The last text piece, remembered: a run of stage notes stays linear.
                Piece* host = last_text < out.size() ? &out[last_text] : nullptr;
                if (host && !cur.text.empty() && !cur.label) host->text += cur.text;
                else if (!cur.text.empty()) doc_.dropped.push_back(Dropped{pos, cur.text, "punctuation"});
                if (cur.label) doc_.dropped.push_back(Dropped{pos, cur.label->label, "label (no text followed it)"});
                continue;
            }
            if (cur.stage && cur.text.empty()) continue;
            out.push_back(std::move(cur));
            if (!out.back().stage) last_text = out.size() - 1;
        }
        return out;
    }

    // The pieces as paragraphs; the first carries the line's label.
    void emit(std::vector<Piece> out, const Label& lab, SourcePos pos) {
        bool first = true;
        for (auto& piece : out) {
            Paragraph para;
            para.pos = pos;
            if (piece.offset && pos.line) para.pos.byte += piece.offset;  // approximate for wrapped lines
            if (first) { para.label = lab.label; para.qualifier = lab.qualifier; para.label_role = lab.role; }
            if (piece.label) {
                para.label = piece.label->label;
                para.qualifier = piece.label->qualifier;
                para.label_role = piece.label->role;
            }
            para.text = std::move(piece.text);
            para.stage_direction = piece.stage;
            doc_.paragraphs.push_back(std::move(para));
            first = false;
        }
    }

    void finish() {
        // Stages drop in their own order; users read the list in file order.
        std::stable_sort(doc_.dropped.begin(), doc_.dropped.end(), [](const Dropped& a, const Dropped& b) {
            return a.pos.line != b.pos.line ? a.pos.line < b.pos.line : a.pos.byte < b.pos.byte;
        });
        if (doc_.paragraphs.empty()) {
            std::size_t last_line = info_.empty() ? 0 : info_.back().line.number;
            throw InputError(filename_ + ": line " + std::to_string(last_line),
                             "no text to speak: the file's " + counted(last_line, "line") +
                                 " held only headers, labels, page clutter or punctuation (" +
                                 counted(doc_.dropped.size(), "item") + " removed)",
                             "check that this is a transcript; `turncast plan --show-dropped` lists what was removed "
                             "and why, and voices/rules.toml holds the clutter patterns");
        }
        bool any_label = false;
        for (const auto& p : doc_.paragraphs)
            if (!p.label.empty()) { any_label = true; break; }
        if (!any_label)
            doc_.warnings.push_back("no speaker labels found (like \"Name:\" or \"Question:\"): the whole text is "
                                    "read by one voice");
    }

    const Rules& rules_;
    std::string filename_;
    std::vector<std::unique_ptr<RE2>> clutter_, place_;
    std::unordered_set<std::string> connectors_, non_labels_, non_label_openers_, role_labels_, known_labels_;
    std::vector<LineInfo> info_;
    Document doc_;
    bool title_tried_ = false;
    std::size_t first_label_ = static_cast<std::size_t>(-1);
    std::size_t first_label_scan_ = 0;
};

}  // namespace

Document parse_transcript(std::string_view bytes, const std::string& filename, const Rules& rules) {
    return Parser(rules, filename).run(bytes);
}

}  // namespace turncast::parse
