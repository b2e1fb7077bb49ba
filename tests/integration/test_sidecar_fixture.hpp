// A hand-made Script and its Timeline for the sidecar tests: what the renderer
// would build, with word and sentence spans at sample positions that are not
// whole milliseconds (so rounding is exercised).
#pragma once

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "core/model.hpp"
#include "core/timeline.hpp"
#include "probe.hpp"

namespace sidecar_test {

using namespace turncast;

struct Fixture {
    Script script;
    Timeline timeline;
};

// Lays `text` out from `at`: each word takes 13,337 samples plus 977 per byte,
// a sentence ends after ".", "?" or "!" and runs to the next sentence.
inline TimedSegment lay_out(const std::string& text, std::int64_t piece_start, std::int64_t pause) {
    TimedSegment ts;
    ts.piece_start = piece_start;
    ts.speech_start = piece_start + pause;
    std::int64_t t = ts.speech_start;
    std::size_t i = 0;
    std::size_t sentence_begin = std::string::npos;
    std::int64_t sentence_start = 0;
    while (i < text.size()) {
        while (i < text.size() && text[i] == ' ') ++i;
        if (i >= text.size()) break;
        std::size_t j = text.find(' ', i);
        if (j == std::string::npos) j = text.size();
        std::int64_t dur = 13337 + 977 * std::int64_t(j - i);
        // espeak's word length excludes trailing punctuation.
        std::size_t len = j - i;
        while (len > 1 && std::string(".,?!;:").find(text[i + len - 1]) != std::string::npos) --len;
        ts.words.push_back({t, t + dur, std::uint32_t(i), std::uint32_t(len)});
        if (sentence_begin == std::string::npos) {
            sentence_begin = i;
            sentence_start = t;
        }
        t += dur;
        char last = text[j - 1];
        if (last == '.' || last == '?' || last == '!' || j == text.size()) {
            ts.sentences.push_back({sentence_start, 0, std::uint32_t(sentence_begin),
                                    std::uint32_t(j - sentence_begin)});
            sentence_begin = std::string::npos;
            t += 4801;  // a little silence after each sentence
        }
        i = j;
    }
    ts.speech_end = t - 4801;
    for (std::size_t k = 0; k < ts.sentences.size(); ++k)
        ts.sentences[k].end = k + 1 < ts.sentences.size() ? ts.sentences[k + 1].start : ts.speech_end;
    return ts;
}

inline Fixture make_fixture() {
    Fixture f;
    Script& s = f.script;
    s.meta = {"Foreign Minister Sergey Lavrov's answers to questions", "2021-08-30", "19:47", "Volgograd"};
    s.speakers = {{"narrator", "Narrator", SpeakerRole::Narrator, "narrator"},
                  {"sergey-lavrov", "Sergey Lavrov", SpeakerRole::Main, "main-male"},
                  {"questioner-1", "Questioner 1", SpeakerRole::Questioner, "q1"},
                  {"a-b-co", "A & B <Co>", SpeakerRole::Other, "q2"}};
    s.voices = {{"narrator", "en-gb", "", 170, 50, 50, 0.0}, {"main-male", "en-us", "m3", 175, 40, 50, 0.0}};
    s.turns = {{0, TurnKind::Remarks, {}, {}}, {1, TurnKind::Remarks, {}, {}}, {2, TurnKind::Question, {}, {}},
               {1, TurnKind::Answer, {}, {}}, {3, TurnKind::Remarks, {}, {}}};
    s.chapters = {{"Opening remarks", 0, 0}, {"Question 1: On <trade> & \"tariffs\"", 2, 3}};
    auto seg = [&](std::string text, std::size_t speaker, std::size_t turn, std::size_t chapter, bool narration) {
        Segment g;
        g.text = std::move(text);
        g.voice = narration ? "narrator" : "main-male";
        g.speaker = speaker;
        g.turn = turn;
        g.chapter = chapter;
        g.pause_before_ms = 450;
        g.narration = narration;
        s.segments.push_back(g);
    };
    seg("Sergey Lavrov answers questions in Volgograd.", 0, 0, 0, true);
    seg("Good afternoon. Thank you for coming.", 1, 1, 0, false);
    seg("We have always said that the agreements reached in Minsk must be implemented in full, by all "
        "parties, and without any exceptions whatsoever.",
        1, 1, 0, false);
    seg("What about 5 < 6 & 7 > 3?", 2, 2, 1, false);
    seg("I see.  Next   question.", 1, 3, 1, false);
    seg("Short one.", 3, 4, 1, false);

    Timeline& t = f.timeline;
    std::int64_t at = 0;
    for (const auto& g : s.segments) {
        auto ts = lay_out(g.text, at, 21611);
        at = ts.speech_end + 7919;  // the piece runs on a little after the speech
        t.segments.push_back(std::move(ts));
    }
    t.total = at;
    for (const auto& c : s.chapters) t.chapter_starts.push_back(t.segments[c.first_segment].piece_start);
    return f;
}

inline std::int64_t ms(std::int64_t samples) { return samples * 1000 / kTimelineRate; }

// A fresh empty folder under /tmp, removed by the destructor.
struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/turncast-sidecar-XXXXXX";
        const char* p = ::mkdtemp(tmpl);
        if (!p) std::abort();
        path = p;
    }
    ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

// Debian's python3 (where python3-feedparser and python3-selenium live), not
// a python3 of some other installation that happens to come first in PATH.
inline std::string python() {
    return std::system("test -x /usr/bin/python3") == 0 ? "/usr/bin/python3" : "python3";
}

// A command's exit status and its output (stdout+stderr), through probe.hpp's run.
inline std::pair<int, std::string> capture(const std::string& command) {
    std::string out;
    const int rc = turncast::test::run(command, &out);
    return {rc, out};
}

// Ends the test as skipped (CTest's SKIP_RETURN_CODE 77), never as passed.
[[noreturn]] inline void skip(const std::string& why) {
    std::printf("skipped: %s\n", why.c_str());
    std::fflush(stdout);
    std::_Exit(77);
}

// The node_modules folder of the npm packages pinned in tests/tools/package.json,
// installed once into the build folder; skips the test when npm or the
// registry is away.
inline std::string npm_modules() {
    std::string build = TURNCAST_BINARY;
    build.erase(build.rfind('/'));
    const std::string deps = std::string(TURNCAST_FIXTURES) + "/../tools/npm_deps.sh";
    auto [rc, out] = capture("bash '" + deps + "' '" + build + "'");
    if (rc == 77) skip(out);
    INFO(out);
    REQUIRE(rc == 0);
    std::string modules = out;  // its last line: the node_modules folder
    while (!modules.empty() && modules.back() == '\n') modules.pop_back();
    return modules.erase(0, modules.rfind('\n') + 1);
}

}  // namespace sidecar_test
