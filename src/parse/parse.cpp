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
#include "parse/parser.hpp"

namespace turncast::parse {

namespace detail {

namespace {

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

const std::string kTimeRe = "(\\d{1,2}):(\\d{2})(?:\\s*([AaPp])\\.?\\s*[Mm]\\.?)?(?:\\s+([A-Z]{2,5}))?";

}  // namespace

const std::string kMonthRe =
    "(Jan(?:uary|\\.)?|Feb(?:ruary|\\.)?|Mar(?:ch|\\.)?|Apr(?:il|\\.)?|May|June?|July?|"
    "Aug(?:ust|\\.)?|Sep(?:t(?:ember|\\.)?|\\.)?|Oct(?:ober|\\.)?|Nov(?:ember|\\.)?|Dec(?:ember|\\.)?)";

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
        dt.zone = m[7];
    } else if (std::regex_match(line, m, mdy)) {
        dt.date = iso_date(std::stoi(m[3]), month_number(m[1]), std::stoi(m[2]));
        if (m[4].matched) dt.time = hh_mm(m[4], m[5], m[6]);
        dt.zone = m[7];
    } else if (std::regex_match(line, m, ymd)) {
        dt.date = iso_date(std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3]));
        if (m[4].matched) dt.time = hh_mm(m[4], m[5], "");
    } else if (std::regex_match(line, m, tm)) {
        dt.time = hh_mm(m[1], m[2], m[3]);
        dt.zone = m[4];
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

// A rules-file regex on RE2 (linear time: no pattern in a data file can
// backtrack for minutes); load_rules checked them.
std::unique_ptr<RE2> data_regex(const std::string& pattern) {
    RE2::Options o;
    o.set_log_errors(false);
    return std::make_unique<RE2>(pattern, o);
}

Document Parser::run(std::string_view bytes) {
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
void Parser::drop(const Line& l, std::string text, std::string reason) {
    doc_.dropped.push_back(Dropped{SourcePos{l.number, l.byte}, std::move(text), std::move(reason)});
}
void Parser::drop_line(std::size_t i, const std::string& reason) {
    if (info_[i].kind == Kind::Text) drop(info_[i].line, info_[i].line.text, reason);
    if (info_[i].kind != Kind::Blank) info_[i].kind = Kind::Dropped;
}
bool Parser::block_start(std::size_t i) const {
    return i == 0 || info_[i - 1].kind != Kind::Text;
}
bool Parser::is_question_role(std::string_view label) const {
    for (const auto& q : rules_.question_labels)
        if (text::iequals(q, label)) return true;
    return false;
}

}  // namespace detail

Document parse_transcript(std::string_view bytes, const std::string& filename, const Rules& rules) {
    return detail::Parser(rules, filename).run(bytes);
}

}  // namespace turncast::parse
