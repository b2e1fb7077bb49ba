// Casting and chapter planning on hand-made segmentations.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "cast/cast.hpp"
#include "test_cast_fixtures.hpp"

using namespace turncast;
using castfx::Builder;

namespace {

std::vector<std::string> titles(const Script& s) {
    std::vector<std::string> t;
    for (const auto& c : s.chapters) t.push_back(c.title);
    return t;
}

std::size_t narrator_of(const Script& s) {
    for (std::size_t i = 0; i < s.speakers.size(); ++i)
        if (s.speakers[i].role == SpeakerRole::Narrator) return i;
    FAIL("no narrator speaker");
    return 0;
}

// The voice of each turn's first spoken (non-narration) segment, in turn order.
std::vector<std::string> turn_voices(const Script& s) {
    std::vector<std::string> v(s.turns.size());
    for (const auto& seg : s.segments)
        if (!seg.narration && v[seg.turn].empty()) v[seg.turn] = seg.voice;
    return v;
}

void require_adjacent_voices_differ(const Script& s) {
    for (std::size_t i = 1; i < s.segments.size(); ++i) {
        const auto& a = s.segments[i - 1];
        const auto& b = s.segments[i];
        if (a.speaker != b.speaker) {
            INFO("segments " << i - 1 << " and " << i << ": " << a.text << " / " << b.text);
            REQUIRE(a.voice != b.voice);
        }
    }
}

}  // namespace

TEST_CASE("sample-shaped transcript: 8 chapters with titles that say what is inside", "[unit][cast]") {
    auto b = castfx::sample();
    Script s = cast::cast(b.doc, b.seg, castfx::config(), {});

    REQUIRE(titles(s) == std::vector<std::string>{
                             "Opening remarks",
                             "Question 1: One significant aspect of the struggle for peace\xE2\x80\xA6",
                             "Question 2: Last spring, a team of French researchers visited\xE2\x80\xA6",
                             "Question 3: Thanks to your helping hand, the Hero City\xE2\x80\xA6",
                             "Question 4: You are a role model for many people\xE2\x80\xA6",
                             "Question 5: In your interviews you said on many occasions\xE2\x80\xA6",
                             "Question 6: I would like to phrase my question as\xE2\x80\xA6",
                             "Closing remarks",
                         });
    // first_turn: the opening, each Question turn, the closing turn.
    std::vector<std::size_t> first_turns;
    for (const auto& c : s.chapters) first_turns.push_back(c.first_turn);
    REQUIRE(first_turns == std::vector<std::size_t>{0, 1, 3, 5, 7, 9, 13, 15});

    // The follow-up (turn 11) and its answer stay in question 5's chapter.
    for (const auto& seg : s.segments)
        if (seg.turn >= 9 && seg.turn <= 12) REQUIRE(seg.chapter == 5);

    // first_segment points at the chapter's first segment, which carries the
    // chapter pause; segments' chapter indices never go backwards.
    for (std::size_t c = 0; c < s.chapters.size(); ++c) {
        const auto& first = s.segments.at(s.chapters[c].first_segment);
        REQUIRE(first.chapter == c);
        REQUIRE(first.pause_before_ms == castfx::config().pauses.chapter_ms);
        if (s.chapters[c].first_segment > 0)
            REQUIRE(s.segments[s.chapters[c].first_segment - 1].chapter == c - 1);
    }
    // A question chapter opens with the narrator's "Question N." line.
    const auto& q3 = s.segments[s.chapters[3].first_segment];
    REQUIRE(q3.narration);
    REQUIRE(q3.text == "Question 3.");
    REQUIRE(q3.turn == 5);
}

TEST_CASE("narrator: a speaker of its own, an intro with title, place and spoken date", "[unit][cast]") {
    auto b = castfx::sample();
    Script s = cast::cast(b.doc, b.seg, castfx::config(), {});
    const std::size_t n = narrator_of(s);
    REQUIRE(s.speakers.size() == b.seg.speakers.size() + 1);
    REQUIRE(s.speakers[n].id == "narrator");
    REQUIRE(s.speakers[n].voice == "narrator");

    const Segment& intro = s.segments.front();
    REQUIRE(intro.narration);
    REQUIRE(intro.speaker == n);
    REQUIRE(intro.turn == 0);
    REQUIRE(intro.chapter == 0);
    // The title's own trailing ", Volgograd, August 30, 2021" is not said twice.
    REQUIRE(intro.text ==
            "Sergey Lavrov\xE2\x80\x99s remarks and answers to questions during a meeting with the WWII veteran "
            "community, volunteers and representatives of the people\xE2\x80\x99s diplomacy centre. "
            "Volgograd, 30 August 2021.");

    Metadata m;
    m.title = "Press conference";
    REQUIRE(cast::intro_text(m) == "Press conference.");
    m.date = "2022-03-25";
    REQUIRE(cast::intro_text(m) == "Press conference. 25 March 2022.");
    m.place = "Warsaw";
    REQUIRE(cast::intro_text(m) == "Press conference. Warsaw, 25 March 2022.");

    // The title card shows the place and date above the title: the title
    // drops them, and only them, from its end.
    m.title = "Remarks at a meeting with students, Warsaw, March 25, 2022";
    REQUIRE(cast::bare_title(m) == "Remarks at a meeting with students");
    m.title = "Remarks on Warsaw, the city";
    REQUIRE(cast::bare_title(m) == "Remarks on Warsaw, the city");
    REQUIRE(cast::spoken_date("2022-03-25") == "25 March 2022");
    REQUIRE(cast::spoken_date("March 2022") == "March 2022");
}

TEST_CASE("script copies meta, speakers and turns; fills every voice; lists the voices used", "[unit][cast]") {
    auto b = castfx::sample();
    Script s = cast::cast(b.doc, b.seg, castfx::config(), {});
    REQUIRE(s.meta.title == b.doc.meta.title);
    REQUIRE(s.meta.date == "2021-08-30");
    REQUIRE(s.turns.size() == b.seg.turns.size());
    for (std::size_t t = 0; t < s.turns.size(); ++t) REQUIRE(s.turns[t].paragraphs == b.seg.turns[t].paragraphs);
    for (const auto& sp : s.speakers) {
        INFO(sp.name);
        REQUIRE_FALSE(sp.voice.empty());
        REQUIRE_NOTHROW(s.voice(sp.voice));
    }
    for (const auto& seg : s.segments) {
        REQUIRE(seg.voice == s.speakers[seg.speaker].voice);
        REQUIRE_NOTHROW(s.voice(seg.voice));
    }
    std::set<std::string> used;
    for (const auto& sp : s.speakers) used.insert(sp.voice);
    REQUIRE(s.voices.size() == used.size());
    // Every paragraph is spoken exactly once.
    std::size_t spoken = 0;
    for (const auto& seg : s.segments) spoken += !seg.narration;
    REQUIRE(spoken == b.doc.paragraphs.size());
}

TEST_CASE("voices: main speaker, questioners take a voice nobody has while one is left", "[unit][cast]") {
    auto b = castfx::sample();
    Script s = cast::cast(b.doc, b.seg, castfx::config(), {});
    REQUIRE(s.speakers[0].voice == "main");
    // Six questioners, a pool of four: q1..q4, then the others pool's voices,
    // which nobody has yet, rather than q1 again.
    std::vector<std::string> got;
    for (int i = 1; i <= 6; ++i) got.push_back(s.speakers[i].voice);
    REQUIRE(got == std::vector<std::string>{"q1", "q2", "q3", "q4", "o1", "o2"});
    // The follow-up is the same person in the same voice.
    auto tv = turn_voices(s);
    REQUIRE(tv[11] == tv[9]);
    require_adjacent_voices_differ(s);
}

TEST_CASE("voices: more questioners than their pool take the other pool's voices before sharing", "[unit][cast]") {
    auto cfg = castfx::config();
    cfg.questioners = {"q1", "q2"};
    Builder b;
    auto host = b.speaker("host", "Host", SpeakerRole::Main);
    auto a = b.speaker("a", "Anna", SpeakerRole::Questioner);
    auto c = b.speaker("c", "Carl", SpeakerRole::Questioner);
    auto d = b.speaker("d", "Dora", SpeakerRole::Other);
    b.turn(host, TurnKind::Remarks, {"Welcome."});
    b.turn(a, TurnKind::Question, {"First question?"});
    b.turn(host, TurnKind::Answer, {"Yes."});
    b.turn(c, TurnKind::Question, {"Second question?"});
    b.turn(d, TurnKind::Remarks, {"Dora interrupts Carl."});  // adjacent to Carl
    b.turn(host, TurnKind::Answer, {"Indeed."});
    Script s = cast::cast(b.doc, b.seg, cfg, {});
    REQUIRE(s.speakers[a].voice == "q1");
    REQUIRE(s.speakers[c].voice == "q2");
    // Dora is not a questioner: her own pool.
    REQUIRE(s.speakers[d].voice == "o1");
    require_adjacent_voices_differ(s);

    // Three questioners with a two-voice pool: the third takes a voice of the
    // others pool that nobody has, not q1 again.
    Builder e;
    auto h = e.speaker("host", "Host", SpeakerRole::Main);
    auto x = e.speaker("x", "X", SpeakerRole::Questioner);
    auto y = e.speaker("y", "Y", SpeakerRole::Questioner);
    auto z = e.speaker("z", "Z", SpeakerRole::Questioner);
    e.turn(h, TurnKind::Remarks, {"Hello."});
    e.turn(x, TurnKind::Question, {"One?"});
    e.turn(h, TurnKind::Answer, {"A."});
    e.turn(y, TurnKind::Question, {"Two?"});
    e.turn(h, TurnKind::Answer, {"B."});
    e.turn(z, TurnKind::Question, {"Three?"});
    e.turn(h, TurnKind::Answer, {"C."});
    Script t = cast::cast(e.doc, e.seg, cfg, {});
    REQUIRE(t.speakers[x].voice == "q1");
    REQUIRE(t.speakers[y].voice == "q2");
    REQUIRE(t.speakers[z].voice == "o1");
    require_adjacent_voices_differ(t);
    REQUIRE(t.warnings.empty());
}

TEST_CASE("voices: overrides by speaker name or id win", "[unit][cast]") {
    auto cfg = castfx::config();
    cfg.overrides["Questioner 2"] = "o2";
    cfg.overrides["sergey-lavrov"] = "o1";
    auto b = castfx::sample();
    Script s = cast::cast(b.doc, b.seg, cfg, {});
    REQUIRE(s.speakers[0].voice == "o1");
    REQUIRE(s.speakers[2].voice == "o2");
    REQUIRE(s.speakers[1].voice == "q1");
    REQUIRE(s.speakers[3].voice == "q2");  // rotation continues without the overridden one
    require_adjacent_voices_differ(s);
}

TEST_CASE("voices: a title in the label (Ms., Mr., Sir, ...) says the speaker's sex", "[unit][cast]") {
    CHECK(cast::stated_sex("Ms. Psaki") == Sex::Female);
    CHECK(cast::stated_sex("MS. PSAKI") == Sex::Female);
    CHECK(cast::stated_sex("Mrs Smith") == Sex::Female);
    CHECK(cast::stated_sex("Madam Chair") == Sex::Female);
    CHECK(cast::stated_sex("Baroness Ashton") == Sex::Female);
    CHECK(cast::stated_sex("Mr. Sullivan") == Sex::Male);
    CHECK(cast::stated_sex("MR KIRBY") == Sex::Male);
    CHECK(cast::stated_sex("Sir Keir Starmer") == Sex::Male);
    // No title, or a title with no name after it: nothing stated.
    CHECK(cast::stated_sex("Sergey Lavrov") == Sex::Unstated);
    CHECK(cast::stated_sex("Questioner 3") == Sex::Unstated);
    CHECK(cast::stated_sex("Missy Elliott") == Sex::Unstated);
    CHECK(cast::stated_sex("Mrs.") == Sex::Unstated);
    CHECK(cast::stated_sex("President Zelenskyy") == Sex::Unstated);
}

TEST_CASE("voices: a speaker titled Ms. or Mr. gets a voice of that sex, the main speaker too", "[unit][cast]") {
    auto cfg = castfx::config();
    Builder b;
    auto psaki = b.speaker("ms-psaki", "Ms. Psaki", SpeakerRole::Main);
    auto sullivan = b.speaker("mr-sullivan", "Mr. Sullivan", SpeakerRole::Other);
    auto smith = b.speaker("mrs-smith", "Mrs. Smith", SpeakerRole::Questioner);
    auto jones = b.speaker("mr-jones", "Mr. Jones", SpeakerRole::Questioner);
    auto lee = b.speaker("ms-lee", "Ms. Lee", SpeakerRole::Questioner);
    b.turn(psaki, TurnKind::Remarks, {"Good afternoon."});
    b.turn(sullivan, TurnKind::Remarks, {"Thank you, Jen."});
    b.turn(smith, TurnKind::Question, {"First question?"});
    b.turn(sullivan, TurnKind::Answer, {"Yes."});
    b.turn(jones, TurnKind::Question, {"Second question?"});
    b.turn(psaki, TurnKind::Answer, {"No."});
    b.turn(lee, TurnKind::Question, {"Third question?"});
    b.turn(psaki, TurnKind::Answer, {"Perhaps."});
    Script s = cast::cast(b.doc, b.seg, cfg, {});
    // The main voice is male: Ms. Psaki gets the female one of the others
    // pool, Mr. Sullivan the male one.
    CHECK(s.speakers[psaki].voice == "o2");
    CHECK(s.speakers[sullivan].voice == "o1");
    // Questioners rotate through their pool's voices of their sex: q1 and q3
    // are female, q2 and q4 male.
    CHECK(s.speakers[smith].voice == "q1");
    CHECK(s.speakers[jones].voice == "q2");
    CHECK(s.speakers[lee].voice == "q3");
    require_adjacent_voices_differ(s);
    CHECK(s.warnings.empty());

    // Without a title the roles decide as before: the main voice.
    Builder plain;
    auto host = plain.speaker("jen-psaki", "Jen Psaki", SpeakerRole::Main);
    plain.turn(host, TurnKind::Remarks, {"Good afternoon."});
    CHECK(cast::cast(plain.doc, plain.seg, cfg, {}).speakers[host].voice == "main");

    // An override still wins.
    cfg.overrides["Ms. Psaki"] = "main";
    CHECK(cast::cast(b.doc, b.seg, cfg, {}).speakers[psaki].voice == "main");
}

TEST_CASE("voices: titles written before a speaker's surname say their sex", "[unit][cast]") {
    using V = std::vector<std::string_view>;
    CHECK(cast::addressed_sex("Vladimir Putin", V{"Thank you, Mr Putin, for your remarks."}) == Sex::Male);
    CHECK(cast::addressed_sex("Vladimir Putin", V{"I greet Mr Vladimir Putin."}) == Sex::Male);
    CHECK(cast::addressed_sex("Karine Jean-Pierre", V{"To Ms. Jean-Pierre's point: yes."}) == Sex::Female);
    CHECK(cast::addressed_sex("Merkel", V{"(Madam Merkel spoke first)"}) == Sex::Female);
    CHECK(cast::addressed_sex("Erdo\xC4\x9F" "an", V{"I thank Mr Erdo\xC4\x9F" "an."}) == Sex::Male);
    // The most titles win, across texts; a tie or no title says nothing.
    CHECK(cast::addressed_sex("Lee", V{"Mrs Lee said", "Mr Lee asked", "Ms Lee answered"}) == Sex::Female);
    CHECK(cast::addressed_sex("Lee", V{"Mrs Lee said", "Mr Lee asked"}) == Sex::Unstated);
    CHECK(cast::addressed_sex("Putin", V{"President Putin and Putin himself"}) == Sex::Unstated);
    // Only the surname as a word of its own, spelt as in the label.
    CHECK(cast::addressed_sex("Putin", V{"Mr Putinism", "Mr putin", "Mr XPutin"}) == Sex::Unstated);
    CHECK(cast::addressed_sex("Questioner 3", V{"Mr 3", "Mr Questioner 3"}) == Sex::Unstated);
}

TEST_CASE("voices: a speaker the transcript calls Mr or Ms gets a voice of that sex", "[unit][cast]") {
    auto cfg = castfx::config();  // others: o1 male, o2 female
    Builder b;
    auto merkel = b.speaker("angela-merkel", "Angela Merkel", SpeakerRole::Other);
    auto putin = b.speaker("vladimir-putin", "Vladimir Putin", SpeakerRole::Other);
    b.turn(merkel, TurnKind::Remarks, {"Good afternoon."});
    b.turn(putin, TurnKind::Remarks, {"Thank you, Madam Merkel."});
    b.turn(merkel, TurnKind::Remarks, {"Thank you, Mr Putin."});
    Script s = cast::cast(b.doc, b.seg, cfg, {});
    CHECK(s.speakers[merkel].sex == Sex::Female);
    CHECK(s.speakers[putin].sex == Sex::Male);
    // By order alone Merkel, heard first, would get o1.
    CHECK(s.speakers[merkel].voice == "o2");
    CHECK(s.speakers[putin].voice == "o1");
    require_adjacent_voices_differ(s);

    // The label's own title comes first; an override still wins.
    Builder titled;
    auto smith = titled.speaker("ms-smith", "Ms. Smith", SpeakerRole::Other);
    auto host = titled.speaker("host", "Host", SpeakerRole::Main);
    titled.turn(host, TurnKind::Remarks, {"Mr Smith, welcome."});
    titled.turn(smith, TurnKind::Remarks, {"Thank you."});
    CHECK(cast::cast(titled.doc, titled.seg, cfg, {}).speakers[smith].voice == "o2");
    cfg.overrides["Vladimir Putin"] = "o2";
    cfg.overrides["Angela Merkel"] = "o1";
    Script o = cast::cast(b.doc, b.seg, cfg, {});
    CHECK(o.speakers[putin].voice == "o2");
    CHECK(o.speakers[merkel].voice == "o1");
}

TEST_CASE("voices: with no voice of the stated sex free, the usual rules pick one", "[unit][cast]") {
    auto cfg = castfx::config();
    cfg.questioners = {"q2", "q4"};  // male voices only
    cfg.others = {"o1"};
    Builder b;
    auto host = b.speaker("host", "Mr. Host", SpeakerRole::Main);
    auto ann = b.speaker("ms-ann", "Ms. Ann", SpeakerRole::Questioner);
    b.turn(host, TurnKind::Remarks, {"Welcome."});
    b.turn(ann, TurnKind::Question, {"A question?"});
    b.turn(host, TurnKind::Answer, {"An answer."});
    Script s = cast::cast(b.doc, b.seg, cfg, {});
    CHECK(s.speakers[host].voice == "main");
    CHECK(s.speakers[ann].voice == "q2");
    require_adjacent_voices_differ(s);
    // ... and says so; an override to the same voice is the user's choice.
    REQUIRE(s.warnings.size() == 1);
    CHECK(s.warnings[0] ==
          "Ms. Ann reads as female but speaks in voice 'q2' of the other sex: the pools had no female voice free; "
          "add one to the cast file or give Ms. Ann an override");
    cfg.overrides["Ms. Ann"] = "q2";
    CHECK(cast::cast(b.doc, b.seg, cfg, {}).warnings.empty());
}

TEST_CASE("announcements: first time, every change, never; questions", "[unit][cast]") {
    auto b = castfx::sample();
    auto narrated = [](const Script& s) {
        std::vector<std::string> t;
        for (const auto& seg : s.segments)
            if (seg.narration) t.push_back(seg.text);
        return t;
    };
    auto cfg = castfx::config();

    SECTION("first (default): each named speaker once, 'Question N.' before each question") {
        auto t = narrated(cast::cast(b.doc, b.seg, cfg, {}));
        REQUIRE(t.size() == 1 + 1 + 6);
        REQUIRE(t[1] == "Sergey Lavrov.");
        REQUIRE(t[2] == "Question 1.");
        REQUIRE(std::count(t.begin(), t.end(), "Sergey Lavrov.") == 1);
        REQUIRE(t.back() == "Question 6.");
    }
    SECTION("every change of speaker") {
        cfg.announce = cast::Announce::EveryChange;
        auto t = narrated(cast::cast(b.doc, b.seg, cfg, {}));
        // Lavrov's 8 turns after a different speaker (the closing follows his own answer),
        // plus "Questioner 5." before the follow-up.
        REQUIRE(std::count(t.begin(), t.end(), "Sergey Lavrov.") == 8);
        REQUIRE(std::count(t.begin(), t.end(), "Questioner 5.") == 1);
    }
    SECTION("never, and no question numbers") {
        cfg.announce = cast::Announce::Never;
        cfg.announce_questions = false;
        auto t = narrated(cast::cast(b.doc, b.seg, cfg, {}));
        REQUIRE(t.size() == 1);  // the intro only
        // Question chapters then open with the question itself.
        Script s = cast::cast(b.doc, b.seg, cfg, {});
        REQUIRE_FALSE(s.segments[s.chapters[1].first_segment].narration);
        REQUIRE(s.chapters.size() == 8);
    }
    SECTION("questions off, speakers first: anonymous questioners are named") {
        cfg.announce_questions = false;
        auto t = narrated(cast::cast(b.doc, b.seg, cfg, {}));
        REQUIRE(std::count(t.begin(), t.end(), "Questioner 1.") == 1);
        REQUIRE(std::count(t.begin(), t.end(), "Question 1.") == 0);
    }
}

TEST_CASE("pauses: paragraph, turn, chapter, announcement and stage directions", "[unit][cast]") {
    auto cfg = castfx::config();
    cfg.pauses = {300, 800, 2000, 700};
    Builder b;
    auto host = b.speaker("host", "Jane Host", SpeakerRole::Main);
    auto guest = b.speaker("guest", "Guest Person", SpeakerRole::Other);
    b.turn(host, TurnKind::Remarks, {"First paragraph.", "Second paragraph."});
    b.turn(host, TurnKind::Stage, {"(Laughter.)"}, true);
    b.turn(guest, TurnKind::Remarks, {"Guest speaks."});
    b.turn(host, TurnKind::Remarks, {"Host again."});

    SECTION("stage directions as silence") {
        Script s = cast::cast(b.doc, b.seg, cfg, {});
        // intro? no title: segments are announcement, 2 paragraphs, announcement, guest, host.
        std::vector<std::pair<std::string, int>> got;
        for (const auto& seg : s.segments) got.emplace_back(seg.text, seg.pause_before_ms);
        REQUIRE(got == std::vector<std::pair<std::string, int>>{
                           {"Jane Host.", 2000},         // chapter start
                           {"First paragraph.", 300},    // announcement → its speaker
                           {"Second paragraph.", 300},   // same turn
                           {"Guest Person.", 800},       // speaker change; the stage direction's 700 fits in it
                           {"Guest speaks.", 300},
                           {"Host again.", 800},
                       });
    }
    SECTION("stage directions read by the narrator") {
        cfg.narrate_stage_directions = true;
        Script s = cast::cast(b.doc, b.seg, cfg, {});
        auto it = std::find_if(s.segments.begin(), s.segments.end(),
                               [](const Segment& x) { return x.text == "Laughter."; });
        REQUIRE(it != s.segments.end());
        REQUIRE(it->narration);
        REQUIRE(it->voice == "narrator");
        REQUIRE(it->turn == 1);
        REQUIRE(it->pause_before_ms == 800);
        // Never in the speaker's own voice.
        for (const auto& seg : s.segments)
            if (seg.speaker == host) REQUIRE(seg.text.find("Laughter") == std::string::npos);
    }
}

TEST_CASE("segment text: markup from the transcript is neutralised, then normalised and the lexicon applied",
          "[unit][cast]") {
    Builder b;
    auto who = b.speaker("x", "X", SpeakerRole::Main);
    b.turn(who, TurnKind::Remarks,
           {"Mr [[Lavrov]] said <voice name='f5'>hi</voice> about WWII, 10-15 per cent, No. 5 and Peter I."});
    cast::Lexicon lex;
    lex.entries.push_back({"Lavrov", "[[l@vr'0f]]", true});
    lex.entries.push_back({"WWII", "World War Two", true});
    auto cfg = castfx::config();
    cfg.announce = cast::Announce::Never;
    Script s = cast::cast(b.doc, b.seg, cfg, lex);
    REQUIRE(s.segments.size() == 1);
    REQUIRE(s.segments[0].text ==
            "Mr (( [[l@vr'0f]])) said voice name='f5' hi /voice about World War Two, 10 to 15 percent, number 5 "
            "and Peter the First.");
    // Only the lexicon puts phoneme brackets in: the transcript's own became
    // parentheses (around the lexicon's entry for the name they held).
}

TEST_CASE("chapters without questions: a long monologue is split every 5-10 minutes at paragraph breaks",
          "[unit][cast]") {
    auto cfg = castfx::config();  // main voice: 175 wpm
    Builder b;
    auto who = b.speaker("speaker", "A Speaker", SpeakerRole::Main);
    std::vector<std::string> paras;
    for (int p = 0; p < 40; ++p) {
        std::string t = "Paragraph " + std::to_string(p) + " opens here and then goes on";
        for (int w = 0; w < 140; ++w) t += " word";
        paras.push_back(t + ".");
    }
    Turn t;
    t.speaker = who;
    for (const auto& text : paras) {
        Paragraph p;
        p.text = text;
        b.doc.paragraphs.push_back(p);
        t.paragraphs.push_back(b.doc.paragraphs.size() - 1);
    }
    b.seg.turns.push_back(t);
    Script s = cast::cast(b.doc, b.seg, cfg, {});
    // 40 × 148 words at 175 wpm ≈ 34 minutes.
    REQUIRE(s.chapters.size() >= 4);
    REQUIRE(s.chapters.size() <= 6);
    REQUIRE(s.chapters[0].title == "Paragraph 0 opens here and then goes on\xE2\x80\xA6");
    for (std::size_t c = 1; c < s.chapters.size(); ++c) {
        const auto& ch = s.chapters[c];
        const auto& first = s.segments[ch.first_segment];
        REQUIRE(ch.first_turn == 0);
        REQUIRE(first.pause_before_ms == cfg.pauses.chapter_ms);
        // Titled by its opening words.
        const std::string opening = first.text.substr(0, first.text.find(" opens"));
        REQUIRE(ch.title.rfind(opening + " opens here", 0) == 0);
    }
    // Chapter lengths from word counts: 5-10 minutes, except a last one of at least 2.
    auto minutes = [&](std::size_t c) {
        std::size_t from = s.chapters[c].first_segment;
        std::size_t to = c + 1 < s.chapters.size() ? s.chapters[c + 1].first_segment : s.segments.size();
        double words = 0;
        for (std::size_t i = from; i < to; ++i) words += 148;
        return words / 175.0;
    };
    for (std::size_t c = 0; c + 1 < s.chapters.size(); ++c) {
        INFO("chapter " << c << ": " << minutes(c) << " min");
        REQUIRE(minutes(c) >= 5.0);
        REQUIRE(minutes(c) <= 10.0);
    }
    REQUIRE(minutes(s.chapters.size() - 1) >= 2.0);

    // A short talk is one chapter titled by its opening words.
    Builder shortb;
    auto one = shortb.speaker("one", "One", SpeakerRole::Main);
    shortb.turn(one, TurnKind::Remarks, {"Good morning everyone, and thank you for coming today to this."});
    Script short_script = cast::cast(shortb.doc, shortb.seg, cfg, {});
    REQUIRE(titles(short_script) == std::vector<std::string>{"Good morning everyone, and thank you for coming\xE2\x80\xA6"});
}

TEST_CASE("chapters without questions: a debate is chaptered by the moderator's questions", "[unit][cast]") {
    auto cfg = castfx::config();
    Builder b;
    auto mod = b.speaker("holt", "HOLT", SpeakerRole::Moderator);
    auto c1 = b.speaker("clinton", "CLINTON", SpeakerRole::Other);
    auto c2 = b.speaker("trump", "TRUMP", SpeakerRole::Other);
    auto long_answer = [](const std::string& who) {
        std::string t = who + " answers";
        for (int w = 0; w < 220; ++w) t += " word";  // ≈ 75 s
        return t + ".";
    };
    b.turn(mod, TurnKind::Remarks, {"Good evening from Hofstra University in Hempstead, New York."});
    b.turn(mod, TurnKind::Remarks, {"Our first segment is achieving prosperity. Why are you a better choice?"});
    b.turn(c1, TurnKind::Answer, {long_answer("Clinton")});
    b.turn(mod, TurnKind::Remarks, {"Thank you."});  // no question: no chapter
    b.turn(c2, TurnKind::Answer, {long_answer("Trump")});
    b.turn(mod, TurnKind::Remarks, {"Let us move to the next segment. How will you heal the divide?"});
    b.turn(c2, TurnKind::Answer, {"I will."});
    b.turn(mod, TurnKind::Remarks, {"Quick one: do you accept the outcome of this election, sir?"});  // < 60 s in
    b.turn(c1, TurnKind::Answer, {"Yes."});
    Script s = cast::cast(b.doc, b.seg, cfg, {});
    REQUIRE(titles(s) == std::vector<std::string>{
                             "Good evening from Hofstra University in Hempstead, New\xE2\x80\xA6",
                             "Our first segment is achieving prosperity. Why are\xE2\x80\xA6",
                             "Let us move to the next segment. How\xE2\x80\xA6",
                         });
    REQUIRE(s.chapters[1].first_turn == 1);
    REQUIRE(s.chapters[2].first_turn == 5);
    // The moderator and both candidates each have their own voice.
    REQUIRE(s.speakers[mod].voice != s.speakers[c1].voice);
    REQUIRE(s.speakers[mod].voice != s.speakers[c2].voice);
    REQUIRE(s.speakers[c1].voice != s.speakers[c2].voice);
    require_adjacent_voices_differ(s);
}

TEST_CASE("the shipped cast.toml and lexicon load and cast the sample shape", "[unit][cast]") {
    auto cfg = cast::load_cast(cast::default_cast_path());
    auto lex = cast::load_lexicon(cast::default_lexicon_path());
    auto b = castfx::sample();
    Script s = cast::cast(b.doc, b.seg, cfg, lex);
    REQUIRE(s.chapters.size() == 8);
    require_adjacent_voices_differ(s);
    // Six questioners, six pool voices: all distinct, none the main or narrator voice.
    std::set<std::string> qs;
    for (int i = 1; i <= 6; ++i) qs.insert(s.speakers[i].voice);
    REQUIRE(qs.size() == 6);
    REQUIRE_FALSE(qs.count(cfg.main));
    REQUIRE_FALSE(qs.count(cfg.narrator));
    // Announcements are pronounced through the lexicon too.
    REQUIRE(s.segments[1].text == "[[s3:g'eI]] [[l@vr'0f]].");
}

TEST_CASE("chapter titles read on past a short first paragraph", "[unit][cast]") {
    Builder b;
    auto host = b.speaker("host", "Host", SpeakerRole::Main);
    auto q = b.speaker("q", "Questioner 1", SpeakerRole::Questioner);
    b.turn(host, TurnKind::Remarks, {"Welcome."});
    b.turn(q, TurnKind::Question, {"Jake,", "on the liquid natural gas, on the timing of it?"});
    b.turn(host, TurnKind::Answer, {"Soon."});
    Script s = cast::cast(b.doc, b.seg, castfx::config(), {});
    REQUIRE(s.chapters.at(1).title == "Question 1: Jake, on the liquid natural gas, on the\xE2\x80\xA6");
}

TEST_CASE("pauses: a stage note's silence stands in for the pause there, never longer than a change of speaker",
          "[unit][cast]") {
    auto cfg = castfx::config();
    REQUIRE(cfg.pauses.paragraph_ms < cfg.pauses.stage_direction_ms);
    REQUIRE(cfg.pauses.stage_direction_ms < cfg.pauses.turn_ms);
    Builder b;
    auto host = b.speaker("host", "Jane Host", SpeakerRole::Main);
    // One turn: a paragraph, a stage note, a paragraph, two stage notes, a paragraph.
    b.turn(host, TurnKind::Remarks, {"One.", "(Laughter.)", "Two.", "(Applause.)", "(Laughter.)", "Three."});
    for (std::size_t p : {std::size_t(1), std::size_t(3), std::size_t(4)}) b.doc.paragraphs[p].stage_direction = true;
    Script s = cast::cast(b.doc, b.seg, cfg, {});
    std::map<std::string, int> pause;
    for (const auto& seg : s.segments) pause[seg.text] = seg.pause_before_ms;
    CHECK(pause.at("Two.") == cfg.pauses.stage_direction_ms);  // not paragraph + stage
    CHECK(pause.at("Three.") == cfg.pauses.turn_ms);           // two notes: capped at a change of speaker
}
