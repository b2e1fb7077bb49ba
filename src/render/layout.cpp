#include "render/layout.hpp"

#include <algorithm>
#include <limits>

namespace turncast::render {

using encode::Codec;

std::int64_t pause_samples(int pause_ms) { return std::int64_t(std::max(pause_ms, 0)) * kTimelineRate / 1000; }

std::int64_t speech_span(Codec codec, std::int64_t coded) { return encode::span_for(codec, kSpeechLead + coded); }

namespace {

constexpr Codec kCodecs[] = {Codec::Opus, Codec::Aac};

// The silence span (0, or a valid piece's) that brings a file now `at` long
// nearest to `want`; ties go to the shorter. Silence pieces are multiples of
// the unit, at least the shortest piece the codec makes.
std::int64_t silence_toward(Codec codec, std::int64_t at, std::int64_t want) {
    const std::int64_t u = encode::unit(codec), shortest = encode::span_for(codec, 0);
    const std::int64_t need = want - at;
    if (need <= 0) return 0;
    std::int64_t span = (need + u / 2) / u * u;  // nearest multiple (half rounds up)
    if (span * 2 == need * 2 + u) span -= u;      // a tie: the shorter
    if (span < shortest) span = need * 2 < shortest ? 0 : shortest;
    return span;
}

}  // namespace

Layout lay_out(const Script& script, const std::vector<std::int64_t>& coded) {
    Layout out;
    const std::size_t n = script.segments.size();
    out.starts.resize(n);
    out.ends.resize(n);
    std::map<Codec, std::int64_t> at;  // each file's length so far (sum of spans)
    for (auto c : kCodecs) at[c] = 0;
    std::int64_t prev_end = 0;
    for (std::size_t i = 0; i < n; ++i) {
        // Where the speech should start, and the earliest each file can start
        // it (a speech piece right after the last piece, no silence between).
        std::int64_t start = std::max(prev_end + pause_samples(script.segments[i].pause_before_ms), kSpeechLead);
        for (auto c : kCodecs) start = std::max(start, at[c] + kSpeechLead);
        for (auto c : kCodecs) {
            const std::int64_t silence = silence_toward(c, at[c], start - kSpeechLead);
            if (silence > 0) out.pieces[c].push_back({LaidPiece::kSilence, silence});
            at[c] += silence;
            out.pieces[c].push_back({i, speech_span(c, coded[i])});
            at[c] += speech_span(c, coded[i]);
        }
        out.starts[i] = start;
        out.ends[i] = start + coded[i];
        prev_end = out.ends[i];
    }
    // Every file ends about kEndSilence after the last words (its decoded
    // length: the sum of spans less the one delay its stream drops); the
    // audio's length is the shorter file's.
    out.total = std::numeric_limits<std::int64_t>::max();
    for (auto c : kCodecs) {
        const std::int64_t silence = silence_toward(c, at[c], prev_end + kEndSilence + encode::delay(c));
        if (silence > 0) out.pieces[c].push_back({LaidPiece::kSilence, silence});
        out.total = std::min(out.total, at[c] + silence - encode::delay(c));
    }
    // A chapter starts in the pause before its first words: half a second
    // before them, or later where the pause is shorter, after the words
    // before have ended in every file (a file may start speech up to a frame
    // from its place).
    for (const auto& ch : script.chapters) {
        const std::size_t f = ch.first_segment;
        if (f == 0 || f >= n) {
            out.chapter_starts.push_back(0);
            continue;
        }
        const std::int64_t words = out.starts[f], before = out.ends[f - 1] + encode::unit(Codec::Aac);
        out.chapter_starts.push_back(std::min(words, std::max(words - 24000, before)));
    }
    return out;
}

}  // namespace turncast::render
