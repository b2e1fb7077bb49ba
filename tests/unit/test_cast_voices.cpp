// Casting that scales: long events with dozens of people, derived voices, and
// what happens when even those run out.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "cast/cast.hpp"
#include "test_cast_fixtures.hpp"

using namespace turncast;
using castfx::Builder;

namespace {

// A voice of `sex` added to the palette and to cfg.derived.
void derive(cast::CastConfig& cfg, const std::string& id, Sex sex) {
    Voice v;
    v.id = id;
    v.espeak_voice = "en-us";
    v.variant = sex == Sex::Female ? "f1" : "m2";
    v.sex = sex;
    cfg.palette.push_back(v);
    cfg.derived.push_back(id);
}

// Two speakers heard one after the other (narrator lines skipped) never share
// a voice, and no two speakers of one chapter do.
void require_voices_apart(const Script& s) {
    const Segment* last = nullptr;
    for (const auto& seg : s.segments) {
        if (seg.narration) continue;
        if (last && last->speaker != seg.speaker) {
            INFO(s.speakers[last->speaker].name << " then " << s.speakers[seg.speaker].name);
            REQUIRE(last->voice != seg.voice);
        }
        last = &seg;
    }
    std::map<std::size_t, std::map<std::string, std::set<std::size_t>>> by_chapter;
    for (const auto& seg : s.segments) by_chapter[seg.chapter][seg.voice].insert(seg.speaker);
    for (const auto& [c, voices] : by_chapter)
        for (const auto& [v, who] : voices) {
            INFO("chapter " << c << " voice " << v);
            REQUIRE(who.size() == 1);
        }
}

std::size_t narrated(const Script& s, const std::string& line) {
    return std::count_if(s.segments.begin(), s.segments.end(),
                         [&](const Segment& x) { return x.narration && x.text == line; });
}

// A host and n named questioners, each asking in a chapter of their own and
// following up once after the answer.
Builder press_conference(int n, std::vector<std::size_t>& who) {
    Builder b;
    auto host = b.speaker("host", "Host", SpeakerRole::Main);
    b.turn(host, TurnKind::Remarks, {"Welcome."});
    for (int i = 0; i < n; ++i) {
        const std::string name = "Reporter" + std::string(1, char('A' + i % 26)) + std::to_string(i);
        who.push_back(b.speaker("r" + std::to_string(i), name, SpeakerRole::Questioner));
        b.turn(who.back(), TurnKind::Question, {"A question?"});
        b.turn(host, TurnKind::Answer, {"An answer."});
        b.turn(who.back(), TurnKind::FollowUp, {"And a follow-up?"});
        b.turn(host, TurnKind::Answer, {"Another answer."});
    }
    return b;
}

}  // namespace

TEST_CASE("voices: derived voices come after both pools, before anyone shares", "[unit][cast]") {
    auto cfg = castfx::config();
    cfg.questioners = {"q1", "q2"};
    cfg.others = {"o1"};
    derive(cfg, "d1", Sex::Male);
    derive(cfg, "d2", Sex::Female);
    derive(cfg, "d3", Sex::Male);
    std::vector<std::size_t> who;
    Builder b = press_conference(6, who);
    Script s = cast::cast(b.doc, b.seg, cfg, {});
    std::vector<std::string> got;
    for (auto w : who) got.push_back(s.speakers[w].voice);
    CHECK(got == std::vector<std::string>{"q1", "q2", "o1", "d1", "d2", "d3"});
    require_voices_apart(s);
    CHECK(s.warnings.empty());
    // The script lists the derived voices it uses, for the renderer.
    CHECK(s.find_voice("d3") != nullptr);
}

TEST_CASE("voices: with every voice taken, people of different chapters share one and are named at each change",
          "[unit][cast]") {
    auto cfg = castfx::config();
    cfg.questioners = {"q1", "q2"};
    cfg.others = {"o1"};
    std::vector<std::size_t> who;
    Builder b = press_conference(5, who);
    Script s = cast::cast(b.doc, b.seg, cfg, {});
    std::vector<std::string> got;
    for (auto w : who) got.push_back(s.speakers[w].voice);
    // q1, q2, o1, then the least recently heard voice of another chapter.
    CHECK(got == std::vector<std::string>{"q1", "q2", "o1", "q1", "q2"});
    require_voices_apart(s);
    // A listener cannot tell Reporter A from Reporter D by voice: the narrator
    // names them at every change of speaker ("Question 1." already introduces
    // the question itself). Reporter C's voice is theirs alone.
    CHECK(narrated(s, "ReporterA0.") == 1);
    CHECK(narrated(s, "ReporterD3.") == 1);
    CHECK(narrated(s, "ReporterC2.") == 0);
    CHECK(s.warnings == std::vector<std::string>{
                            "4 speakers share voices across chapters (the pools and derived voices are used up): the "
                            "narrator names them at every change of speaker"});
}

TEST_CASE("voices: two people heard in one chapter never share a voice, neighbours or not", "[unit][cast]") {
    auto cfg = castfx::config();
    cfg.questioners = {"q1"};
    cfg.others = {"o1"};
    Builder b;  // no questions, short: one chapter
    auto host = b.speaker("host", "Host", SpeakerRole::Main);
    std::vector<std::size_t> guests;
    for (const char* name : {"Ann", "Bob", "Cy", "Di"}) {
        guests.push_back(b.speaker(name, name, SpeakerRole::Other));
        b.turn(host, TurnKind::Remarks, {"Over to you."});
        b.turn(guests.back(), TurnKind::Remarks, {"Thank you."});
    }
    Script s = cast::cast(b.doc, b.seg, cfg, {});
    REQUIRE(s.chapters.size() == 1);
    std::set<std::string> voices;
    for (auto g : guests) voices.insert(s.speakers[g].voice);
    voices.insert(s.speakers[host].voice);
    CHECK(voices.size() == 5);
    require_voices_apart(s);
}

TEST_CASE("voices: a moderator's voice is theirs alone, even when others must share", "[unit][cast]") {
    auto cfg = castfx::config();
    cfg.questioners = {"q1"};
    cfg.others = {"o1"};
    Builder b;
    auto host = b.speaker("host", "Host", SpeakerRole::Main);
    auto mod = b.speaker("mod", "Moderator", SpeakerRole::Moderator);
    std::vector<std::size_t> qs;
    b.turn(mod, TurnKind::Remarks, {"We begin."});
    b.turn(host, TurnKind::Remarks, {"Welcome."});
    for (int i = 0; i < 4; ++i) {
        qs.push_back(b.speaker("q" + std::to_string(i), "Questioner " + std::to_string(i + 1),
                               SpeakerRole::Questioner));
        b.turn(mod, TurnKind::Remarks, {"Next, please."});
        b.turn(qs.back(), TurnKind::Question, {"A question?"});
        b.turn(host, TurnKind::Answer, {"An answer."});
    }
    Script s = cast::cast(b.doc, b.seg, cfg, {});
    const std::string m = s.speakers[mod].voice;
    CHECK(m == "o1");
    for (std::size_t i = 0; i < s.speakers.size(); ++i)
        if (i != mod) CHECK(s.speakers[i].voice != m);
    for (auto q : qs) CHECK(s.speakers[q].voice == "q1");  // one chapter each
    require_voices_apart(s);
}

TEST_CASE("voices: the shipped cast file gives sixty people sixty voices", "[unit][cast]") {
    auto cfg = cast::load_cast(cast::default_cast_path());
    auto lex = cast::load_lexicon(cast::default_lexicon_path());
    SECTION("sixty questioners, a chapter each") {
        std::vector<std::size_t> who;
        Builder b = press_conference(60, who);
        Script s = cast::cast(b.doc, b.seg, cfg, lex);
        std::set<std::string> voices;
        for (const auto& sp : s.speakers) voices.insert(sp.voice);
        CHECK(voices.size() == s.speakers.size());
        require_voices_apart(s);
        CHECK(s.warnings.empty());
    }
    SECTION("sixty people in one chapter") {
        Builder b;
        auto host = b.speaker("host", "Host", SpeakerRole::Main);
        for (int i = 0; i < 60; ++i) {
            auto g = b.speaker("g" + std::to_string(i), "Guest " + std::to_string(i), SpeakerRole::Other);
            b.turn(host, TurnKind::Remarks, {"Next."});
            b.turn(g, TurnKind::Remarks, {"Thank you."});
        }
        Script s = cast::cast(b.doc, b.seg, cfg, lex);
        REQUIRE(s.chapters.size() == 1);
        require_voices_apart(s);
        CHECK(s.warnings.empty());
    }
}
