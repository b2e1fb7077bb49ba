// Parser stages for the spoken text: labels, blocks, paragraphs, mid-line
// labels, stage directions and transcribers' notes.
#include "core/zone.hpp"
#include "parse/parser.hpp"

namespace turncast::parse::detail {

bool Parser::plausible_label(std::string_view s) const {
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

auto Parser::label_at(std::string_view t, bool strict_q) const -> std::optional<Label> {
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

auto Parser::label_text(std::string_view cand) const -> std::optional<Label> {
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

bool Parser::all_caps(std::string_view s) {
    bool letter = false;
    for (char c : s) {
        if (text::is_lower_letter(c)) return false;
        if (text::is_upper_letter(c)) letter = true;
    }
    return letter;
}

void Parser::collect_known_labels() {
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

std::size_t Parser::mid_line_separator(const std::string& t, std::size_t k) {
    if (t.compare(k, 3, "...") == 0) return k + 3;
    if (t.compare(k, 3, "\xE2\x80\x94") == 0) return k + 3;  // em dash
    if (t.compare(k, 2, "--") == 0) return k + 2;
    return 0;
}

std::optional<std::string> Parser::otter_header(const std::string& t) const {
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

void Parser::paragraphs() {
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

bool Parser::is_stamp(std::string s) {
    if (s.empty() || s.size() > 24) return false;
    while (s.size() > 2 && (s[0] == '(' || s[0] == '[') && (s.back() == ')' || s.back() == ']'))
        s = s.substr(1, s.size() - 2);
    return s.find(':') != std::string::npos && is_timestamp_line(s);
}

bool Parser::starts_with_word(const std::string& s, const std::vector<std::string>& list) {
    for (const auto& w : list) {
        if (!text::istarts_with(s, w)) continue;
        if (s.size() == w.size()) return true;
        const char c = s[w.size()];
        if (!(text::is_lower_letter(c) || text::is_upper_letter(c))) return true;
    }
    return false;
}

bool Parser::stage_content(std::string_view inner, char open) const {
    std::string c(text::trim(inner));
    while (!c.empty() && (c.back() == '.' || c.back() == '!' || c.back() == ' ')) c.pop_back();
    if (c.empty() || text::count_words(c) > 8) return false;
    if (starts_with_word(c, rules_.stage_direction_words)) return true;
    // <LAUGH>, <NOISE>: an all-capitals tag in angle brackets is never speech.
    return open == '<' && all_caps(c) && text::count_words(c) <= 4;
}

bool Parser::inline_note(std::string_view inner) const {
    std::string c(text::trim(inner));
    while (!c.empty() && (c.back() == '.' || c.back() == ' ')) c.pop_back();
    for (const auto& w : rules_.inline_notes)
        if (text::iequals(c, w)) return true;
    return false;
}

bool Parser::inside_sentence(const std::string& t, std::size_t start, std::size_t b, std::size_t e) {
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

void Parser::split_and_emit(const std::string& t, const Label& lab, SourcePos pos) {
    emit(tidy_pieces(cut_pieces(t, pos), pos), lab, pos);
}

auto Parser::cut_pieces(const std::string& t, SourcePos pos) -> std::vector<Piece> {
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

auto Parser::tidy_pieces(std::vector<Piece> pieces, SourcePos pos) -> std::vector<Piece> {
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

void Parser::emit(std::vector<Piece> out, const Label& lab, SourcePos pos) {
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

void Parser::finish() {
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
    doc_.meta.zone = zone_for(zone_written_, doc_.meta.place, doc_.meta.date, doc_.meta.time);
}

}  // namespace turncast::parse::detail
