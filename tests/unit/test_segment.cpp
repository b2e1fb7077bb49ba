// The segmenter: identities, turns and turn kinds, on our fixtures, the
// bundled sample and the two real corpus transcripts.
#include <catch2/catch.hpp>

#include <set>

#include "test_parse_support.hpp"

using namespace turncast;
using turncast::test::parse_fixture;
using turncast::test::parse_text;
using turncast::test::rules;

namespace {

const std::string kSample = TURNCAST_SOURCE_DIR "/examples/lavrov-volgograd-2021-08-30.txt";

struct Parsed {
    Document doc;
    Segmentation seg;
};

Parsed run(Document doc) {
    Segmentation seg = segment::segment(doc, rules());
    return Parsed{std::move(doc), std::move(seg)};
}

Parsed sample() { return run(parse::parse_transcript(test::slurp(kSample), "lavrov.txt", rules())); }

const Speaker* by_name(const Segmentation& seg, const std::string& name) {
    for (const auto& s : seg.speakers)
        if (s.name == name) return &s;
    return nullptr;
}

std::size_t count_kind(const Segmentation& seg, TurnKind k) {
    std::size_t n = 0;
    for (const auto& t : seg.turns) n += t.kind == k;
    return n;
}

const Turn* turn_at_line(const Segmentation& seg, int line) {
    for (const auto& t : seg.turns)
        if (t.pos.line == line) return &t;
    return nullptr;
}

const Speaker& who(const Parsed& p, const Turn& t) { return p.seg.speakers.at(t.speaker); }

// Every paragraph belongs to exactly one turn, in document order; ids unique.
void check_invariants(const Parsed& p) {
    std::size_t next = 0;
    for (const auto& t : p.seg.turns) {
        REQUIRE_FALSE(t.paragraphs.empty());
        REQUIRE(t.speaker < p.seg.speakers.size());
        CHECK(t.pos.line == p.doc.paragraphs[t.paragraphs.front()].pos.line);
        for (std::size_t i : t.paragraphs) CHECK(i == next++);
    }
    CHECK(next == p.doc.paragraphs.size());
    std::set<std::string> ids;
    for (const auto& s : p.seg.speakers) {
        CHECK(ids.insert(s.id).second);
        CHECK(s.id == parse::slugify(s.id));
        CHECK(s.voice.empty());
    }
}

}  // namespace

TEST_CASE("segment: the sample's opening, questions, follow-up and closing", "[unit][segment]") {
    const Parsed p = sample();
    check_invariants(p);
    const Speaker* lavrov = by_name(p.seg, "Sergey Lavrov");
    REQUIRE(lavrov != nullptr);
    CHECK(lavrov->id == "sergey-lavrov");
    CHECK(lavrov->role == SpeakerRole::Main);

    // Unlabelled opening paragraphs are Lavrov's remarks; his later label is him too.
    const Turn& first = p.seg.turns.front();
    CHECK(first.kind == TurnKind::Remarks);
    CHECK(&who(p, first) == lavrov);
    CHECK(first.pos.line == 8);
    CHECK(first.paragraphs.size() == 15);

    CHECK(count_kind(p.seg, TurnKind::Question) == 6);
    CHECK(count_kind(p.seg, TurnKind::FollowUp) == 1);
    const Turn* q72 = turn_at_line(p.seg, 72);
    const Turn* f76 = turn_at_line(p.seg, 76);
    REQUIRE(q72 != nullptr);
    REQUIRE(f76 != nullptr);
    CHECK(q72->kind == TurnKind::Question);
    CHECK(f76->kind == TurnKind::FollowUp);
    CHECK(f76->speaker == q72->speaker);

    // Each question is a different questioner.
    std::set<std::size_t> askers;
    for (const auto& t : p.seg.turns)
        if (t.kind == TurnKind::Question) {
            CHECK(who(p, t).role == SpeakerRole::Questioner);
            askers.insert(t.speaker);
        }
    CHECK(askers.size() == 6);
    CHECK(by_name(p.seg, "Questioner 1")->id == "questioner-1");
    CHECK(by_name(p.seg, "Questioner 6")->id == "questioner-6");
    CHECK(p.seg.speakers.size() == 7);

    for (const auto& t : p.seg.turns)
        if (t.kind == TurnKind::Answer) CHECK(&who(p, t) == lavrov);
    CHECK(count_kind(p.seg, TurnKind::Answer) == 7);

    const Turn& last = p.seg.turns.back();
    CHECK(last.kind == TurnKind::Closing);
    CHECK(last.pos.line == 113);
    CHECK(&who(p, last) == lavrov);
    REQUIRE(last.paragraphs.size() == 2);
    CHECK(p.doc.paragraphs[last.paragraphs[0]].text == "Mr Bocharov,");
    CHECK(p.doc.paragraphs[last.paragraphs[1]].text.rfind("Thank you for this meeting.", 0) == 0);
    CHECK(count_kind(p.seg, TurnKind::Closing) == 1);
}

TEST_CASE("segment: long label at first mention, short later, is one speaker", "[unit][segment]") {
    const Parsed p = run(parse_fixture("official-site.txt"));
    check_invariants(p);
    const Speaker* petrov = by_name(p.seg, "Ivan Petrov");
    const Speaker* firefly = by_name(p.seg, "Rufus Firefly");
    REQUIRE(petrov != nullptr);
    REQUIRE(firefly != nullptr);
    std::size_t named = 0;
    for (const auto& s : p.seg.speakers) named += s.role == SpeakerRole::Main || s.role == SpeakerRole::Other;
    CHECK(named == 2);
    // The lead paragraph of a site whose title names nobody is the narrator's.
    CHECK(who(p, p.seg.turns.front()).role == SpeakerRole::Narrator);
    CHECK(who(p, p.seg.turns[1]).name == "Ivan Petrov");
    CHECK(p.seg.turns[1].paragraphs.size() == 2);
}

TEST_CASE("segment: a short request to repeat and Remark: stay with the questioner", "[unit][segment]") {
    const Parsed p = run(parse_fixture("official-site.txt"));
    const Turn* q = turn_at_line(p.seg, 27);
    const Turn* again = turn_at_line(p.seg, 31);
    const Turn* remark = turn_at_line(p.seg, 35);
    const Turn* next = turn_at_line(p.seg, 39);
    REQUIRE(q);
    REQUIRE(again);
    REQUIRE(remark);
    REQUIRE(next);
    CHECK(q->kind == TurnKind::Question);
    CHECK(again->kind == TurnKind::FollowUp);
    CHECK(again->speaker == q->speaker);
    CHECK(remark->kind == TurnKind::FollowUp);
    CHECK(remark->speaker == q->speaker);
    // A new question after a plain answer is a new person.
    CHECK(next->kind == TurnKind::Question);
    CHECK(next->speaker != q->speaker);
    CHECK(who(p, *turn_at_line(p.seg, 41)).name == "Rufus Firefly");
    CHECK(turn_at_line(p.seg, 41)->kind == TurnKind::Answer);
}

TEST_CASE("segment: briefings — MS./MR. names, Q questioners, a mislabel", "[unit][segment]") {
    const Parsed p = run(parse_fixture("briefing.txt"));
    check_invariants(p);
    const Speaker* psaki = by_name(p.seg, "Ms. Psaki");
    const Speaker* sullivan = by_name(p.seg, "Mr. Sullivan");
    REQUIRE(psaki);
    REQUIRE(sullivan);
    CHECK(psaki->id == "ms-psaki");
    CHECK(sullivan->id == "mr-sullivan");
    // "MS. SULLIVAN:" is a mislabel of Mr. Sullivan: the same speaker, with a warning.
    CHECK(by_name(p.seg, "Ms. Sullivan") == nullptr);
    const Turn* mislabelled = turn_at_line(p.seg, 22);
    REQUIRE(mislabelled);
    CHECK(&who(p, *mislabelled) == sullivan);
    CHECK(mislabelled->kind == TurnKind::Answer);
    bool warned = false;
    for (const auto& w : p.seg.warnings) warned |= w.find("MS. SULLIVAN") != std::string::npos;
    CHECK(warned);
    const Turn* q = turn_at_line(p.seg, 20);
    REQUIRE(q);
    CHECK(q->kind == TurnKind::Question);
    CHECK(who(p, *q).role == SpeakerRole::Questioner);
    // Sullivan's turn holds the stage direction that split his paragraph.
    const Turn* s = turn_at_line(p.seg, 17);
    REQUIRE(s);
    CHECK(s->paragraphs.size() == 3);
    CHECK(p.doc.paragraphs[s->paragraphs[1]].stage_direction);
}

TEST_CASE("segment: debates — the moderator asks, the same label continues a turn", "[unit][segment]") {
    const Parsed p = run(parse_fixture("debate.txt"));
    check_invariants(p);
    const Speaker* holt = by_name(p.seg, "Holt");
    REQUIRE(holt);
    CHECK(holt->role == SpeakerRole::Moderator);
    CHECK_FALSE(holt->role_only);  // a name, under a moderator's label or not
    REQUIRE(by_name(p.seg, "Trump"));
    REQUIRE(by_name(p.seg, "Clinton"));
    CHECK(p.seg.speakers.size() == 3);
    for (const auto& t : p.seg.turns)
        if (&who(p, t) == holt) CHECK(t.kind == TurnKind::Question);
    CHECK(count_kind(p.seg, TurnKind::Question) == 3);
    // "CLINTON:" twice around an advertisement is one turn.
    const Turn* c = turn_at_line(p.seg, 5);
    REQUIRE(c);
    CHECK(c->paragraphs.size() == 2);
    CHECK(c->kind == TurnKind::Answer);
    // The mid-line "... CLINTON:" interruption is Clinton's own turn.
    std::size_t clinton_turns = 0;
    for (const auto& t : p.seg.turns) clinton_turns += who(p, t).name == "Clinton";
    CHECK(clinton_turns == 3);
}

TEST_CASE("segment: interviews — a role label for the interviewer", "[unit][segment]") {
    const Parsed p = run(parse_fixture("interpreted.txt"));
    check_invariants(p);
    const Speaker* host = by_name(p.seg, "Interviewer");
    REQUIRE(host);
    CHECK(host->role == SpeakerRole::Moderator);
    CHECK(host->role_only);  // "Interviewer" names a role, not a person: no app lists it
    CHECK(count_kind(p.seg, TurnKind::Question) == 2);
    CHECK(count_kind(p.seg, TurnKind::Answer) == 2);
    CHECK(by_name(p.seg, "President Zelenskyy") != nullptr);
}

TEST_CASE("segment: machine transcripts and corpus turns", "[unit][segment]") {
    const Parsed o = run(parse_fixture("otter.txt"));
    check_invariants(o);
    REQUIRE(o.seg.speakers.size() == 2);
    CHECK(o.seg.speakers[0].id == "speaker-1");
    CHECK(o.seg.speakers[1].id == "jane-doe");
    CHECK(o.seg.turns.size() == 4);

    const Parsed m = run(parse_fixture("machine-speakers.txt"));
    check_invariants(m);
    CHECK(m.seg.speakers.size() == 2);
    CHECK(m.seg.turns.size() == 4);

    const Parsed c = run(parse_fixture("corpus.txt"));
    check_invariants(c);
    CHECK(c.seg.speakers.size() == 3);
    REQUIRE(c.seg.turns.size() == 3);
    CHECK(c.seg.turns[0].paragraphs.size() == 3);  // the applause stays inside Holt's turn
}

TEST_CASE("segment: no labels at all — one reader, with a warning", "[unit][segment]") {
    const Parsed p = run(parse_fixture("nolabels.txt"));
    check_invariants(p);
    REQUIRE(p.seg.speakers.size() == 1);
    CHECK(p.seg.speakers[0].id == "reader");
    CHECK(p.seg.speakers[0].role == SpeakerRole::Narrator);
    REQUIRE(p.seg.turns.size() == 1);
    CHECK(p.seg.turns[0].paragraphs.size() == 3);
    CHECK_FALSE(p.seg.warnings.empty());

    // A title naming the speaker makes an unlabelled speech theirs.
    const Parsed s = run(parse_text("Anna Berg's speech at the river festival\n\nFriends, welcome.\n\nThe river is ours.\n"));
    REQUIRE(s.seg.speakers.size() == 1);
    CHECK(s.seg.speakers[0].name == "Anna Berg");
    CHECK(s.seg.speakers[0].role == SpeakerRole::Main);
}

TEST_CASE("segment: the Kremlin news conference, as a user brings it", "[unit][segment]") {
    const Parsed p = run(parse_fixture("corpus/kremlin-ankara-news-conference-2018-04-04.txt"));
    check_invariants(p);
    CHECK(p.doc.meta.date == "2018-04-04");
    CHECK(p.doc.meta.time == "16:20");
    CHECK(p.doc.meta.place == "Ankara");
    for (const char* name : {"Vladimir Putin", "Recep Tayyip Erdogan", "Hassan Rouhani"}) {
        INFO(name);
        CHECK(by_name(p.seg, name) != nullptr);
    }
    std::size_t named = 0;
    for (const auto& s : p.seg.speakers) named += s.role == SpeakerRole::Main || s.role == SpeakerRole::Other;
    CHECK(named == 3);
    CHECK(count_kind(p.seg, TurnKind::Question) == 6);
    const std::string all = test::all_text(p.doc);
    for (const char* furniture : {"News conference following a meeting", "See also", "Publication date",
                                  "Direct link", "en.kremlin.ru", "Text version", "Foreign policy\n",
                                  "President of Turkey Recep Tayyip Erdogan.", "Events\n"}) {
        INFO(furniture);
        CHECK(all.find(furniture) == std::string::npos);
    }
}

TEST_CASE("segment: the White House gaggle, as a user brings it", "[unit][segment]") {
    const Parsed p = run(parse_fixture("corpus/whitehouse-press-gaggle-2022-03-25.txt"));
    check_invariants(p);
    CHECK(p.doc.meta.date == "2022-03-25");
    CHECK(p.doc.meta.title.find("Karine Jean-Pierre and National Security Advisor Jake Sullivan") !=
          std::string::npos);
    REQUIRE(by_name(p.seg, "Ms. Jean-Pierre"));
    REQUIRE(by_name(p.seg, "Mr. Sullivan"));
    std::size_t named = 0;
    for (const auto& s : p.seg.speakers) named += s.role == SpeakerRole::Main || s.role == SpeakerRole::Other;
    CHECK(named == 2);
    CHECK(count_kind(p.seg, TurnKind::Question) >= 20);
    for (const auto& t : p.seg.turns)
        if (t.kind == TurnKind::Question || t.kind == TurnKind::FollowUp)
            CHECK(who(p, t).role == SpeakerRole::Questioner);
    const std::string all = test::all_text(p.doc);
    for (const char* furniture : {"P.M. CET", "source_url", "press-briefings", "modified_time", "---"}) {
        INFO(furniture);
        CHECK(all.find(furniture) == std::string::npos);
    }
}

TEST_CASE("segment: 10,000 speakers sharing a surname stay fast and distinct", "[unit][segment]") {
    std::string many;
    for (int i = 0; i < 10000; ++i) many += "Name" + std::to_string(i) + " Smith: Hello.\n\n";
    const Parsed p = run(parse_text(many));
    CHECK(p.seg.speakers.size() == 10000);
    CHECK(p.seg.turns.size() == 10000);
    check_invariants(p);
}

TEST_CASE("segment: a machine transcript's 'Speaker N' is the person who introduced themselves under it",
          "[unit][segment]") {
    const Parsed p = run(parse_text("Speaker 1  0:04\nGood evening. I'm Rob Fielding, and I'll be moderating tonight.\n\n"
                                    "GRACE CHEN  0:51\nThank you, Rob. Let's hear from you.\n\n"
                                    "Rob Fielding  3:02\nQuestions. Yes, right here.\n\n"
                                    "Speaker 2  3:15\nHi, I'm Maria Lopez, I teach at Central High. What about housing?\n\n"
                                    "Grace Chen  3:48\nWe have a parcel on Orchard Road.\n\n"
                                    "Speaker 2  4:40\nIs that a loan or a grant?\n\n"
                                    "Grace Chen  4:44\nA loan.\n\n"
                                    "Speaker 1  8:05\nNext question.\n\n"
                                    "Speaker 2  8:20\nHello, my name is Dev Raman. What about the potholes?\n\n"
                                    "Grace Chen  9:00\nWe filled four hundred.\n"));
    check_invariants(p);
    // Speaker 1 introduced themselves as the labelled Rob Fielding; Speaker 2 holds two people in turn.
    CHECK(by_name(p.seg, "Speaker 1") == nullptr);
    CHECK(by_name(p.seg, "Speaker 2") == nullptr);
    CHECK(by_name(p.seg, "Grace Chen") != nullptr);  // a label in capitals reads as a name, accents too
    std::vector<std::string> names;
    for (const auto& t : p.seg.turns) names.push_back(who(p, t).name);
    CHECK(names == std::vector<std::string>{"Rob Fielding", "Grace Chen", "Rob Fielding", "Maria Lopez", "Grace Chen",
                                            "Maria Lopez", "Grace Chen", "Rob Fielding", "Dev Raman", "Grace Chen"});
}

TEST_CASE("segment: names in capitals keep their accents; a conjunction never starts a label", "[unit][segment]") {
    const Parsed p = run(parse_text("PRESIDENT LÓPEZ OBRADOR: Gracias.\n\n"
                                    "Q Thank you. And for President López Obrador: How will Mexico prepare?\n"));
    CHECK(by_name(p.seg, "President López Obrador") != nullptr);
    for (const auto& s : p.seg.speakers) CHECK(s.name.rfind("And ", 0) != 0);
}

TEST_CASE("segment: a briefing's Q goes on after 'Yeah.', after an unnamed floor taken back, "
          "and stops at an answer's closing 'Yeah.'", "[unit][segment]") {
    const std::string answer = "We are working with our partners on that, and we will have more to say about it "
                               "in the coming days once the review is complete and the President has been briefed.";
    const Parsed p = run(parse_text(
        "MS. PSAKI: Good afternoon. " + answer + "\n\n"
        "Go ahead, Phil.\n\n"                                                           // 3
        "Q Thanks, Jen. Is there a deadline on infrastructure for the talks?\n\n"       // 5  new: Phil
        "MS. PSAKI: " + answer + "\n\n"                                                 // 7
        "Q And just to drill down on the markup on Wednesday.\n\n"                      // 9  Phil
        "MS. PSAKI: Yeah.\n\n"                                                          // 11
        "Q It does not have the votes, most Republicans are cool to it right now, so can you explain how "
        "that is a viable pathway forward given where the talks are today and where they were?\n\n"  // 13 Phil
        "MS. PSAKI: " + answer + "\n\n"                                                 // 15
        "But go ahead. Go ahead.\n\n"                                                   // 17
        "Q And, sorry, one more. Is the President going to call him?\n\n"               // 19 Phil
        "MS. PSAKI: " + answer + "\n\n"                                                 // 21
        "Yeah.\n\n"                                                                     // 23 (points)
        "Q Two quick questions. First, on the vaccine goal for July, is it still in reach?\n\n"  // 25 new
        "MS. PSAKI: " + answer + "\n"));
    check_invariants(p);
    std::vector<int> opens;
    for (const auto& t : p.seg.turns)
        if (t.opens_exchange) opens.push_back(t.pos.line);
    CHECK(opens == std::vector<int>{5, 25});
    CHECK(turn_at_line(p.seg, 13)->speaker == turn_at_line(p.seg, 5)->speaker);
    CHECK(turn_at_line(p.seg, 19)->speaker == turn_at_line(p.seg, 5)->speaker);
    CHECK(turn_at_line(p.seg, 25)->speaker != turn_at_line(p.seg, 5)->speaker);
}
