#include "render/layout.hpp"

#include <algorithm>
#include <limits>

#include "master/master.hpp"
#include "synth/synth.hpp"

namespace turncast::render {

using encode::Codec;

std::int64_t pause_samples(int pause_ms) { return std::int64_t(std::max(pause_ms, 0)) * kTimelineRate / 1000; }

std::int64_t speech_span(Codec codec, std::int64_t coded) { return encode::span_for(codec, kSpeechLead + coded); }

namespace {

constexpr Codec kCodecs[] = {Codec::Opus, Codec::Aac, Codec::Mp3};

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
        // AAC's unit is the longest.
        const std::int64_t words = out.starts[f], before = out.ends[f - 1] + encode::unit(Codec::Aac);
        out.chapter_starts.push_back(std::min(words, std::max(words - 24000, before)));
    }
    return out;
}

namespace {

// A position in espeak's 22050 Hz speech → 48 kHz, rounded to nearest.
std::int64_t to_48k(std::int64_t s22050) {
    return (s22050 * kTimelineRate + synth::kSampleRate / 2) / synth::kSampleRate;
}

}  // namespace

// Timeline samples a segment's speech occupies in the encoded pieces: its
// encoder input counted at 48 kHz (at least its 48 kHz length, one sample
// more at most).
std::int64_t coded_length(std::int64_t samples22050) {
    return master::resampled_length(samples22050, encode::kInputRate) * (kTimelineRate / encode::kInputRate);
}

// Each segment's words and sentences at their places in the layout.
Timeline place_speech(const Script& script, const std::vector<SegmentSpeech>& speech, const Layout& layout) {
    Timeline tl;
    tl.segments.resize(script.segments.size());
    for (std::size_t i = 0; i < script.segments.size(); ++i) {
        auto& ts = tl.segments[i];
        ts.piece_start = i == 0 ? 0 : layout.ends[i - 1];
        ts.speech_start = layout.starts[i];
        ts.speech_end = ts.speech_start + master::resampled_length(speech[i].samples);
        const Segment& seg = script.segments[i];
        // Text positions move from the spoken text to the shown text; a
        // sentence runs to the next one (espeak gives sentences no length).
        auto place = [&](const std::vector<TimedSpan>& in, std::vector<TimedSpan>& out, bool sentences) {
            for (std::size_t k = 0; k < in.size(); ++k) {
                TimedSpan s = in[k];
                std::size_t from = in[k].text_pos;
                std::size_t to = sentences ? (k + 1 < in.size() ? in[k + 1].text_pos : seg.text.size())
                                           : from + in[k].length;
                s.text_pos = std::uint32_t(seg.shown_offset(from));
                std::size_t shown_to = seg.shown_offset(std::max(from, to));
                // A word that is a whole rewrite maps to the rewritten word.
                for (const auto& a : seg.anchors)
                    if (a.replaced && a.spoken == from && !seg.shown.empty()) {
                        auto next = &a + 1;
                        if (next != seg.anchors.data() + seg.anchors.size()) shown_to = std::max<std::size_t>(shown_to, next->shown);
                    }
                s.length = std::uint32_t(std::max(shown_to, std::size_t(s.text_pos)) - s.text_pos);
                s.start = std::min(ts.speech_start + to_48k(in[k].start), ts.speech_end);
                s.end = k + 1 < in.size() ? ts.speech_start + to_48k(in[k + 1].start) : ts.speech_end;
                s.end = std::clamp(s.end, s.start, ts.speech_end);
                out.push_back(s);
            }
        };
        place(speech[i].words, ts.words, false);
        place(speech[i].sentences, ts.sentences, true);
    }
    tl.total = layout.total;
    tl.chapter_starts = layout.chapter_starts;
    return tl;
}

std::vector<std::int64_t> coded_lengths(const std::vector<SegmentSpeech>& speech) {
    std::vector<std::int64_t> out;
    for (const auto& sp : speech) out.push_back(coded_length(sp.samples));
    return out;
}


}  // namespace turncast::render
