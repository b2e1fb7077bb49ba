#include "sidecar/text.hpp"

#include <cstdio>
#include <algorithm>
#include <cstdlib>

#include "sidecar/sidecar.hpp"

namespace turncast::sidecar {

std::string collapse_spaces(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    bool pending = false;
    for (char c : text) {
        if (is_space(c)) {
            pending = !out.empty();
            continue;
        }
        if (pending) out += ' ';
        pending = false;
        out += c;
    }
    return out;
}

std::size_t display_length(std::string_view text) {
    std::size_t n = 0;
    for (char c : collapse_spaces(text))
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    return n;
}

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? separator : "") + parts[i];
    return out;
}

std::string escape_vtt(std::string_view text) {
    std::string out;
    for (char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        default: out += c;
        }
    }
    return out;
}

std::string escape_xml(std::string_view text) {
    std::string out;
    for (char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default:
            // Control characters are not allowed in XML 1.0; transcripts
            // should not carry them, but a feed must still parse.
            if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r')
                out += ' ';
            else
                out += c;
        }
    }
    return out;
}

double seconds_ms(std::int64_t samples) { return double(to_ms(samples)) / 1000.0; }

std::string seconds_text(std::int64_t samples) {
    std::int64_t ms = to_ms(samples);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s%lld.%03lld", ms < 0 ? "-" : "", (long long)(std::llabs(ms) / 1000),
                  (long long)(std::llabs(ms) % 1000));
    return buf;
}

std::vector<TimedSentence> timed_sentences(const Script& script, const Timeline& timeline) {
    check_timeline(script, timeline);
    std::vector<TimedSentence> out;
    std::int64_t floor_at = 0;
    for (std::size_t i = 0; i < script.segments.size(); ++i) {
        const std::string& text = script.segments[i].text;
        for (const auto& s : timeline.segments[i].sentences) {
            std::size_t sb = std::min<std::size_t>(s.text_pos, text.size());
            std::size_t se = std::min<std::size_t>(std::size_t(s.text_pos) + s.length, text.size());
            std::string body = collapse_spaces(std::string_view(text).substr(sb, se - sb));
            if (body.empty()) continue;
            std::int64_t start = std::max(s.start, floor_at);
            std::int64_t end = std::max(std::min(s.end, timeline.total), start);
            out.push_back({i, start, end, std::move(body)});
            floor_at = end;
        }
    }
    return out;
}

}  // namespace turncast::sidecar
