// The web player in headless Chromium (tests/tools/player_test.py drives it
// with selenium): a hand-made Script/Timeline's index.html and captions beside
// a sine tone as long as the timeline and a cover image, made by the ffmpeg CLI.
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sidecar/sidecar.hpp"
#include "test_sidecar_fixture.hpp"

using namespace turncast;
using sidecar_test::capture;
using sidecar_test::skip;
using sidecar_test::TempDir;

namespace {

void write(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    REQUIRE(out.good());
}

}  // namespace

TEST_CASE("web player: static structure", "[sidecar]") {
    auto f = sidecar_test::make_fixture();
    auto html = sidecar::web_player(f.script, f.timeline, {"talk", "talk.m4a", "talk.opus"});
    CHECK(html.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0) == 0);
    CHECK(html.find("<audio id=\"audio\" controls preload=\"metadata\"") != std::string::npos);
    CHECK(html.find("<source src=\"talk.m4a\" type=\"audio/mp4\">") != std::string::npos);
    CHECK(html.find("<source src=\"talk.opus\" type=\"audio/ogg; codecs=opus\">") != std::string::npos);
    CHECK(html.find("<track kind=\"captions\" src=\"talk.vtt\" srclang=\"en\" label=\"Captions\" default>") !=
          std::string::npos);
    CHECK(html.find("<nav class=\"chapters\" aria-label=\"Chapters\">") != std::string::npos);
    CHECK(html.find("Question 1: On &lt;trade&gt; &amp; &quot;tariffs&quot;") != std::string::npos);
    CHECK(html.find("<p class=\"speaker\">A &amp; B &lt;Co&gt;</p>") != std::string::npos);
    CHECK(html.find("What about 5 &lt; 6 &amp; 7 &gt; 3?") != std::string::npos);
    CHECK(html.find("http://") == std::string::npos);   // nothing fetched from elsewhere
    CHECK(html.find("https://") == std::string::npos);
    // One element per sentence, carrying its exact (floored) times.
    std::size_t spans = 0;
    for (std::size_t at = 0; (at = html.find("<span class=\"s\" id=\"s", at)) != std::string::npos; ++at) ++spans;
    std::size_t sentences = 0;
    for (const auto& s : f.timeline.segments) sentences += s.sentences.size();
    CHECK(spans == sentences);
    const auto& first = f.timeline.segments[0].sentences[0];
    char expect[96];
    std::snprintf(expect, sizeof expect, "id=\"s1\" data-start=\"%.3f\" data-end=\"%.3f\"",
                  double(sidecar_test::ms(first.start)) / 1000, double(sidecar_test::ms(first.end)) / 1000);
    CHECK(html.find(expect) != std::string::npos);

    // What a search engine or a link preview reads; no cover, no image.
    CHECK(html.find("<meta name=\"description\" content=\"Foreign Minister Sergey Lavrov&#39;s answers") !=
          std::string::npos);
    CHECK(html.find("<meta property=\"og:title\" content=\"Foreign Minister") != std::string::npos);
    CHECK(html.find("<meta property=\"og:type\" content=\"article\">") != std::string::npos);
    CHECK(html.find("<meta property=\"og:audio\" content=\"talk.m4a\">") != std::string::npos);
    CHECK(html.find("og:image") == std::string::npos);
    CHECK(html.find("<img") == std::string::npos);
    auto covered = sidecar::web_player(f.script, f.timeline, {"talk", "talk.m4a", "talk.opus", "cover.jpg"});
    CHECK(covered.find("<meta property=\"og:image\" content=\"cover.jpg\">") != std::string::npos);
    CHECK(covered.find("<img class=\"cover\" src=\"cover.jpg\" alt=\"Cover art: Foreign Minister") !=
          std::string::npos);

    // A render with only Opus lists only what exists.
    auto opus_only = sidecar::web_player(f.script, f.timeline, {"talk", "", "talk.opus"});
    CHECK(opus_only.find("src=\"\"") == std::string::npos);
    CHECK(opus_only.find("href=\"\"") == std::string::npos);
    CHECK(opus_only.find("<source src=\"talk.opus\"") != std::string::npos);
}

namespace {

// The page of the fixture, its captions, audio (a sine tone as long as the
// timeline) and a cover in `dir`, and what player_test.py should find there
// in dir/expected.json.
void write_page(const std::string& dir, const sidecar_test::Fixture& f) {
    write(dir + "/index.html",
          sidecar::web_player(f.script, f.timeline, {"talk", "talk.m4a", "talk.opus", "cover.png"}));
    write(dir + "/talk.vtt", sidecar::webvtt(f.script, f.timeline));

    const double total = double(f.timeline.total) / kTimelineRate;
    char duration[32];
    std::snprintf(duration, sizeof duration, "%.6f", total);
    for (const char* enc : {"-c:a aac -b:a 48k talk.m4a", "-c:a libopus -b:a 32k talk.opus"}) {
        auto [rc, out] = capture("cd '" + dir + "' && ffmpeg -nostdin -v error -y -f lavfi -i sine=frequency=440:sample_rate=48000:duration=" +
                                 duration + " -ac 1 " + enc);
        INFO(out);
        REQUIRE(rc == 0);
    }
    auto [rc, out] = capture("cd '" + dir +
                             "' && ffmpeg -nostdin -v error -y -f lavfi -i color=c=navy:s=300x300 -frames:v 1 cover.png");
    INFO(out);
    REQUIRE(rc == 0);

    nlohmann::json want = {{"title", f.script.meta.title}, {"total", total}};
    for (std::size_t c = 0; c < f.script.chapters.size(); ++c)
        want["chapters"].push_back({{"title", f.script.chapters[c].title},
                                    {"start", double(sidecar_test::ms(f.timeline.chapter_starts[c])) / 1000}});
    int n = 0;
    for (const auto& seg : f.timeline.segments)
        for (const auto& s : seg.sentences)
            want["sentences"].push_back({{"id", "s" + std::to_string(++n)},
                                         {"start", double(sidecar_test::ms(s.start)) / 1000},
                                         {"end", double(sidecar_test::ms(s.end)) / 1000}});
    write(dir + "/expected.json", want.dump());
}

// CTest reports a test that exits 77 as skipped (SKIP_RETURN_CODE 77), never
// as passed; Catch2 2.13 has no skip of its own.
// Runs tests/tools/player_test.py on the page in `dir` with `options`.
void drive(const std::string& dir, const std::string& options) {
    const std::string tool = std::string(TURNCAST_FIXTURES) + "/../tools/player_test.py";
    auto [rc, out] = capture("timeout 150 " + sidecar_test::python() + " '" + tool + "' '" + dir + "' '" + dir +
                             "/expected.json' --cover cover.png " + options);
    if (rc == 77) skip(out);  // no browser here
    INFO(out);
    CHECK(rc == 0);
}

}  // namespace

TEST_CASE("web player: plays, seeks by chapter, highlights, keyboard, reflow (headless Chromium)",
          "[sidecar][browser]") {
    auto f = sidecar_test::make_fixture();
    TempDir dir;
    write_page(dir.path, f);
    drive(dir.path, "");
}

TEST_CASE("web player: axe-core finds no violations at 1280x800 and 320x256 (headless Chromium)",
          "[sidecar][browser]") {
    // axe-core, pinned in tests/tools/package.json, installed once into the build folder.
    const std::string modules = sidecar_test::npm_modules();
    auto f = sidecar_test::make_fixture();
    TempDir dir;
    write_page(dir.path, f);
    drive(dir.path, "--only-axe --axe '" + modules + "/axe-core/axe.min.js'");
}
