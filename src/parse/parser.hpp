// The parser (private to src/parse): its stages are defined in head.cpp
// (front matter, markup, header fields, tail, clutter, header, photo
// captions) and body.cpp (labels, paragraphs, stage directions, notes);
// parse.cpp runs them. See parse.cpp for the order.
#pragma once

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

namespace turncast::parse::detail {

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

// Dates and times as the transcripts write them (parse.cpp).
struct DateTime { std::string date, time, zone; };  // zone: as written ("EDT") or empty
// A month name as a regex group: "Aug", "August", "Aug.".
extern const std::string kMonthRe;
std::optional<DateTime> parse_date_time(const std::string& line);
bool is_timestamp_line(const std::string& line);

// ---------------------------------------------------------------- the parser

// A rules-file regex on RE2 (linear time); load_rules checked it.
std::unique_ptr<RE2> data_regex(const std::string& pattern);

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

    Document run(std::string_view bytes);

private:
    // ------------------------------------------------------------ helpers
    void drop(const Line& l, std::string text, std::string reason);
    void drop_line(std::size_t i, const std::string& reason);
    bool block_start(std::size_t i) const;

    bool is_connector(std::string_view w) const { return connectors_.count(text::lower_ascii(w)) > 0; }
    bool is_role(std::string_view label) const { return role_labels_.count(text::lower_ascii(label)) > 0; }
    bool is_question_role(std::string_view label) const;

    // Could `s` be a person's (or role's) label? Bounded by max_label_chars.
    bool plausible_label(std::string_view s) const;

    // A label at the start of `t`: "Sergey Lavrov: ...", "Question (retranslated): ...",
    // "Q   ...", "Q: ...". `strict_q` asks for two spaces after a bare "Q"
    // (a hard-wrapped line starting with "Q " is more likely text).
    std::optional<Label> label_at(std::string_view t, bool strict_q) const;

    // The part of a label before its colon: "Sergey Lavrov", "Question
    // (retranslated)", "(UNKNOWN)", "ANDERSON COOPER, CNN ANCHOR".
    std::optional<Label> label_text(std::string_view cand) const;

    static bool all_caps(std::string_view s);

    bool known(const std::string& label) const { return known_labels_.count(text::lower_ascii(label)) > 0; }

    // ------------------------------------------------------------ stages
    void front_matter();

    static std::optional<char32_t> hex_code_point(std::string_view h);

    static void append_utf8(std::string& out, char32_t cp);

    // A YAML scalar as it reads: quotes removed, escapes and folds resolved.
    static std::string yaml_scalar(const std::string& raw);

    // Markdown and HTML left in a page's text: "<s>Uranian</s> \\[Ukrainian\\]"
    // reads "Ukrainian" (struck-through words are dropped, backslash escapes
    // removed, and the bracketed correction right after a strike-through
    // loses its brackets). Front matter is already gone, so its YAML escapes
    // are untouched.
    void markup();

    // "Title: ...", "Date: ...", "Text Length: 51340 characters" and notices
    // like "FULL TRANSCRIPT:" above the first speaker label are the file's
    // header, never speakers or words to speak.
    void header_fields();

    static bool date_field(const std::string& key);

    void header_field(const std::string& key, const std::string& value);

    // The first tail marker after which no speaker label of the body recurs
    // ends the body. A label that occurs both before and after a marker line
    // means the talk goes on, so that marker is kept as text.
    void tail();

    void clutter_and_timestamps();

    bool seen_body_label_before(std::size_t i);

    // Date, time, place and title lines near the top, before the first label.
    void header();

    static bool matches_any(const std::vector<std::unique_ptr<RE2>>& res, const std::string& t);

    static bool looks_like_place(const std::string& t);

    static bool looks_like_title(const std::string& t);

    // "..., Volgograd, August 30, 2021" at the end of the title.
    void title_place_and_date();

    // A short unlabelled block printed twice in a row (kremlin.ru repeats each
    // photo caption), or the title repeated with a full stop, is a caption.
    void photo_captions();

    void collect_known_labels();

    // "...", "--" or an em dash at t[k]: the offset just after it, else 0.
    static std::size_t mid_line_separator(const std::string& t, std::size_t k);

    // "Speaker 1  0:03" (Otter): a name, then a time-stamp, alone on a line.
    std::optional<std::string> otter_header(const std::string& t) const;

    // One unit of text (a block, a line of a block, or a labelled part).
    struct Unit {
        std::vector<std::size_t> lines;
    };

    void paragraphs();

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
    static bool is_stamp(std::string s);

    static bool starts_with_word(const std::string& s, const std::vector<std::string>& list);

    bool stage_content(std::string_view inner, char open) const;

    struct Piece {
        std::string text;
        bool stage = false;
        std::optional<Label> label;  // a second label mid-line
        std::size_t offset = 0;
        bool glue = false;           // continues the text piece before it (a note was cut out between)
    };

    bool inline_note(std::string_view inner) const;

    // Is t[b, e] (a stage note) inside a sentence: words before it since the
    // last cut at `start` that do not end a sentence, and words after it before
    // any sentence-ending mark? Both looks are bounded, so the scan stays linear.
    static bool inside_sentence(const std::string& t, std::size_t start, std::size_t b, std::size_t e);

    // Splits at stage directions and at "... LABEL:" and emits paragraphs.
    void split_and_emit(const std::string& t, const Label& lab, SourcePos pos);

    // A line cut into pieces: text, stage directions, and labels of a second
    // speaker mid-line; transcribers' notes are cut out (and recorded).
    std::vector<Piece> cut_pieces(const std::string& t, SourcePos pos);

    // A labelled marker merged with the text after it, the words after a note
    // back into their sentence, stray punctuation given back; spaces tidied.
    std::vector<Piece> tidy_pieces(std::vector<Piece> pieces, SourcePos pos);

    // The pieces as paragraphs; the first carries the line's label.
    void emit(std::vector<Piece> out, const Label& lab, SourcePos pos);

    // The first time found is the event's, with its zone if written ("EDT").
    void set_time(const DateTime& dt) {
        if (!doc_.meta.time.empty() || dt.time.empty()) return;
        doc_.meta.time = dt.time;
        zone_written_ = dt.zone;
    }

    // Checks, and the zone from the time's abbreviation or the place.
    void finish();

    const Rules& rules_;
    std::string filename_;
    std::vector<std::unique_ptr<RE2>> clutter_, place_;
    std::unordered_set<std::string> connectors_, non_labels_, non_label_openers_, role_labels_, known_labels_;
    std::vector<LineInfo> info_;
    Document doc_;
    std::string zone_written_;
    bool title_tried_ = false;
    std::size_t first_label_ = static_cast<std::size_t>(-1);
    std::size_t first_label_scan_ = 0;
};

}  // namespace turncast::parse::detail
