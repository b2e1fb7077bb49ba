// Captions, chapters.json, transcript.json and the manifest, read back with
// strict parsers and compared with the timeline they came from.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "core/error.hpp"
#include "sidecar/manifest.hpp"
#include "sidecar/sidecar.hpp"
#include "test_sidecar_fixture.hpp"

using namespace turncast;
using sidecar_test::make_fixture;
using sidecar_test::ms;

namespace {

struct VttCue {
    std::int64_t start_ms = 0, end_ms = 0;
    std::string voice;
    std::vector<std::string> lines;  // unescaped, voice tag removed
    std::string text() const {
        std::string s;
        for (const auto& l : lines) s += (s.empty() ? "" : " ") + l;
        return s;
    }
};

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t i = 0;
    while (i <= text.size()) {
        std::size_t j = text.find('\n', i);
        if (j == std::string::npos) j = text.size();
        lines.push_back(text.substr(i, j - i));
        i = j + 1;
    }
    return lines;
}

// Decodes &amp; &lt; &gt; and rejects any other markup or bare '&' / '<' / '>'.
std::string unescape_strict(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '&') {
            for (const auto& [ent, c] : {std::pair<std::string, char>{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}}) {
                if (s.compare(i, ent.size(), ent) == 0) {
                    out += c;
                    i += ent.size() - 1;
                    goto next;
                }
            }
            FAIL("bare & in cue text: " << s);
        }
        if (s[i] == '<' || s[i] == '>') FAIL("markup in cue text: " << s);
        out += s[i];
    next:;
    }
    return out;
}

std::int64_t parse_clock(const std::smatch& m, int first) {
    return std::stoll(m[first]) * 3600000 + std::stoll(m[first + 1]) * 60000 + std::stoll(m[first + 2]) * 1000 +
           std::stoll(m[first + 3]);
}

// A strict reader of the WebVTT subset turncast writes: the header, then
// blocks separated by one blank line, each a timing line and text lines
// starting with one <v Name> tag.
std::vector<VttCue> parse_vtt(const std::string& text) {
    REQUIRE(text.rfind("WEBVTT\n", 0) == 0);
    REQUIRE(text.back() == '\n');
    auto lines = split_lines(text.substr(0, text.size() - 1));
    REQUIRE(lines.size() >= 1);
    static const std::regex timing(R"(^(\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3}) --> (\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3})$)");
    static const std::regex voice(R"(^<v ([^>]+)>(.*)$)");
    std::vector<VttCue> cues;
    std::size_t i = 1;
    while (i < lines.size()) {
        REQUIRE(lines[i].empty());  // one blank line between blocks
        ++i;
        REQUIRE(i < lines.size());
        std::smatch m;
        INFO("line " << i + 1 << ": " << lines[i]);
        REQUIRE(std::regex_match(lines[i], m, timing));
        VttCue cue;
        cue.start_ms = parse_clock(m, 1);
        cue.end_ms = parse_clock(m, 5);
        ++i;
        REQUIRE(i < lines.size());
        std::smatch v;
        REQUIRE(std::regex_match(lines[i], v, voice));
        cue.voice = unescape_strict(v[1]);
        cue.lines.push_back(unescape_strict(v[2]));
        for (++i; i < lines.size() && !lines[i].empty(); ++i) {
            REQUIRE(lines[i].find("-->") == std::string::npos);
            cue.lines.push_back(unescape_strict(lines[i]));
        }
        for (const auto& l : cue.lines) REQUIRE_FALSE(l.empty());
        cues.push_back(cue);
    }
    return cues;
}

std::string sentence_text(const Script& s, const Timeline& t, std::size_t seg, std::size_t k) {
    const auto& span = t.segments[seg].sentences[k];
    std::string raw = s.segments[seg].text.substr(span.text_pos, span.length), out;
    for (char c : raw) {
        if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
        out += c;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

std::size_t chars(const std::string& s) {
    std::size_t n = 0;
    for (char c : s)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    return n;
}

}  // namespace

TEST_CASE("webvtt: a cue per sentence, voice tags, exact times, in order", "[sidecar]") {
    auto f = make_fixture();
    auto cues = parse_vtt(sidecar::webvtt(f.script, f.timeline));

    // Every sentence's text appears, in order, in cues whose voice is its
    // speaker's; the first cue of each sentence starts at its exact sample.
    std::size_t c = 0;
    for (std::size_t i = 0; i < f.script.segments.size(); ++i) {
        const auto& seg = f.script.segments[i];
        std::string voice = seg.narration ? "Narrator" : f.script.speakers[seg.speaker].name;
        for (std::size_t k = 0; k < f.timeline.segments[i].sentences.size(); ++k) {
            const auto& span = f.timeline.segments[i].sentences[k];
            INFO("segment " << i << ", sentence " << k);
            REQUIRE(c < cues.size());
            CHECK(cues[c].start_ms == ms(span.start));
            CHECK(cues[c].voice == voice);
            std::string text = cues[c].text();
            while (text.size() < sentence_text(f.script, f.timeline, i, k).size() && c + 1 < cues.size() &&
                   cues[c].end_ms < ms(span.end)) {
                ++c;
                CHECK(cues[c].voice == voice);
                text += " " + cues[c].text();
            }
            CHECK(text == sentence_text(f.script, f.timeline, i, k));
            CHECK(cues[c].end_ms == ms(span.end));
            ++c;
        }
    }
    CHECK(c == cues.size());

    CHECK(cues.front().voice == "Narrator");
    bool escaped_name = false, escaped_text = false;
    for (const auto& cue : cues) {
        escaped_name |= cue.voice == "A & B <Co>";
        escaped_text |= cue.text() == "What about 5 < 6 & 7 > 3?";
    }
    CHECK(escaped_name);
    CHECK(escaped_text);

    for (std::size_t k = 0; k < cues.size(); ++k) {
        INFO("cue " << k);
        CHECK(cues[k].end_ms > cues[k].start_ms);
        if (k) CHECK(cues[k].start_ms >= cues[k - 1].end_ms);
        CHECK(cues[k].lines.size() <= 2);
        for (const auto& l : cues[k].lines) CHECK(chars(l) <= 42);
    }
    CHECK(cues.back().end_ms <= ms(f.timeline.total));
}

TEST_CASE("webvtt: a long sentence is split at word starts", "[sidecar]") {
    auto f = make_fixture();
    const auto& ts = f.timeline.segments[2];
    REQUIRE(ts.sentences.size() == 1);
    const std::string whole = sentence_text(f.script, f.timeline, 2, 0);
    REQUIRE(chars(whole) > 84);

    auto cues = sidecar::caption_cues(f.script, f.timeline);
    std::vector<sidecar::Cue> mine;
    for (const auto& c : cues)
        if (c.segment == 2) mine.push_back(c);
    REQUIRE(mine.size() == 2);  // 140 characters: two cues of at most two lines
    CHECK(mine.front().start == ts.sentences[0].start);
    CHECK(mine.back().end == ts.sentences[0].end);
    std::string joined;
    for (std::size_t k = 0; k < mine.size(); ++k) {
        if (k) {
            CHECK(mine[k].start == mine[k - 1].end);
            // Each later cue begins exactly when its first word is heard.
            bool at_word = false;
            for (const auto& w : ts.words) at_word |= w.start == mine[k].start;
            CHECK(at_word);
        }
        std::size_t n = 0;
        for (const auto& l : mine[k].lines) n += chars(l) + 1;
        CHECK(n - 1 <= 84);
        for (const auto& l : mine[k].lines) joined += (joined.empty() ? "" : " ") + l;
    }
    CHECK(joined == whole);
    // Balanced, not a full cue and a stub.
    auto len = [](const sidecar::Cue& c) {
        std::size_t n = 0;
        for (const auto& l : c.lines) n += chars(l);
        return n;
    };
    CHECK(len(mine[1]) * 3 >= len(mine[0]));
}

TEST_CASE("webvtt: the last cue never ends after the audio", "[sidecar]") {
    auto f = make_fixture();
    // A sentence that (wrongly) runs past the end and an audio end that is not
    // a whole millisecond.
    f.timeline.total = f.timeline.segments.back().speech_end - 30;
    f.timeline.segments.back().sentences.back().end = f.timeline.total + 9999;
    auto cues = parse_vtt(sidecar::webvtt(f.script, f.timeline));
    CHECK(cues.back().end_ms == ms(f.timeline.total));
    CHECK(cues.back().end_ms * 48 <= f.timeline.total);
}

TEST_CASE("webvtt: HH:MM:SS.mmm past an hour, rounded down", "[sidecar]") {
    CHECK(sidecar::vtt_time(0) == "00:00:00.000");
    CHECK(sidecar::vtt_time(47) == "00:00:00.000");
    CHECK(sidecar::vtt_time(48) == "00:00:00.001");
    CHECK(sidecar::vtt_time(std::int64_t(48000) * 3723 + 48 * 456 + 47) == "01:02:03.456");
    CHECK(sidecar::srt_time(std::int64_t(48000) * 3723 + 48 * 456) == "01:02:03,456");
}

TEST_CASE("srt: numbered cues, comma times, the speaker named where the voice changes", "[sidecar]") {
    auto f = make_fixture();
    auto cues = sidecar::caption_cues(f.script, f.timeline);
    std::string text = sidecar::srt(f.script, f.timeline);
    REQUIRE(text.back() == '\n');
    auto lines = split_lines(text.substr(0, text.size() - 1));
    static const std::regex timing(R"(^(\d{2}):(\d{2}):(\d{2}),(\d{3}) --> (\d{2}):(\d{2}):(\d{2}),(\d{3})$)");
    std::size_t i = 0, n = 0;
    std::string last_speaker;
    while (i < lines.size()) {
        if (n) {
            REQUIRE(lines[i].empty());
            ++i;
        }
        REQUIRE(i + 2 < lines.size() + 1);
        CHECK(lines[i] == std::to_string(n + 1));
        std::smatch m;
        REQUIRE(std::regex_match(lines[i + 1], m, timing));
        REQUIRE(n < cues.size());
        CHECK(parse_clock(m, 1) == ms(cues[n].start));
        CHECK(parse_clock(m, 5) == ms(cues[n].end));
        std::string first = lines[i + 2];
        if (cues[n].speaker != last_speaker)
            CHECK(first == cues[n].speaker + ": " + cues[n].lines[0]);
        else
            CHECK(first == cues[n].lines[0]);
        last_speaker = cues[n].speaker;
        i += 3;
        for (std::size_t k = 1; k < cues[n].lines.size(); ++k, ++i) CHECK(lines[i] == cues[n].lines[k]);
        ++n;
    }
    CHECK(n == cues.size());
    CHECK(text.rfind("1\n00:00:00,450 --> ", 0) == 0);
    CHECK(text.find("Narrator: Sergey Lavrov answers") != std::string::npos);
    CHECK(text.find("A & B <Co>: Short one.") != std::string::npos);
}

TEST_CASE("chapters.json: Podcasting 2.0 v1.2.0 at the timeline's chapter starts", "[sidecar]") {
    auto f = make_fixture();
    auto j = nlohmann::json::parse(sidecar::chapters_json(f.script, f.timeline));
    CHECK(j["version"] == "1.2.0");
    const auto& ch = j["chapters"];
    REQUIRE(ch.size() == f.script.chapters.size());
    for (std::size_t i = 0; i < ch.size(); ++i) {
        INFO("chapter " << i);
        CHECK(ch[i]["title"] == f.script.chapters[i].title);
        CHECK(ch[i]["startTime"].get<double>() == Approx(ms(f.timeline.chapter_starts[i]) / 1000.0).margin(1e-9));
        std::int64_t end = i + 1 < ch.size() ? f.timeline.chapter_starts[i + 1] : f.timeline.total;
        CHECK(ch[i]["endTime"].get<double>() == Approx(ms(end) / 1000.0).margin(1e-9));
    }
    CHECK(ch[1]["title"] == "Question 1: On <trade> & \"tariffs\"");
    CHECK(ch[0]["startTime"].get<double>() == 0.0);
}

TEST_CASE("transcript.json: a segment per sentence with speaker and times", "[sidecar]") {
    auto f = make_fixture();
    auto j = nlohmann::json::parse(sidecar::transcript_json(f.script, f.timeline));
    CHECK(j["version"] == "1.0.0");
    const auto& segs = j["segments"];
    std::size_t n = 0;
    for (std::size_t i = 0; i < f.script.segments.size(); ++i) {
        const auto& seg = f.script.segments[i];
        for (std::size_t k = 0; k < f.timeline.segments[i].sentences.size(); ++k, ++n) {
            REQUIRE(n < segs.size());
            const auto& span = f.timeline.segments[i].sentences[k];
            CHECK(segs[n]["speaker"] == (seg.narration ? "Narrator" : f.script.speakers[seg.speaker].name));
            CHECK(segs[n]["body"] == sentence_text(f.script, f.timeline, i, k));
            CHECK(segs[n]["startTime"].get<double>() == Approx(ms(span.start) / 1000.0).margin(1e-9));
            CHECK(segs[n]["endTime"].get<double>() == Approx(ms(span.end) / 1000.0).margin(1e-9));
        }
    }
    CHECK(n == segs.size());
    CHECK(segs[6]["body"] == "Next question.");  // runs of spaces collapsed
}

TEST_CASE("sidecars refuse a timeline that is not the script's", "[sidecar]") {
    auto f = make_fixture();
    f.timeline.segments.pop_back();
    CHECK_THROWS_AS(sidecar::webvtt(f.script, f.timeline), Error);
    auto g = make_fixture();
    g.timeline.chapter_starts.pop_back();
    CHECK_THROWS_AS(sidecar::chapters_json(g.script, g.timeline), Error);
}

TEST_CASE("manifest.json round-trips and names the file when it is wrong", "[sidecar]") {
    auto f = make_fixture();
    auto m = sidecar::make_manifest(f.script, f.timeline, {"lavrov-2021-08-30", "lavrov-2021-08-30.m4a",
                                                           "lavrov-2021-08-30.opus"});
    m.render_key = "0123abcd";
    m.file("m4a")->bytes = 123456;
    m.file("opus")->bytes = 65432;
    m.cover = "cover.jpg";
    auto text = sidecar::to_json(m);
    auto j = nlohmann::json::parse(text);
    CHECK(j["slug"] == "lavrov-2021-08-30");
    CHECK(j["files"]["m4a"]["type"] == "audio/mp4");
    CHECK(j["files"]["chapters"]["name"] == "lavrov-2021-08-30.chapters.json");
    CHECK(j["speakers"] == nlohmann::json({"Sergey Lavrov", "A & B <Co>"}));  // named speakers only
    CHECK(j["roles"] == nlohmann::json({"main", "other"}));
    // A speaker known by a role label is nobody an app should list.
    auto chaired = f.script;
    chaired.speakers.push_back({"moderator", "Moderator", SpeakerRole::Moderator, "q3"});
    chaired.speakers.back().role_only = true;
    chaired.speakers.push_back({"lester-holt", "Lester Holt", SpeakerRole::Moderator, "q4"});
    const auto mc = sidecar::make_manifest(chaired, f.timeline, {"x", "x.m4a", "x.opus"});
    CHECK(mc.speakers == std::vector<std::string>{"Sergey Lavrov", "A & B <Co>", "Lester Holt"});
    CHECK(mc.roles == std::vector<std::string>{"main", "other", "moderator"});
    CHECK(sidecar::describe(chaired).find("Moderator") == std::string::npos);

    auto back = sidecar::parse_manifest(text, "out/x/manifest.json");
    CHECK(back.title == f.script.meta.title);
    CHECK(back.date == "2021-08-30");
    CHECK(back.time == "19:47");
    CHECK(back.place == "Volgograd");
    CHECK(back.duration == Approx(double(f.timeline.total) / 48000).margin(0.0006));
    REQUIRE(back.files.size() == m.files.size());
    for (std::size_t i = 0; i < m.files.size(); ++i) {
        CHECK(back.files[i].kind == m.files[i].kind);
        CHECK(back.files[i].name == m.files[i].name);
        CHECK(back.files[i].type == m.files[i].type);
        CHECK(back.files[i].bytes == m.files[i].bytes);
    }
    CHECK(back.file("m4a")->bytes == 123456);
    CHECK(back.file("opus")->type == "audio/ogg; codecs=opus");
    CHECK(back.file("vtt")->bytes == 0);
    CHECK(back.file("m4b") == nullptr);
    CHECK(back.cover == "cover.jpg");
    CHECK(back.render_key == "0123abcd");

    auto message = [](const std::string& text) {
        try {
            sidecar::parse_manifest(text, "out/x/manifest.json");
        } catch (const InputError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK_THAT(message("{\"slug\": \"x\","), Catch::Contains("out/x/manifest.json") && Catch::Contains("JSON"));
    CHECK_THAT(message("[]"), Catch::Contains("out/x/manifest.json"));
    CHECK_THAT(message(R"({"slug":"x","title":"T","files":{"m4a":{"name":"x.m4a","bytes":-3}}})"),
               Catch::Contains("not a byte count"));
    CHECK_THAT(message(R"({"slug":"x","title":"T","files":{"m4a":{"name":"../../etc/passwd"}}})"),
               Catch::Contains("not a file name"));
    CHECK_THAT(message(R"({"slug":"x","files":{"m4a":{"name":"x.m4a"}}})"), Catch::Contains("\"title\" is missing"));
}

TEST_CASE("media types come from one table", "[sidecar]") {
    CHECK(std::string(sidecar::media_type("opus")) == "audio/ogg; codecs=opus");
    CHECK(std::string(sidecar::media_type("m4a")) == "audio/mp4");
    CHECK(std::string(sidecar::media_type("vtt")) == "text/vtt");
    CHECK(std::string(sidecar::media_type("html")) == "text/html");
    CHECK(std::string(sidecar::media_type("nonsense")).empty());
}
