// The layout (render/layout.hpp): each speech where its pause puts it, every
// file within half a codec frame of that, speech pieces that do not depend on
// their place.
#include <catch2/catch.hpp>

#include <random>

#include "render/layout.hpp"

using namespace turncast;
using encode::Codec;

namespace {

Script script_of(const std::vector<int>& pauses_ms, const std::vector<std::size_t>& chapter_firsts) {
    Script s;
    for (int p : pauses_ms) {
        Segment seg;
        seg.pause_before_ms = p;
        s.segments.push_back(seg);
    }
    for (auto f : chapter_firsts) {
        Chapter c;
        c.first_segment = f;
        s.chapters.push_back(c);
    }
    return s;
}

// Where each file plays each segment's first speech sample.
std::vector<std::int64_t> played_starts(const render::Layout& l, Codec c, std::size_t n) {
    std::vector<std::int64_t> out(n, -1);
    std::int64_t at = 0;
    for (const auto& p : l.pieces.at(c)) {
        if (p.segment != render::LaidPiece::kSilence) out[p.segment] = at + render::kSpeechLead;
        at += p.span;
    }
    return out;
}

}  // namespace

TEST_CASE("layout: every pause as set, every file within half a frame of it", "[layout]") {
    std::mt19937 rng(7);
    std::vector<int> pauses;
    std::vector<std::int64_t> coded;
    for (int i = 0; i < 300; ++i) {
        pauses.push_back(i == 0 ? 0 : std::vector<int>{450, 900, 1600, 700, 300, 250}[rng() % 6]);
        coded.push_back(2 * std::int64_t(20000 + rng() % 2000000));  // encoder input at 24 kHz, counted at 48
    }
    const auto s = script_of(pauses, {0, 40, 41, 200});
    const auto l = render::lay_out(s, coded);
    for (std::size_t i = 1; i < coded.size(); ++i) {
        INFO("segment " << i);
        CHECK(l.starts[i] - l.ends[i - 1] == std::int64_t(pauses[i]) * 48);  // exactly the pause
        CHECK(l.ends[i] - l.starts[i] == coded[i]);
    }
    CHECK(l.starts[0] == render::kSpeechLead);
    for (Codec c : {Codec::Opus, Codec::Aac, Codec::Mp3}) {
        const auto played = played_starts(l, c, coded.size());
        std::int64_t sum = 0;
        for (const auto& p : l.pieces.at(c)) {
            CHECK(p.span % encode::unit(c) == 0);
            CHECK(p.span > encode::delay(c));
            sum += p.span;
        }
        for (std::size_t i = 0; i < coded.size(); ++i) {
            INFO((c == Codec::Opus ? "opus" : c == Codec::Aac ? "aac" : "mp3") << " segment " << i);
            CHECK(std::abs(played[i] - l.starts[i]) <= encode::unit(c) / 2);
        }
        // the file holds the whole timeline, and ends about kEndSilence after the words
        CHECK(sum - encode::delay(c) >= l.total);
        CHECK(sum - encode::delay(c) - l.ends.back() <= render::kEndSilence + encode::unit(c));
    }
    // chapter marks: in the pause before the chapter's first words, at most half a second before them
    REQUIRE(l.chapter_starts.size() == 4);
    CHECK(l.chapter_starts[0] == 0);
    for (std::size_t k = 1; k < 4; ++k) {
        const std::size_t f = s.chapters[k].first_segment;
        CHECK(l.chapter_starts[k] <= l.starts[f]);
        CHECK(l.chapter_starts[k] >= l.starts[f] - 24000);
        CHECK(l.chapter_starts[k] >= l.ends[f - 1] + encode::unit(Codec::Aac));
    }
}

TEST_CASE("layout: a longer segment moves what follows, not the speech pieces", "[layout]") {
    const auto s = script_of({0, 450, 900, 450, 1600, 450}, {0, 4});
    std::vector<std::int64_t> coded = {96000, 120000, 50000, 70002, 300000, 44444};
    const auto before = render::lay_out(s, coded);
    coded[1] += 7000;  // a corrected word
    const auto after = render::lay_out(s, coded);
    for (Codec c : {Codec::Opus, Codec::Aac, Codec::Mp3}) {
        std::vector<std::int64_t> spans_before, spans_after;
        for (const auto& p : before.pieces.at(c))
            if (p.segment != render::LaidPiece::kSilence) spans_before.push_back(p.span);
        for (const auto& p : after.pieces.at(c))
            if (p.segment != render::LaidPiece::kSilence) spans_after.push_back(p.span);
        REQUIRE(spans_before.size() == 6);
        for (std::size_t i = 0; i < 6; ++i) {
            INFO("segment " << i);
            if (i == 1) CHECK(spans_after[i] >= spans_before[i]);
            else CHECK(spans_after[i] == spans_before[i]);  // its cached piece is used again
        }
    }
    for (std::size_t i = 2; i < 6; ++i) CHECK(after.starts[i] == before.starts[i] + 7000);
}

TEST_CASE("layout: a pause too short for a piece of silence starts the speech later, never earlier", "[layout]") {
    const auto s = script_of({0, 0, 10, 60}, {0});
    const auto l = render::lay_out(s, {48000, 48000, 48000, 48000});
    for (std::size_t i = 1; i < 4; ++i) CHECK(l.starts[i] - l.ends[i - 1] >= std::int64_t(s.segments[i].pause_before_ms) * 48);
    for (Codec c : {Codec::Opus, Codec::Aac, Codec::Mp3}) {
        const auto played = played_starts(l, c, 4);
        for (std::size_t i = 0; i < 4; ++i) CHECK(std::abs(played[i] - l.starts[i]) <= encode::span_for(c, 0) / 2);
    }
}
