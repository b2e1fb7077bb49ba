// Captions (WebVTT, SRT) from the exact synthesis timings: a cue per sentence,
// long sentences split at word starts, times floored to milliseconds so cues
// never overlap and never outlast the audio.
#include <algorithm>
#include <cctype>
#include <cstdio>

#include "core/error.hpp"
#include "sidecar/sidecar.hpp"
#include "sidecar/text.hpp"

namespace turncast::sidecar {
namespace {

// A place a sentence may be cut: the byte where a chunk would begin and the
// sample where its speech begins.
struct Cut {
    std::size_t pos = 0;
    std::int64_t at = 0;
};

struct Chunk {
    std::size_t begin = 0, end = 0;  // bytes in the segment text
    std::int64_t start = 0, stop = 0;  // samples
};

// Cut candidates inside [sb, se): each word start after the first (the word
// timings say exactly when that word is heard), or, without word timings,
// each word start with a time interpolated by bytes.
std::vector<Cut> candidates(const std::string& text, std::size_t sb, std::size_t se,
                            std::int64_t start, std::int64_t end,
                            const std::vector<TimedSpan>& words) {
    std::vector<Cut> cuts;
    for (const auto& w : words) {
        if (w.text_pos <= sb || w.text_pos >= se) continue;
        std::int64_t at = std::clamp(w.start, start, end);
        if (!cuts.empty() && (w.text_pos <= cuts.back().pos || at < cuts.back().at)) continue;
        cuts.push_back({w.text_pos, at});
    }
    if (!cuts.empty()) return cuts;
    for (std::size_t i = sb + 1; i < se; ++i) {
        if (is_space(text[i - 1]) && !is_space(text[i])) {
            std::int64_t at = start + (end - start) * std::int64_t(i - sb) / std::int64_t(se - sb);
            cuts.push_back({i, at});
        }
    }
    return cuts;
}

// Words of a text, split at spaces (after collapse_spaces).
std::vector<std::string> words_of(const std::string& text) {
    std::vector<std::string> words;
    std::string t = collapse_spaces(text);
    for (std::size_t i = 0; i < t.size();) {
        std::size_t j = t.find(' ', i);
        if (j == std::string::npos) j = t.size();
        words.push_back(t.substr(i, j - i));
        i = j + 1;
    }
    return words;
}

// Fills lines of at most `width` characters word by word (a longer word gets
// a line of its own).
std::vector<std::string> fill_lines(const std::vector<std::string>& words, std::size_t width) {
    std::vector<std::string> lines;
    for (const auto& word : words) {
        if (!lines.empty() && display_length(lines.back()) + 1 + display_length(word) <= width)
            lines.back() += " " + word;
        else
            lines.push_back(word);
    }
    return lines;
}

bool fits(const std::string& text, std::size_t width, int max_lines) {
    if (display_length(text) <= width) return true;
    return fill_lines(words_of(text), width).size() <= std::size_t(max_lines);
}

// Splits the sentence between bounds.front() and bounds.back() greedily into
// chunks that fit in max_lines lines of `width`; returns the chunk starts as
// indices into bounds. A run too long to fit still gets a chunk of its own.
// `lead` ("Name: ") goes before the first chunk and takes its room.
std::vector<std::size_t> greedy(const std::string& text, const std::vector<std::size_t>& bounds,
                                std::size_t width, int max_lines, const std::string& lead) {
    std::vector<std::size_t> starts;
    std::size_t a = 0;
    const std::size_t last = bounds.size() - 1;
    while (a < last) {
        starts.push_back(a);
        const std::string before = a == 0 ? lead : std::string();
        std::size_t b = a + 1;
        while (b < last && fits(before + text.substr(bounds[a], bounds[b + 1] - bounds[a]), width, max_lines)) ++b;
        a = b;
    }
    return starts;
}

std::vector<Chunk> split_sentence(const std::string& text, std::size_t sb, std::size_t se,
                                  std::int64_t start, std::int64_t end,
                                  const std::vector<TimedSpan>& words, std::size_t width, int max_lines,
                                  const std::string& lead) {
    const std::string sentence = text.substr(sb, se - sb);
    if (fits(lead + sentence, width, max_lines)) return {{sb, se, start, end}};

    auto cuts = candidates(text, sb, se, start, end, words);
    std::vector<std::size_t> bounds{sb};
    std::vector<std::int64_t> times{start};
    for (const auto& c : cuts) {
        bounds.push_back(c.pos);
        times.push_back(c.at);
    }
    bounds.push_back(se);
    times.push_back(end);

    // The fewest chunks the width allows, then the narrowest width that still
    // gives that many: balanced cues rather than full ones and a stub.
    auto best = greedy(text, bounds, width, max_lines, lead);
    const std::size_t n = best.size();
    const std::size_t whole = display_length(lead + sentence);
    const std::size_t per_line = (whole + n * std::size_t(max_lines) - 1) / (n * std::size_t(max_lines));
    for (std::size_t w = std::max<std::size_t>(per_line, 1); w < width; ++w) {
        auto tried = greedy(text, bounds, w, max_lines, lead);
        if (tried.size() <= n) {
            best = std::move(tried);
            break;
        }
    }

    std::vector<Chunk> chunks;
    for (std::size_t k = 0; k < best.size(); ++k) {
        std::size_t a = best[k];
        std::size_t b = k + 1 < best.size() ? best[k + 1] : bounds.size() - 1;
        chunks.push_back({bounds[a], bounds[b], times[a], times[b]});
    }
    // A chunk shorter than a millisecond cannot be a cue: give its words to
    // a neighbour in the same sentence.
    for (std::size_t k = 0; k < chunks.size() && chunks.size() > 1;) {
        if (to_ms(chunks[k].stop) > to_ms(chunks[k].start)) {
            ++k;
            continue;
        }
        if (k > 0) {
            chunks[k - 1].end = chunks[k].end;
            chunks[k - 1].stop = chunks[k].stop;
        } else {
            chunks[1].begin = chunks[0].begin;
            chunks[1].start = chunks[0].start;
        }
        chunks.erase(chunks.begin() + std::ptrdiff_t(k));
    }
    return chunks;
}

// Breaks a cue's text into at most `max_lines` lines of about `width`
// characters, at the spaces that balance the lines best.
std::vector<std::string> break_lines(const std::string& text, std::size_t width, int max_lines) {
    if (max_lines <= 1 || display_length(text) <= width) return {text};
    const auto words = words_of(text);
    // Fewest lines at `width`, then the narrowest width giving that many.
    auto best = fill_lines(words, width);
    const std::size_t n = best.size();
    for (std::size_t w = (display_length(text) + n - 1) / n; w < width; ++w) {
        auto tried = fill_lines(words, w);
        if (tried.size() <= n) {
            best = std::move(tried);
            break;
        }
    }
    // A cue with more lines than allowed (an unsplittable run of long words)
    // keeps its text: the tail joins the last allowed line.
    while (best.size() > std::size_t(max_lines)) {
        best[best.size() - 2] += " " + best.back();
        best.pop_back();
    }
    return best;
}

std::string clock(std::int64_t samples, char separator) {
    std::int64_t ms = to_ms(std::max<std::int64_t>(samples, 0));
    char buf[40];
    std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld%c%03lld", (long long)(ms / 3600000),
                  (long long)(ms / 60000 % 60), (long long)(ms / 1000 % 60), separator,
                  (long long)(ms % 1000));
    return buf;
}

}  // namespace

std::int64_t to_ms(std::int64_t samples) {
    // Floor division, also for (never expected) negative values.
    std::int64_t n = samples * 1000;
    return n >= 0 ? n / kTimelineRate : -((-n + kTimelineRate - 1) / kTimelineRate);
}

std::string vtt_time(std::int64_t samples) { return clock(samples, '.'); }
std::string srt_time(std::int64_t samples) { return clock(samples, ','); }

std::string speaker_name(const Script& script, const Segment& segment) {
    if (segment.narration) return "Narrator";
    if (segment.speaker < script.speakers.size()) {
        const auto& s = script.speakers[segment.speaker];
        if (!s.name.empty()) return s.name;
        if (!s.id.empty()) return s.id;
    }
    return "Speaker";
}

std::string script_language(const Script& script) {
    const Voice* voice = script.find_voice("narrator");
    if (!voice && !script.voices.empty()) voice = &script.voices.front();
    if (!voice) return "en";
    std::string name = voice->espeak_voice;
    if (auto slash = name.rfind('/'); slash != std::string::npos) name = name.substr(slash + 1);
    std::string lang = name.substr(0, name.find_first_of("-_"));
    if (lang.size() < 2 || lang.size() > 3) return "en";
    for (char& c : lang) {
        if (!std::isalpha(static_cast<unsigned char>(c))) return "en";
        c = char(std::tolower(static_cast<unsigned char>(c)));
    }
    return lang;
}

void check_timeline(const Script& script, const Timeline& timeline) {
    if (timeline.segments.size() != script.segments.size())
        throw Error(ExitCode::Internal, "sidecar",
                    "the timeline has " + std::to_string(timeline.segments.size()) +
                        " segments but the script " + std::to_string(script.segments.size()));
    if (timeline.chapter_starts.size() != script.chapters.size())
        throw Error(ExitCode::Internal, "sidecar",
                    "the timeline has " + std::to_string(timeline.chapter_starts.size()) +
                        " chapter starts but the script " + std::to_string(script.chapters.size()) +
                        " chapters");
}

std::vector<Cue> caption_cues(const Script& script, const Timeline& timeline,
                              const CaptionStyle& style) {
    check_timeline(script, timeline);
    const std::size_t width = std::size_t(std::max(style.line_chars, 8));
    const int max_lines = std::max(style.max_lines, 1);

    std::vector<Cue> cues;
    std::int64_t floor_at = 0;  // no cue may start before the previous one ends
    for (std::size_t i = 0; i < script.segments.size(); ++i) {
        const auto& seg = script.segments[i];
        const auto& ts = timeline.segments[i];
        const std::string name = speaker_name(script, seg);
        for (const auto& s : ts.sentences) {
            std::size_t sb = std::min<std::size_t>(s.text_pos, seg.caption_text().size());
            std::size_t se = std::min<std::size_t>(std::size_t(s.text_pos) + s.length, seg.caption_text().size());
            std::int64_t start = std::max(s.start, floor_at);
            std::int64_t end = std::min(s.end, timeline.total);
            // The first cue of a speaker's run carries "Name: " where asked.
            auto lead_for = [&] {
                return style.speaker_prefix && (cues.empty() || cues.back().speaker != name) ? name + ": "
                                                                                              : std::string();
            };
            for (const auto& c :
                 split_sentence(seg.caption_text(), sb, se, start, end, ts.words, width, max_lines, lead_for())) {
                std::string text = collapse_spaces(seg.caption_text().substr(c.begin, c.end - c.begin));
                if (text.empty()) continue;
                std::int64_t cs = std::max(c.start, floor_at);
                if (to_ms(c.stop) <= to_ms(cs)) {
                    // No room for a cue of its own: its words join the cue
                    // before when that one is the same speaker's.
                    if (!cues.empty() && cues.back().segment == i) {
                        auto joined = collapse_spaces(join(cues.back().lines, " ") + " " + text);
                        cues.back().lines = break_lines(joined, width, max_lines);
                        cues.back().end = std::max(cues.back().end, std::min(c.stop, timeline.total));
                        floor_at = cues.back().end;
                    }
                    continue;
                }
                cues.push_back({cs, c.stop, name, break_lines(lead_for() + text, width, max_lines), i});
                floor_at = c.stop;
            }
        }
    }
    return cues;
}

std::string webvtt(const Script& script, const Timeline& timeline) {
    std::string out = "WEBVTT\n";
    for (const auto& cue : caption_cues(script, timeline)) {
        out += "\n" + vtt_time(cue.start) + " --> " + vtt_time(cue.end) + "\n";
        out += "<v " + escape_vtt(cue.speaker) + ">";
        for (std::size_t k = 0; k < cue.lines.size(); ++k)
            out += (k ? "\n" : "") + escape_vtt(cue.lines[k]);
        out += "\n";
    }
    return out;
}

std::string srt(const Script& script, const Timeline& timeline) {
    std::string out;
    int n = 0;
    CaptionStyle style;
    style.speaker_prefix = true;  // SRT has no voice tags: name the speaker where the voice changes
    for (const auto& cue : caption_cues(script, timeline, style)) {
        if (n) out += "\n";
        out += std::to_string(++n) + "\n" + srt_time(cue.start) + " --> " + srt_time(cue.end) + "\n";
        for (const auto& line : cue.lines) out += line + "\n";
    }
    return out;
}

}  // namespace turncast::sidecar
