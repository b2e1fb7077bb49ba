// What the text says about a speaker's sex: titles and pronouns after their
// name (cast::read_sexes), and the voices cast from it.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "cast/cast.hpp"
#include "test_cast_fixtures.hpp"

using namespace turncast;
using castfx::Builder;
using cast::SexText;

namespace {

constexpr std::size_t kNarration = SIZE_MAX;

cast::SexReading one(std::string_view name, std::vector<SexText> texts) {
    return cast::read_sexes({name}, texts).front();
}

}  // namespace

TEST_CASE("sex: a pronoun after a speaker's name in the same or next sentence", "[unit][cast][sex]") {
    auto r = one("Hillary Clinton", {{"Secretary Clinton was there and she voted no.", 12, kNarration}});
    CHECK(r.sex == Sex::Female);
    CHECK(r.female == 1);
    CHECK(r.evidence == std::vector<std::string>{"line 12: Clinton \xE2\x80\xA6 she"});
    // The next sentence counts, the one after does not.
    CHECK(one("Jeb Bush", {{"Governor Bush walked in. Then he sat down.", 3}}).sex == Sex::Male);
    CHECK(one("Jeb Bush", {{"Governor Bush walked in. Everyone stood. Then he sat down.", 3}}).sex ==
          Sex::Unstated);
    // With or without a title, the whole name or the surname, possessives too.
    CHECK(one("Yoon", {{"President Yoon showed his plan.", 1}}).sex == Sex::Male);
    CHECK(one("Jeb", {{"Jeb as he walked.", 1}}).sex == Sex::Male);
    CHECK(one("Angela Merkel", {{"Angela Merkel's view, as she put it.", 1}}).sex == Sex::Female);
    CHECK(one("Angela Merkel", {{"Merkel herself came.", 1}}).sex == Sex::Female);
    // Not across paragraphs, not before the name.
    CHECK(one("Angela Merkel", {{"She spoke.", 1}, {"Merkel came.", 2}}).sex == Sex::Unstated);
    // "Mr. Putin." does not end a sentence at the title.
    CHECK(one("Putin", {{"We met Mr. Putin. Then he left.", 1}}).male == 2);  // the title and the pronoun
}

TEST_CASE("sex: another person's name between the name and the pronoun breaks the link", "[unit][cast][sex]") {
    // Another speaker: the pronoun is theirs.
    auto both = cast::read_sexes({"Hillary Clinton", "Donald Trump"},
                                 {{"Clinton met Trump and he said nothing.", 1, kNarration}});
    CHECK(both[0].sex == Sex::Unstated);
    CHECK(both[1].sex == Sex::Male);
    // Someone titled who is not a speaker.
    CHECK(one("Hillary Clinton", {{"Clinton met President Yoon and he smiled.", 1}}).sex == Sex::Unstated);
    CHECK(one("Hillary Clinton", {{"Clinton met Mr Xi; he smiled.", 1}}).sex == Sex::Unstated);
    // Places and other capitalised words are no people.
    CHECK(one("Hillary Clinton", {{"Clinton went to Ohio, where she spoke.", 1}}).sex == Sex::Female);
    // One pronoun per mention: "her" after "she" is not a second item.
    CHECK(one("Hillary Clinton", {{"Clinton said she would bring her plan.", 1}}).female == 1);
    // Two speakers with one surname: neither is credited.
    auto bidens = cast::read_sexes({"Joe Biden", "Jill Biden"}, {{"Biden said she would.", 1, kNarration}});
    CHECK(bidens[0].sex == Sex::Unstated);
    CHECK(bidens[1].sex == Sex::Unstated);
}

TEST_CASE("sex: no evidence from a speaker's own words, first names or lower case", "[unit][cast][sex]") {
    // Speaker 0 talking about themselves in the third person: nothing.
    CHECK(cast::read_sexes({"Vladimir Putin"}, {{"Mr Putin thinks he is right.", 1, 0}})[0].sex == Sex::Unstated);
    // ...but the same words from someone else count (title and pronoun).
    CHECK(cast::read_sexes({"Vladimir Putin", "Anna X"}, {{"Mr Putin thinks he is right.", 1, 1}})[0].male == 2);
    // A first name never says anything by itself...
    CHECK(one("Hillary Clinton", {{"Hillary came.", 1}}).sex == Sex::Unstated);
    CHECK(one("Sasha Smith", {{"Sasha Smith came.", 1}}).sex == Sex::Unstated);
    // A debate label in capitals is found where the text capitalises the name.
    CHECK(one("CLINTON", {{"Clinton said she would.", 1}}).sex == Sex::Female);
    CHECK(one("CLINTON", {{"the clinton plan, she said.", 1}}).sex == Sex::Unstated);
    // A part, not a person.
    CHECK(one("Questioner 3", {{"Questioner 3 said she would.", 1}}).sex == Sex::Unstated);
    CHECK(one("Moderator", {{"The Moderator said she would.", 1}}).sex == Sex::Unstated);
}

TEST_CASE("sex: titles and pronouns decide together, by majority; a tie says nothing", "[unit][cast][sex]") {
    auto r = one("Lee", {{"Mr Lee came.", 1}, {"Lee said she would.", 2}, {"Lee nodded; she smiled.", 3}});
    CHECK(r.sex == Sex::Female);
    CHECK(r.female == 2);
    CHECK(r.male == 1);
    // The winning side first, then one that disagrees.
    CHECK(r.evidence == std::vector<std::string>{"line 2: Lee \xE2\x80\xA6 she", "line 3: Lee \xE2\x80\xA6 she",
                                                 "line 1: Mr Lee"});
    CHECK(one("Lee", {{"Mr Lee came.", 1}, {"Lee said she would.", 2}}).sex == Sex::Unstated);
    // A few items at most, however many there are.
    std::vector<SexText> many(50, SexText{"Mr Lee came and he sat.", 7});
    auto m = one("Lee", many);
    CHECK(m.male == 100);
    CHECK(m.evidence.size() <= 4);
    // Text without a line (the transcript's title): the words alone.
    CHECK(one("Lee", {{"Remarks by Mr Lee", 0}}).evidence == std::vector<std::string>{"Mr Lee"});
}

TEST_CASE("sex: reading is linear in the text's size", "[unit][cast][sex]") {
    // 500 speakers; 10,000 and then 20,000 paragraphs of ~60 bytes (1.2 MB):
    // twice the text takes about twice the time (a quadratic reading would
    // take four times), whatever the machine or sanitizer.
    std::vector<std::string> names_s;
    for (int i = 0; i < 500; ++i) names_s.push_back("Person Name" + std::to_string(i) + "x");
    names_s.push_back("Angela Merkel");
    std::vector<std::string_view> names(names_s.begin(), names_s.end());
    const std::string para = "Chancellor Merkel arrived in Berlin, and she spoke at length.";
    auto seconds_for = [&](int n, int* female) {
        std::vector<SexText> texts;
        for (int i = 0; i < n; ++i) texts.push_back({para, i + 1, kNarration});
        const auto t0 = std::chrono::steady_clock::now();
        auto r = cast::read_sexes(names, texts);
        *female = r.back().female;
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    };
    int f1 = 0, f2 = 0;
    seconds_for(2000, &f1);  // warm up
    const double t1 = seconds_for(10000, &f1);
    const double t2 = seconds_for(20000, &f2);
    CHECK(f1 == 10000);
    CHECK(f2 == 20000);
    INFO("10,000 paragraphs " << t1 << " s, 20,000 " << t2 << " s");
    CHECK(t2 < 3.0 * t1 + 0.05);
    CHECK(t2 < 20.0);
}

TEST_CASE("sex: casting reads pronouns, shows its evidence, and casts a voice of that sex", "[unit][cast][sex]") {
    auto cfg = castfx::config();  // others: o1 male, o2 female
    Builder b;
    auto host = b.speaker("host", "Host", SpeakerRole::Main);
    auto smith = b.speaker("jo-smith", "Jo Smith", SpeakerRole::Other);
    auto brown = b.speaker("sam-brown", "Sam Brown", SpeakerRole::Other);
    auto lee = b.speaker("ms-lee", "Ms. Lee", SpeakerRole::Other);
    b.turn(host, TurnKind::Remarks, {"Welcome. Brown is here, and he will speak after Smith, who says she is ready."});
    b.turn(brown, TurnKind::Remarks, {"Thank you. I, Brown, say she is wrong."});  // self-reference: nothing
    b.turn(smith, TurnKind::Remarks, {"I disagree."});
    b.turn(lee, TurnKind::Remarks, {"Me too."});
    Script s = cast::cast(b.doc, b.seg, cfg, {});
    CHECK(s.speakers[smith].sex == Sex::Female);
    CHECK(s.speakers[brown].sex == Sex::Male);
    // (Hand-made paragraphs have no line numbers.)
    CHECK(s.speakers[smith].sex_evidence == std::vector<std::string>{"Smith \xE2\x80\xA6 she"});
    CHECK(s.speakers[brown].sex_evidence == std::vector<std::string>{"Brown \xE2\x80\xA6 he"});
    CHECK(s.speakers[lee].sex_evidence == std::vector<std::string>{"label: Ms. Lee"});
    CHECK(s.speakers[host].sex_evidence.empty());
    // Brown heard first would take o1 by order; Smith gets the female o2.
    CHECK(s.speakers[brown].voice == "o1");
    CHECK(s.speakers[smith].voice == "o2");
}

TEST_CASE("sex: a given name or a title the text ties to one speaker refers to them", "[unit][cast][sex]") {
    // "Karin Halvorsen" in the text (or the label) makes "Karin" a mention.
    CHECK(one("Halvorsen", {{"I'm Karin Halvorsen.", 1, 0}, {"Thank Karin and her team.", 2, 1}}).sex ==
          Sex::Female);
    CHECK(one("Hillary Clinton", {{"Hillary said she would.", 1}}).sex == Sex::Female);
    // ...not a word the text also writes in lower case, nor one two speakers share.
    CHECK(one("Putin", {{"So Putin came.", 1}, {"So he left, and so on.", 2}}).sex == Sex::Unstated);
    auto two = cast::read_sexes({"Vladimir Putin", "Vladimir Kondratyev"}, {{"Vladimir said he would.", 1, kNarration}});
    CHECK(two[0].sex == Sex::Unstated);
    CHECK(two[1].sex == Sex::Unstated);
    // "the Senator": the one speaker the text calls Senator.
    auto deb = cast::read_sexes({"Ashford", "Dunmore"}, {{"Senator Claire Ashford and Governor Richard Dunmore.", 1, kNarration},
                                                       {"The Governor said the Senator had changed her mind.", 2, kNarration}});
    CHECK(deb[0].sex == Sex::Female);
    CHECK(deb[1].sex == Sex::Unstated);  // "the Senator" stands between him and "her"
    // A title two people hold, or one held by someone who does not speak, refers to nobody.
    CHECK(one("Biden", {{"President Biden and President Macron.", 1}, {"The President said she would.", 2}}).sex ==
          Sex::Unstated);
    // A name the speaker addresses is no antecedent: "Karin, he has released..."
    CHECK(cast::read_sexes({"Halvorsen", "Dunmore"}, {{"Karin Halvorsen.", 1, kNarration}, {"Karin, he has released it.", 2, 1}})[0]
              .sex == Sex::Unstated);
}

TEST_CASE("sex: the words that give the floor, and 'sir' in a reply, describe the next and the last speaker", "[unit][cast][sex]") {
    // Speaker 0 hands over; speaker 1 asks; speaker 0 replies.
    auto r = cast::read_sexes({"Host", "Questioner 1"}, {{"Next question. Go ahead, young lady.", 3, 0},
                                                        {"Thank you. My question is about roads.", 4, 1}});
    CHECK(r[1].sex == Sex::Female);
    CHECK(r[1].evidence == std::vector<std::string>{"line 3: young lady"});
    CHECK(cast::read_sexes({"Host", "Q"}, {{"Please give him a microphone.", 1, 0}, {"Hello.", 2, 1}})[1].sex ==
          Sex::Male);
    // Across a short aside between the handover and the asker.
    auto chain = cast::read_sexes({"Host", "Aide", "Questioner 1"},
                                  {{"Please give the floor to that young woman with the poster.", 5, 0},
                                   {"Please raise your hand.", 6, 1},
                                   {"Good afternoon.", 7, 2}});
    CHECK(chain[2].sex == Sex::Female);
    // Without a word that gives the floor, a man at the end of an answer is anyone.
    CHECK(cast::read_sexes({"Host", "Q"}, {{"He is a good man.", 1, 0}, {"Hello.", 2, 1}})[1].sex == Sex::Unstated);
    // "Thank you, sir" in the reply: the one who just asked.
    CHECK(cast::read_sexes({"Mayor", "Speaker 3"}, {{"We flooded twice.", 1, 1}, {"Thank you, sir, and I'm sorry.", 2, 0}})[1]
              .sex == Sex::Male);
    // A label that says it.
    CHECK(cast::stated_sex("UNIDENTIFIED MALE") == Sex::Male);
    CHECK(cast::stated_sex("Female Voice") == Sex::Female);
    CHECK(cast::stated_sex("Speaker 2") == Sex::Unstated);
}
