// Parser stages before the paragraphs: front matter, markup, header fields,
// the tail, clutter and time-stamp lines, the header, photo captions.
#include "parse/parser.hpp"

namespace turncast::parse::detail {

void Parser::front_matter() {
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
            if (auto dt = parse_date_time(v)) set_time(*dt);
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

std::optional<char32_t> Parser::hex_code_point(std::string_view h) {
    char32_t v = 0;
    for (char c : h) {
        const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return std::nullopt;
        v = v * 16 + static_cast<char32_t>(d);
    }
    if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return std::nullopt;
    return v;
}

void Parser::append_utf8(std::string& out, char32_t cp) {
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

std::string Parser::yaml_scalar(const std::string& raw) {
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

void Parser::markup() {
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

void Parser::header_fields() {
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

bool Parser::date_field(const std::string& key) {
    return key == "date" || key == "airdate" || key == "air date" || key == "aired" || key == "recorded" ||
           key == "recording date";
}

void Parser::header_field(const std::string& key, const std::string& value) {
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
                if (auto tm = parse_date_time(value.substr(c + cut.size()))) {
                    dt->time = tm->time;
                    dt->zone = tm->zone;
                }
        }
        if (dt) {
            doc_.meta.date = dt->date;
            set_time(*dt);
        }
    } else if (key == "time") {
        if (doc_.meta.time.empty())
            if (auto dt = parse_date_time(value)) set_time(*dt);
    } else if (key == "place" || key == "location" || key == "venue") {
        if (doc_.meta.place.empty()) doc_.meta.place = value;
    }
}

void Parser::tail() {
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

void Parser::clutter_and_timestamps() {
    for (std::size_t i = 0; i < info_.size(); ++i) {
        auto& li = info_[i];
        if (li.kind != Kind::Text || li.line.text.size() > kMaxRegexLine) continue;
        if (is_timestamp_line(li.line.text)) {
            if (doc_.meta.time.empty() && !seen_body_label_before(i))
                if (auto dt = parse_date_time(li.line.text)) set_time(*dt);
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

bool Parser::seen_body_label_before(std::size_t i) {
    // Header time-stamps come before the first speaker label.
    while (first_label_scan_ < info_.size() && first_label_scan_ < i) {
        const auto& li = info_[first_label_scan_];
        if (li.kind == Kind::Text && block_start(first_label_scan_) && label_at(li.line.text, false))
            first_label_ = std::min(first_label_, first_label_scan_);
        ++first_label_scan_;
    }
    return first_label_ < i;
}

void Parser::header() {
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
            set_time(*dt);
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

bool Parser::matches_any(const std::vector<std::unique_ptr<RE2>>& res, const std::string& t) {
    for (const auto& r : res)
        if (RE2::FullMatch(t, *r)) return true;
    return false;
}

bool Parser::looks_like_place(const std::string& t) {
    if (t.size() > 60 || text::count_words(t) > 4) return false;
    if (!text::is_upper_letter(t[0]) && static_cast<unsigned char>(t[0]) < 0xC0) return false;
    for (char c : t)
        if ((c >= '0' && c <= '9') || c == ':' || c == '.' || c == '!' || c == '?' || c == ';') return false;
    return true;
}

bool Parser::looks_like_title(const std::string& t) {
    const std::size_t n = text::count_words(t);
    if (n < 2 || n > 60) return false;
    const auto b0 = static_cast<unsigned char>(t[0]);
    if (!text::is_upper_letter(t[0]) && !(b0 >= '0' && b0 <= '9') && b0 < 0xC0 && t[0] != '"') return false;
    const char last = t.back();
    return !(last == '.' || last == ',' || last == ';' || last == ':' || last == '!');
}

void Parser::title_place_and_date() {
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

void Parser::photo_captions() {
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

}  // namespace turncast::parse::detail
