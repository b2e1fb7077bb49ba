// The parser, rule by rule, on fixtures written for each format (issue 3) and
// on the bundled sample. Every error case checks the message names the file,
// the line and the byte offset.
#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <cstdlib>
#include <fstream>
#include <unistd.h>

#include "core/error.hpp"
#include "test_parse_support.hpp"

using namespace turncast;
using turncast::test::dropped_with;
using turncast::test::parse_fixture;
using turncast::test::parse_text;
using turncast::test::rules;

namespace {

const std::string kSample = TURNCAST_SOURCE_DIR "/examples/lavrov-volgograd-2021-08-30.txt";

Document sample() {
    return parse::parse_transcript(test::slurp(kSample), "lavrov.txt", rules());
}

const Paragraph* find_para(const Document& doc, const std::string& text_start) {
    for (const auto& p : doc.paragraphs)
        if (p.text.compare(0, text_start.size(), text_start) == 0) return &p;
    return nullptr;
}

std::string error_of(const std::string& bytes) {
    try {
        parse::parse_transcript(bytes, "bad.txt", rules());
    } catch (const InputError& e) {
        CHECK(e.code() == ExitCode::BadInput);
        return e.what();
    }
    FAIL("no InputError for this input");
    return {};
}

}  // namespace

TEST_CASE("header: date, glued time, place and title of the sample", "[unit][parse]") {
    const Document doc = sample();
    CHECK(doc.meta.date == "2021-08-30");
    CHECK(doc.meta.time == "19:47");
    CHECK(doc.meta.place == "Volgograd");
    CHECK(doc.meta.zone == "Europe/Moscow");  // from the place
    CHECK(doc.meta.title.rfind("Sergey Lavrov's remarks and answers to questions", 0) == 0);
    CHECK(doc.meta.title.size() > 100);
    CHECK(doc.meta.title.substr(doc.meta.title.size() - 15) == "August 30, 2021");
    REQUIRE_FALSE(doc.paragraphs.empty());
    CHECK(doc.paragraphs[0].text == "Thank you very much, Mr Bocharov, Mr Shestel, friends,");
    CHECK(doc.paragraphs[0].label.empty());
    CHECK(doc.paragraphs[0].pos.line == 8);
    CHECK(dropped_with(doc, "30 August 202119:47", "header"));
    // Dropped items are listed in file order.
    for (std::size_t i = 1; i < doc.dropped.size(); ++i) CHECK(doc.dropped[i - 1].pos.line <= doc.dropped[i].pos.line);
    CHECK(doc.dropped.front().text == "30 August 202119:47");
    CHECK(doc.dropped.back().text == "Advanced settings");
}

TEST_CASE("header: official site with category, lead, date, time and place lines", "[unit][parse]") {
    const Document doc = parse_fixture("official-site.txt");
    CHECK(doc.meta.title == "Joint news conference of the presidents of Ruritania and Freedonia");
    CHECK(doc.meta.date == "2019-05-12");
    CHECK(doc.meta.time == "14:05");
    CHECK(doc.meta.place == "Zenda");
    CHECK(doc.meta.zone.empty());  // no zone written, a place turncast does not know
    CHECK(dropped_with(doc, "Events", "clutter: category"));
    // The lead paragraph is text, not header.
    REQUIRE(find_para(doc, "Ivan Petrov and Rufus Firefly held") != nullptr);
    CHECK(find_para(doc, "Ivan Petrov and Rufus Firefly held")->label.empty());
}

TEST_CASE("header: YAML front matter, place lines and the time-stamp of a briefing", "[unit][parse]") {
    const Document doc = parse_fixture("briefing.txt");
    CHECK(doc.meta.title == "Press Gaggle by Press Secretary Jen Psaki and National Security Advisor Jake Sullivan");
    CHECK(doc.meta.date == "2022-03-25");
    CHECK(doc.meta.time == "13:23");
    CHECK(doc.meta.place == "Aboard Air Force One, En Route Rzesz\xC3\xB3w, Poland");
    // "1:23 P.M. CET", and Rzeszów keeps Central European time.
    CHECK(doc.meta.zone == "Europe/Warsaw");
    CHECK(dropped_with(doc, "tags: press-briefings", "front matter"));
    CHECK(dropped_with(doc, "1:58 P.M. CET", "timestamp"));
    const std::string all = test::all_text(doc);
    CHECK(all.find("P.M.") == std::string::npos);
    CHECK(all.find("press-briefings") == std::string::npos);
}

TEST_CASE("labels: names, roles and qualifiers are split off the text", "[unit][parse]") {
    const Document doc = sample();
    const Paragraph* q = find_para(doc, "One significant aspect");
    REQUIRE(q != nullptr);
    CHECK(q->label == "Question");
    CHECK(q->qualifier.empty());
    const Paragraph* a = find_para(doc, "Thank you very much. Governor");
    REQUIRE(a != nullptr);
    CHECK(a->label == "Sergey Lavrov");
    const Paragraph* m = find_para(doc, "I would like to phrase my question as a verse");
    REQUIRE(m != nullptr);
    CHECK(m->label == "Question");
    CHECK(m->qualifier == "musical form");
    for (const auto& p : doc.paragraphs) {
        CHECK_FALSE(p.text.empty());
        CHECK(p.text.rfind("Sergey Lavrov:", 0) != 0);
        CHECK(p.text.rfind("Question", 0) != 0);
    }
}

TEST_CASE("labels: a long label with a qualifier, then the short form", "[unit][parse]") {
    const Document doc = parse_fixture("official-site.txt");
    const Paragraph* f = find_para(doc, "Thank you, Mr Petrov.");
    REQUIRE(f != nullptr);
    CHECK(f->label == "President of Freedonia Rufus Firefly");
    CHECK(f->qualifier == "retranslated");
    // A no-break space inside the label is a plain space after hygiene.
    const Paragraph* p = find_para(doc, "Colleagues, friends");
    REQUIRE(p != nullptr);
    CHECK(p->label == "President of Ruritania Ivan Petrov");
}

TEST_CASE("labels: implausible labels stay text", "[unit][parse]") {
    std::string long_label;
    for (int i = 0; i < 100; ++i) long_label += "Word ";
    long_label += ": and the rest";
    const Document a = parse_text(long_label + "\n");
    REQUIRE(a.paragraphs.size() == 1);
    CHECK(a.paragraphs[0].label.empty());
    CHECK(a.paragraphs[0].text.find("and the rest") != std::string::npos);

    const Document b = parse_text(
        "Anna: Hello there.\n\nThe answer is simple: we wait.\n\nNote: nobody moved.\n\nAt 10:30 we met.\n");
    REQUIRE(b.paragraphs.size() == 4);
    CHECK(b.paragraphs[0].label == "Anna");
    CHECK(b.paragraphs[1].label.empty());
    CHECK(b.paragraphs[1].text == "The answer is simple: we wait.");
    CHECK(b.paragraphs[2].label.empty());
    CHECK(b.paragraphs[2].text == "Note: nobody moved.");
    CHECK(b.paragraphs[3].text == "At 10:30 we met.");
}

TEST_CASE("labels: briefing Q with no-break spaces; a wrapped Q&A. line is text", "[unit][parse]") {
    const Document doc = parse_fixture("briefing.txt");
    const Paragraph* q = find_para(doc, "Jake, what about the jets?");
    REQUIRE(q != nullptr);
    CHECK(q->label == "Q");
    const Paragraph* psaki = find_para(doc, "Hello, everyone.");
    REQUIRE(psaki != nullptr);
    CHECK(psaki->label == "MS. PSAKI");
    // Hard-wrapped lines are joined into one paragraph, "Q&A." included.
    CHECK(psaki->text ==
          "Hello, everyone. We have Jake here. He is going to talk about the trip and then take some Q&A. "
          "And then I will follow up.");
    // An indented Q at the end is still a label.
    const Paragraph* last = find_para(doc, "Thank you.");
    REQUIRE(last != nullptr);
    CHECK(last->label == "Q");
}

TEST_CASE("qualifiers: (As interpreted.) and (Speaks Ukrainian.) after a label", "[unit][parse]") {
    const Document doc = parse_fixture("interpreted.txt");
    const Paragraph* a = find_para(doc, "Thank you. We will hold the line.");
    REQUIRE(a != nullptr);
    CHECK(a->label == "PRESIDENT ZELENSKYY");
    CHECK(a->qualifier == "As interpreted");
    CHECK_FALSE(a->stage_direction);
    const Paragraph* b = find_para(doc, "The talks will go on");
    REQUIRE(b != nullptr);
    CHECK(b->qualifier == "Speaks Ukrainian");
}

TEST_CASE("clutter: language switcher, photo captions and news-site furniture", "[unit][parse]") {
    const Document doc = sample();
    CHECK(dropped_with(doc, "en-GB1 ru-RU1", "clutter: language switcher"));
    CHECK(test::all_text(doc).find("en-GB1") == std::string::npos);

    const Document site = parse_fixture("official-site.txt");
    CHECK(dropped_with(site, "President of Ruritania Ivan Petrov.", "photo caption"));
    CHECK(dropped_with(site, "Joint news conference of the presidents of Ruritania and Freedonia.", "photo caption"));
    for (const auto& p : site.paragraphs) {
        CHECK(p.text != "President of Ruritania Ivan Petrov.");
        CHECK(p.text.find("Joint news conference") == std::string::npos);
    }

    const Document debate = parse_fixture("debate.txt");
    CHECK(dropped_with(debate, "Advertisement", "clutter"));
    CHECK(dropped_with(debate, "Continue reading the main story", "clutter"));
    CHECK(test::all_text(debate).find("Advertisement") == std::string::npos);
}

TEST_CASE("tail: page furniture after the marker is dropped", "[unit][parse]") {
    const Document doc = sample();
    CHECK(dropped_with(doc, "Additional materials", "tail: Additional materials"));
    CHECK(dropped_with(doc, "Advanced settings", "tail: Additional materials"));
    CHECK(doc.paragraphs.back().text.rfind("Thank you for this meeting.", 0) == 0);

    const Document site = parse_fixture("official-site.txt");
    CHECK(site.paragraphs.back().text == "The railway comes after the bridge, of course.");
    CHECK(dropped_with(site, "Direct link: example.org/d/1", "tail: See also"));
    CHECK(dropped_with(site, "Publication date", "tail"));
}

TEST_CASE("tail: a marker followed by more turns of the same speakers is text", "[unit][parse]") {
    const Document doc = parse_text("Anna: One.\n\nBen: Two.\n\nSee also\n\nAnna: Three.\n\nBen: Four.\n");
    REQUIRE(doc.paragraphs.size() == 5);
    CHECK(doc.paragraphs[2].text == "See also");
    CHECK(doc.paragraphs[4].text == "Four.");

    // Early in a long text, a marker line is something someone said.
    std::string long_text = "Intro line one.\n\nSee also\n\n";
    for (int i = 0; i < 80; ++i) long_text += "Paragraph number " + std::to_string(i) + ".\n\n";
    const Document early = parse_text(long_text);
    CHECK(early.paragraphs.size() == 82);
    CHECK(early.paragraphs[1].text == "See also");
}

TEST_CASE("stage directions split a paragraph; later pieces are unlabelled", "[unit][parse]") {
    const Document doc = parse_fixture("briefing.txt");
    const Paragraph* before = find_para(doc, "Thanks. The President will meet");
    REQUIRE(before != nullptr);
    const std::size_t i = static_cast<std::size_t>(before - doc.paragraphs.data());
    REQUIRE(i + 2 < doc.paragraphs.size());
    CHECK(before->label == "MR. SULLIVAN");
    CHECK(before->text == "Thanks. The President will meet the troops tomorrow.");
    CHECK(doc.paragraphs[i + 1].stage_direction);
    CHECK(doc.paragraphs[i + 1].text == "Laughter.");
    CHECK(doc.paragraphs[i + 1].label.empty());
    CHECK(doc.paragraphs[i + 2].text == "That is the plan.");
    CHECK(doc.paragraphs[i + 2].label.empty());
    CHECK_FALSE(doc.paragraphs[i + 2].stage_direction);

    const Document d = parse_text("Anna: So, thank you. Appreciate (inaudible).\n\n(APPLAUSE)\n\n"
                                  "Ben: Well [CROSSTALK] as I said (speaking before the vote) we won.\n");
    REQUIRE(d.paragraphs.size() == 4);
    CHECK(d.paragraphs[0].text == "So, thank you. Appreciate.");
    CHECK(d.paragraphs[1].stage_direction);
    CHECK(d.paragraphs[1].text == "inaudible");
    CHECK(d.paragraphs[2].stage_direction);
    CHECK(d.paragraphs[2].text == "APPLAUSE");
    // A note inside a sentence is cut out of it rather than splitting it; an
    // aside that is not a stage direction stays in the words spoken.
    CHECK(d.paragraphs[3].label == "Ben");
    CHECK(d.paragraphs[3].text == "Well as I said (speaking before the vote) we won.");
    CHECK_FALSE(d.paragraphs[3].stage_direction);
    CHECK(dropped_with(d, "[CROSSTALK]", "stage direction (inside a sentence)"));

    // The sample's asides are text.
    CHECK(test::all_text(sample()).find("(speaking before United Russia)") != std::string::npos);
}

TEST_CASE("debates: a second label mid-line after ... splits the paragraph", "[unit][parse]") {
    const Document doc = parse_fixture("debate.txt");
    const Paragraph* cut = find_para(doc, "That is just not accurate.");
    REQUIRE(cut != nullptr);
    CHECK(cut->label == "CLINTON");
    const Paragraph* before = find_para(doc, "They are going to Mexico...");
    REQUIRE(before != nullptr);
    CHECK(before->text == "They are going to Mexico...");
    CHECK(find_para(doc, "APPLAUSE")->stage_direction);
}

TEST_CASE("machine transcripts: Otter name-and-time headers, Speaker N labels", "[unit][parse]") {
    const Document doc = parse_fixture("otter.txt");
    REQUIRE(doc.paragraphs.size() == 4);
    CHECK(doc.paragraphs[0].label == "Speaker 1");
    CHECK(doc.paragraphs[0].text == "Hello everyone and welcome to the show.");
    CHECK(doc.paragraphs[1].label == "Jane Doe");
    CHECK(doc.paragraphs[3].text == "It is about rivers. I spent three years on it.");
    CHECK(dropped_with(doc, "1:20", "timestamp"));

    const Document m = parse_fixture("machine-speakers.txt");
    REQUIRE(m.paragraphs.size() == 4);
    CHECK(m.paragraphs[1].label == "Speaker 2");

    const Document ts = parse_text("[00:01:05] Anna: We start now.\n\n[00:01:09] Ben: Good.\n");
    REQUIRE(ts.paragraphs.size() == 2);
    CHECK(ts.paragraphs[0].label == "Anna");
    CHECK(ts.paragraphs[0].text == "We start now.");
    CHECK(dropped_with(ts, "[00:01:09]", "timestamp"));
}

TEST_CASE("machine transcripts: text with no labels at all gives a warning", "[unit][parse]") {
    const Document doc = parse_fixture("nolabels.txt");
    REQUIRE(doc.paragraphs.size() == 3);
    for (const auto& p : doc.paragraphs) CHECK(p.label.empty());
    bool warned = false;
    for (const auto& w : doc.warnings) warned |= w.find("no speaker labels") != std::string::npos;
    CHECK(warned);
}

TEST_CASE("corpus format: <NAME: text> turns with <APPLAUSE> inside", "[unit][parse]") {
    const Document doc = parse_fixture("corpus.txt");
    REQUIRE(doc.paragraphs.size() == 8);
    CHECK(doc.paragraphs[0].label == "HOLT");
    CHECK(doc.paragraphs[0].text == "Good evening from Hofstra University in Hempstead, New York.");
    CHECK(doc.paragraphs[1].stage_direction);
    CHECK(doc.paragraphs[1].text == "APPLAUSE");
    CHECK(doc.paragraphs[2].text == "Welcome to the debate.");
    CHECK(doc.paragraphs[3].label == "TRUMP");
    CHECK(doc.paragraphs[4].text == "It is great to be here.");
    CHECK(doc.paragraphs[6].text == "LAUGHTER");
    for (const auto& p : doc.paragraphs) {
        CHECK(p.text.find('<') == std::string::npos);
        CHECK(p.text.find('>') == std::string::npos);
    }
}

TEST_CASE("hygiene: BOM, CRLF, CR, no-break and zero-width spaces, curly quotes", "[unit][parse]") {
    const std::string bytes =
        "\xEF\xBB\xBF"
        "Anna\xC2\xA0Smith: It\xE2\x80\x99s \xE2\x80\x9C"
        "fine\xE2\x80\x9D now\xE2\x80\x8B.\r\n\r\n"
        "Ben\xE2\x80\x8B Jones:\xC2\xA0\xC2\xA0Wait\xE2\x80\xA6 what?\r\r"
        "Anna Smith: \xE2\x80\x98Yes\xE2\x80\x99.\n";
    const Document doc = parse_text(bytes);
    REQUIRE(doc.paragraphs.size() == 3);
    CHECK(doc.paragraphs[0].label == "Anna Smith");
    CHECK(doc.paragraphs[0].text == "It's \"fine\" now.");
    CHECK(doc.paragraphs[0].pos.line == 1);
    CHECK(doc.paragraphs[1].label == "Ben Jones");
    CHECK(doc.paragraphs[1].text == "Wait... what?");
    CHECK(doc.paragraphs[1].pos.line == 3);
    CHECK(doc.paragraphs[2].text == "'Yes'.");
    CHECK(doc.paragraphs[2].pos.line == 5);
    // Byte offsets count from the start of the file, BOM included.
    CHECK(doc.paragraphs[1].pos.byte == bytes.find("Ben"));
}

TEST_CASE("errors: empty and whitespace-only files", "[unit][parse]") {
    const std::string e = error_of("");
    CHECK(e.find("bad.txt") != std::string::npos);
    CHECK(e.find("empty") != std::string::npos);
    const std::string w = error_of(" \n\t\r\n\xC2\xA0\n\xE2\x80\x8B\n");
    CHECK(w.find("bad.txt") != std::string::npos);
    CHECK(w.find("only whitespace") != std::string::npos);
}

TEST_CASE("errors: bytes that are not UTF-8 name the line and byte offset", "[unit][parse]") {
    const std::string bytes = "Anna: Hello.\n\nBen: Caf\xE9 au lait.\n";  // Latin-1 é at byte 22
    const std::string e = error_of(bytes);
    CHECK(e.find("bad.txt: line 3, byte 22") != std::string::npos);
    CHECK(e.find("not UTF-8") != std::string::npos);
    CHECK(e.find("0xE9") != std::string::npos);
    CHECK(e.find("iconv") != std::string::npos);
    // Overlong encodings and lone continuation bytes are not UTF-8 either.
    CHECK(error_of("ok\n\xC0\xAF\n").find("line 2, byte 3") != std::string::npos);
    CHECK(error_of("abc\x80").find("line 1, byte 3") != std::string::npos);
    CHECK(error_of("truncated \xE2\x80").find("byte 10") != std::string::npos);
}

TEST_CASE("errors: UTF-16 with and without a BOM is rejected with an iconv hint", "[unit][parse]") {
    const std::string le("\xFF\xFE" "A\0n\0n\0a\0:\0 \0H\0i\0", 18);
    const std::string e1 = error_of(le);
    CHECK(e1.find("UTF-16") != std::string::npos);
    CHECK(e1.find("iconv -f UTF-16 -t UTF-8") != std::string::npos);
    CHECK(e1.find("line 1, byte 0") != std::string::npos);
    const std::string be("\xFE\xFF" "\0A\0n\0n\0a", 10);
    CHECK(error_of(be).find("UTF-16") != std::string::npos);
    static const char nobom_bytes[] = "A\0n\0n\0a\0:\0 \0H\0i\0 \0t\0h\0e\0r\0e\0";
    const std::string nobom(nobom_bytes, sizeof nobom_bytes - 1);
    const std::string e3 = error_of(nobom);
    CHECK(e3.find("UTF-16") != std::string::npos);
    CHECK(e3.find("byte 1") != std::string::npos);
}

TEST_CASE("errors: binary data (NUL bytes) names its offset", "[unit][parse]") {
    const std::string bin("Anna: hi\n\nsome\x01\x02" "\0\0\0\x7F" "ELF", 23);
    const std::string e = error_of(bin);
    CHECK(e.find("binary") != std::string::npos);
    CHECK(e.find("line 3, byte 16") != std::string::npos);
}

TEST_CASE("errors: nothing left after clutter removal", "[unit][parse]") {
    const std::string e = error_of("Events\n\n  \xE2\x80\xA2 en-GB1 ru-RU1\n\nAdvertisement\n");
    CHECK(e.find("bad.txt") != std::string::npos);
    CHECK(e.find("no text to speak") != std::string::npos);
    CHECK(e.find("--show-dropped") != std::string::npos);
    CHECK(e.find("file's 5 lines held only") != std::string::npos);
    CHECK(error_of("Advertisement\n").find("file's 1 line held only") != std::string::npos);
}

TEST_CASE("no word lost: every input word is in a paragraph, a label or dropped", "[unit][parse]") {
    const char* fixtures[] = {"official-site.txt", "briefing.txt", "debate.txt", "interpreted.txt", "otter.txt",
                              "corpus.txt", "nolabels.txt", "machine-speakers.txt",
                              "corpus/kremlin-ankara-news-conference-2018-04-04.txt",
                              "corpus/whitehouse-press-gaggle-2022-03-25.txt"};
    for (const char* f : fixtures) {
        INFO(f);
        const std::string bytes = test::fixture(f);
        const auto lost = test::lost_words(bytes, parse::parse_transcript(bytes, f, rules()));
        std::string list;
        for (const auto& [w, n] : lost) list += w + "×" + std::to_string(n) + " ";
        INFO("lost: " << list);
        CHECK(lost.empty());
    }
    const std::string bytes = test::slurp(kSample);
    CHECK(test::lost_words(bytes, parse::parse_transcript(bytes, "lavrov.txt", rules())).empty());
}

TEST_CASE("robustness: a 1 MB line, 10,000 speakers and 20 MB stay fast", "[unit][parse]") {
    // Each input against a limit of its own (a few times what a Debug build
    // with sanitizers takes; a quadratic pass would take minutes on any).
    auto within = [](const char* what, double limit, const std::function<void()>& run) {
        const auto t0 = std::chrono::steady_clock::now();
        run();
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        INFO(what << ": " << secs << " s");
        CHECK(secs < limit);
    };
    within("a 1 MB line", 10.0, [] {
        std::string line = "Anna:";
        while (line.size() < (1u << 20)) line += " word (laughter) [x] ... Q: more";
        CHECK_FALSE(parse_text(line + "\n").paragraphs.empty());
    });
    within("brackets that never close", 10.0, [] {
        // Brackets that never close, and "..." that never lead to a label.
        const std::string opens = "Anna: x " + std::string(1u << 20, '(') + "\n\nBen: y " + std::string(1u << 19, '<') +
                                  "\n\nCy: z" + [] { std::string d; for (int i = 0; i < 100000; ++i) d += " ... Q"; return d; }() + "\n";
        CHECK(parse_text(opens).paragraphs.size() == 3);
    });
    within("10,000 speakers", 10.0, [] {
        std::string many;
        for (int i = 0; i < 10000; ++i) many += "Speaker Number" + std::to_string(i) + " Smith: Hello.\n\n";
        CHECK(parse_text(many).paragraphs.size() == 10000);
    });
    within("20 MB", 40.0, [] {
        std::string big = test::slurp(kSample);
        const std::string body = big.substr(big.find("Thank you very much, Mr"));
        while (big.size() < 20u * 1024 * 1024) big += body;
        CHECK(parse_text(big).paragraphs.size() > 10000);
    });
}

TEST_CASE("slugify: ASCII, hyphens, bounded, never empty", "[unit][parse]") {
    CHECK(parse::slugify("Sergey Lavrov's remarks") == "sergey-lavrovs-remarks");
    CHECK(parse::slugify("MS. JEAN-PIERRE") == "ms-jean-pierre");
    CHECK(parse::slugify("Rzesz\xC3\xB3w, Pozna\xC5\x84 & \xC5\x81\xC3\xB3" "d\xC5\xBA") == "rzeszow-poznan-lodz");
    CHECK(parse::slugify("../../etc/passwd") == "etc-passwd");
    CHECK(parse::slugify("") == "untitled");
    // Only symbols: "untitled" and a hash of the text, so two such names stay apart.
    CHECK(parse::slugify("..").rfind("untitled-", 0) == 0);
    CHECK(parse::slugify("!!!") != parse::slugify("???"));
    // Other scripts are transliterated (ICU), not dropped.
    CHECK(parse::slugify("\xD0\xA1\xD0\xB5\xD1\x80\xD0\xB3\xD0\xB5\xD0\xB9") == "sergej");
    CHECK(parse::slugify("\xD0\x9F\xD1\x80\xD0\xB5\xD1\x81\xD1\x81-\xD0\xBA\xD0\xBE\xD0\xBD\xD1\x84\xD0\xB5"
                         "\xD1\x80\xD0\xB5\xD0\xBD\xD1\x86\xD0\xB8\xD1\x8F") == "press-konferencia");
    CHECK(parse::slugify("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E") == "ri-ben-yu");
    CHECK(parse::slugify("Erdo\xC4\x9F" "an") == "erdogan");
    const std::string s = parse::slugify(std::string(500, 'a') + " b");
    CHECK(s.size() <= 80);
    const std::string h = parse::slugify(std::string(79, 'a') + " bbbb");
    CHECK(h.size() <= 80);
    CHECK(h.back() != '-');
    // Long titles that share their first 80 characters stay apart.
    CHECK(parse::slugify(std::string(90, 'a') + " one") != parse::slugify(std::string(90, 'a') + " two"));
}

TEST_CASE("rules: the bundled file loads; bad files name file, line and key", "[unit][parse]") {
    const auto& r = rules();
    CHECK_FALSE(r.question_labels.empty());
    CHECK_FALSE(r.clutter_lines.empty());
    CHECK_FALSE(r.tail_markers.empty());
    CHECK_FALSE(r.stage_direction_words.empty());

    const std::string path = "/tmp/turncast-test-rules-" + std::to_string(::getpid()) + ".toml";
    auto write = [&](const std::string& body) { std::ofstream(path) << body; };
    auto message = [&]() -> std::string {
        try {
            parse::load_rules(path);
        } catch (const ConfigError& e) {
            CHECK(e.code() == ExitCode::BadConfig);
            return e.what();
        }
        return "no error";
    };
    write("[labels]\nquestion = [\"Q\"]\nmax_words = \"many\"\n");
    std::string m = message();
    CHECK(m.find(path + ":3") != std::string::npos);
    CHECK(m.find("labels.max_words") != std::string::npos);

    write("[labels]\nquestion = [\"Q\"]\n\n[stage]\nwords = [\"laughter\", 3]\n");
    m = message();
    CHECK(m.find(path + ":5") != std::string::npos);
    CHECK(m.find("stage.words") != std::string::npos);

    write("[labels]\nquestion = [\"Q\"]\n[[clutter]]\nregex = '(unclosed'\nreason = \"x\"\n");
    m = message();
    CHECK(m.find(path + ":4") != std::string::npos);
    CHECK(m.find("clutter.regex") != std::string::npos);

    write("[labels\nquestion = 1\n");
    m = message();
    CHECK(m.find(path + ":1") != std::string::npos);
    CHECK(m.find("TOML") != std::string::npos);

    std::remove(path.c_str());
    try {
        parse::load_rules(path);
        FAIL("a missing rules file loaded");
    } catch (const IoError& e) {
        CHECK(std::string(e.what()).find("cannot read") != std::string::npos);
    }
}

TEST_CASE("rules: TURNCAST_DATA_DIR moves the default rules path", "[unit][parse]") {
    const char* old = std::getenv("TURNCAST_DATA_DIR");
    const std::string saved = old ? old : "";
    ::setenv("TURNCAST_DATA_DIR", "/opt/turncast/data", 1);
    CHECK(parse::default_rules_path() == "/opt/turncast/data/rules.toml");
    ::unsetenv("TURNCAST_DATA_DIR");
    CHECK(parse::default_rules_path() == std::string(TURNCAST_SOURCE_DIR) + "/voices/rules.toml");
    if (old) ::setenv("TURNCAST_DATA_DIR", saved.c_str(), 1);
}

TEST_CASE("slugify: device names Windows reserves become ordinary names", "[unit][parse]") {
    CHECK(parse::slugify("con") == "con-x");
    CHECK(parse::slugify("NUL") == "nul-x");
    CHECK(parse::slugify("com1") == "com1-x");
    CHECK(parse::slugify("LPT9") == "lpt9-x");
    CHECK(parse::slugify("con-x") == "con-x");
    CHECK(parse::slugify("console") == "console");
    CHECK(parse::slugify("com10") == "com10");
}

// ---------------------------------------------------------------- long, many-speaker events

namespace {

const Paragraph& para_at(const Document& doc, std::size_t i) {
    REQUIRE(i < doc.paragraphs.size());
    return doc.paragraphs[i];
}

bool has_reason(const Document& doc, const std::string& text, const std::string& reason_start) {
    for (const auto& d : doc.dropped)
        if (d.text == text && d.reason.rfind(reason_start, 0) == 0) return true;
    return false;
}

}  // namespace

TEST_CASE("corpus format: <NAME:> turns carry their label, beside <NAME: text>", "[unit][parse]") {
    const Document doc = parse_text(
        "<HOLT: Good evening. <APPLAUSE> Welcome.>\n"
        "<TRUMP:> Well, I think it is great.\n"
        "<CLINTON:> No, it is not.\n"
        "<TRUMP:> Wrong.\n"
        "<TRUMP:>\n"
        "Said it twice.\n"
        "<HOLT: Thank you both.>\n");
    REQUIRE(doc.paragraphs.size() == 8);
    CHECK(para_at(doc, 0).label == "HOLT");
    CHECK(para_at(doc, 1).text == "APPLAUSE");
    CHECK(para_at(doc, 3).label == "TRUMP");
    CHECK(para_at(doc, 3).text == "Well, I think it is great.");
    CHECK(para_at(doc, 4).label == "CLINTON");
    CHECK(para_at(doc, 4).text == "No, it is not.");
    CHECK(para_at(doc, 5).label == "TRUMP");
    CHECK(para_at(doc, 5).text == "Wrong.");
    // A label alone in its bracket on its own line takes the next line's words.
    CHECK(para_at(doc, 6).label == "TRUMP");
    CHECK(para_at(doc, 6).text == "Said it twice.");
    CHECK(para_at(doc, 7).label == "HOLT");
    CHECK(para_at(doc, 7).text == "Thank you both.");
    for (const auto& p : doc.paragraphs) {
        CHECK(p.text.find('<') == std::string::npos);
        CHECK(p.text.find('>') == std::string::npos);
    }
}

TEST_CASE("labels: a first mention with a role after a comma; the surname later", "[unit][parse]") {
    const Document doc = parse_text(
        "ANDERSON COOPER, CNN ANCHOR: Good evening.\n\n"
        "SEN. MARY WALSH (D-VT): Thank you, Anderson.\n\n"
        "COOPER: Senator, the first question.\n\n"
        "Jane Roe, Former Secretary of State: Thank you.\n\n"
        "Yes, Mr President: that is right.\n");
    REQUIRE(doc.paragraphs.size() == 5);
    CHECK(para_at(doc, 0).label == "ANDERSON COOPER");
    CHECK(para_at(doc, 0).label_role == "CNN ANCHOR");
    CHECK(para_at(doc, 0).text == "Good evening.");
    CHECK(para_at(doc, 1).label == "SEN. MARY WALSH");
    CHECK(para_at(doc, 1).qualifier == "D-VT");
    CHECK(para_at(doc, 1).label_role.empty());
    CHECK(para_at(doc, 2).label == "COOPER");
    CHECK(para_at(doc, 2).label_role.empty());
    CHECK(para_at(doc, 3).label == "Jane Roe");
    CHECK(para_at(doc, 3).label_role == "Former Secretary of State");
    // A sentence opener before the comma keeps the line text.
    CHECK(para_at(doc, 4).label.empty());
    CHECK(para_at(doc, 4).text == "Yes, Mr President: that is right.");

    // The segmenter takes COOPER to be ANDERSON COOPER.
    const Segmentation seg = segment::segment(doc, rules());
    std::size_t cooper = seg.speakers.size();
    for (const auto& t : seg.turns)
        for (std::size_t p : t.paragraphs) {
            if (p == 0) cooper = t.speaker;
            if (p == 2) CHECK(t.speaker == cooper);
        }
    CHECK(cooper < seg.speakers.size());
}

TEST_CASE("labels: unknown and unidentified speakers are labels", "[unit][parse]") {
    const Document doc = parse_text(
        "HOST: Welcome.\n\n(UNKNOWN): Can I ask something?\n\nUNKNOWN: Me too.\n\n"
        "UNIDENTIFIED MALE: Yes.\n\nUNIDENTIFIED FEMALE: No.\n\nUNIDENTIFIED SPEAKER: Maybe.\n\n"
        "UNIDENTIFIED AUDIENCE MEMBER: Why?\n\nHOST: Moving on... (UNKNOWN): Wait!\n");
    REQUIRE(doc.paragraphs.size() == 9);
    CHECK(para_at(doc, 1).label == "UNKNOWN");
    CHECK(para_at(doc, 1).text == "Can I ask something?");
    CHECK(para_at(doc, 2).label == "UNKNOWN");
    CHECK(para_at(doc, 3).label == "UNIDENTIFIED MALE");
    CHECK(para_at(doc, 4).label == "UNIDENTIFIED FEMALE");
    CHECK(para_at(doc, 5).label == "UNIDENTIFIED SPEAKER");
    CHECK(para_at(doc, 6).label == "UNIDENTIFIED AUDIENCE MEMBER");
    CHECK(para_at(doc, 6).text == "Why?");
    CHECK(para_at(doc, 7).text == "Moving on...");
    CHECK(para_at(doc, 8).label == "UNKNOWN");
    CHECK(para_at(doc, 8).text == "Wait!");
}

TEST_CASE("labels: a label in mid-line after ..., -- or a dash starts a new paragraph", "[unit][parse]") {
    const Document doc = parse_text(
        "RUBIO: I will not take lectures... QUICK: Senator Rubio, your response?\n\n"
        "RUBIO: Look -- REYES: That's not true.\n\n"
        "REYES: I said \xE2\x80\x94 MARTINEZ: Let her finish.\n\n"
        "Anna Smith: I never said... Ben Jones: You did.\n\n"
        "Ben Jones: Now\xE2\x80\x94QUICK: Time.\n\n"
        "Anna Smith: The U.S.--EU: deal was signed.\n");
    REQUIRE(doc.paragraphs.size() == 11);
    CHECK(para_at(doc, 0).label == "RUBIO");
    CHECK(para_at(doc, 0).text == "I will not take lectures...");
    CHECK(para_at(doc, 1).label == "QUICK");  // first seen mid-line
    CHECK(para_at(doc, 1).text == "Senator Rubio, your response?");
    CHECK(para_at(doc, 3).label == "REYES");
    CHECK(para_at(doc, 3).text == "That's not true.");
    CHECK(para_at(doc, 5).label == "MARTINEZ");
    CHECK(para_at(doc, 5).text == "Let her finish.");
    CHECK(para_at(doc, 7).label == "Ben Jones");  // a known label
    CHECK(para_at(doc, 7).text == "You did.");
    // A glued dash before a known label splits; before an unknown one it is text.
    CHECK(para_at(doc, 9).label == "QUICK");
    CHECK(para_at(doc, 9).text == "Time.");
    CHECK(para_at(doc, 10).text == "The U.S.--EU: deal was signed.");

    // A label first seen mid-line splits a hard-wrapped block later.
    const Document w = parse_text("RUBIO: I will not take lectures... QUICK: Senator Rubio, your\nresponse?\n"
                                  "RUBIO: My response\nis short.\nQUICK: Thank you.\n");
    REQUIRE(w.paragraphs.size() == 4);
    CHECK(para_at(w, 1).text == "Senator Rubio, your response?");
    CHECK(para_at(w, 2).text == "My response is short.");
    CHECK(para_at(w, 3).label == "QUICK");
}

TEST_CASE("header: title, date and notices above the first label are metadata", "[unit][parse]") {
    const Document doc = parse_text(
        "Title: Presidential Debate in Las Vegas\n"
        "Date: Wednesday, October 19, 2016 - 9:00 PM ET\n"
        "Source: The Commission on Presidential Debates\n"
        "Text Length: 51340 characters\n"
        "Author: Staff\nProgram: Debate Night\nShow: Debate Night\nAirdate: 2016-10-19\nNetwork: CNN\n"
        "URL: https://example.org/debate\nLanguage: English\nDuration: 01:32:10\nTranscript type: Rush\n\n"
        "FULL TRANSCRIPT:\n\nBEGIN TRANSCRIPT\n\n"
        "WALLACE: Good evening.\n\nTRUMP: Thank you.\n");
    CHECK(doc.meta.title == "Presidential Debate in Las Vegas");
    CHECK(doc.meta.date == "2016-10-19");
    REQUIRE(doc.paragraphs.size() == 2);
    CHECK(para_at(doc, 0).label == "WALLACE");
    CHECK(para_at(doc, 0).text == "Good evening.");
    for (const char* line : {"Text Length: 51340 characters", "Source: The Commission on Presidential Debates",
                             "Author: Staff", "Program: Debate Night", "Show: Debate Night", "Airdate: 2016-10-19",
                             "Network: CNN", "URL: https://example.org/debate", "Language: English",
                             "Duration: 01:32:10", "Transcript type: Rush", "FULL TRANSCRIPT:", "BEGIN TRANSCRIPT"}) {
        INFO(line);
        CHECK(has_reason(doc, line, "header"));
    }
    CHECK(has_reason(doc, "Date: Wednesday, October 19, 2016 - 9:00 PM ET", "header"));
    CHECK(test::lost_words("Title: x\n\nText Length: 5 characters\n\nANNA: Hi.\n",
                           parse_text("Title: x\n\nText Length: 5 characters\n\nANNA: Hi.\n")).empty());

    // A date that does not parse is still header; a title already found stays.
    const Document d2 = parse_text("TRANSCRIPT:\nDate: sometime in spring\n\nANNA: Hi.\n");
    CHECK(d2.meta.date.empty());
    CHECK(has_reason(d2, "Date: sometime in spring", "header"));
    CHECK(has_reason(d2, "TRANSCRIPT:", "header"));
    REQUIRE(d2.paragraphs.size() == 1);
    CHECK(para_at(d2, 0).label == "ANNA");

    // After the first label, "Date:" is what someone says.
    const Document d3 = parse_text("ANNA: Hi.\n\nDate: the fourth.\n");
    REQUIRE(d3.paragraphs.size() == 2);
    CHECK(para_at(d3, 1).text == "Date: the fourth.");
}

TEST_CASE("header: a room or venue line near the top is the place", "[unit][parse]") {
    const Document a = parse_text("James S. Brady Press Briefing Room\n\n12:42 P.M. EDT\n\nMS. PSAKI: Hi, everyone.\n");
    CHECK(a.meta.place == "James S. Brady Press Briefing Room");
    CHECK(has_reason(a, "James S. Brady Press Briefing Room", "header"));
    REQUIRE(a.paragraphs.size() == 1);
    CHECK(para_at(a, 0).text == "Hi, everyone.");

    const Document b = parse_text("Remarks by the President\n\nEast Room\n\nTHE PRESIDENT: Thank you.\n");
    CHECK(b.meta.place == "East Room");
    const Document c = parse_text("National Palace\nMexico City, Mexico\n\n5:02 P.M. CST\n\nPRESIDENT BIDEN: Thanks.\n");
    CHECK(c.meta.place == "National Palace, Mexico City, Mexico");
    const Document d = parse_text("Rose Garden\n\nTHE PRESIDENT: Thank you.\n");
    CHECK(d.meta.place == "Rose Garden");
    const Document e = parse_text("Aboard Air Force One\n\nMS. PSAKI: Hi.\n");
    CHECK(e.meta.place == "Aboard Air Force One");
    REQUIRE(e.paragraphs.size() == 1);
    CHECK(para_at(e, 0).label == "MS. PSAKI");
}

TEST_CASE("clutter: stage notes and page furniture never reach a speaker's voice", "[unit][parse]") {
    const Document doc = parse_text(
        "COOPER: Welcome back.\n\n(COMMERCIAL BREAK)\n\n(BEGIN VIDEO CLIP)\n\nBIDEN: We will act.\n\n(END VIDEO CLIP)\n\n"
        "WALSH: (OFF-MIKE)\n\nWALSH: We met in Rzeszow (ph) last year, and their [sic] plan worked.\n\n"
        "(From the audience.)\n\n(No translation provided.)\n\n"
        "ZELENSKYY: Thank you. (points to President Zelenskyy) We thank him.\n\n"
        "MS. JEAN-PIERRE: On the <s>Uranian</s> \\[Ukrainian\\] border.\n\n"
        "RELATED COVERAGE\n\nMANDATORY CREDIT\n\nCredit Jim Wilson/The New York Times\n\nPhoto: Reuters\n\n"
        "COOPER: Good night.\n\nEND\n");
    std::string spoken;
    for (const auto& p : doc.paragraphs)
        if (!p.stage_direction) spoken += p.text + "\n";
    for (const char* clutter : {"COMMERCIAL", "VIDEO CLIP", "OFF-MIKE", "(ph)", "sic", "audience", "translation",
                                "points to", "Uranian", "\\", "RELATED", "MANDATORY", "Wilson", "Reuters", "END"}) {
        INFO(clutter);
        CHECK(spoken.find(clutter) == std::string::npos);
    }
    const Paragraph* w = find_para(doc, "We met in");
    REQUIRE(w != nullptr);
    CHECK(w->label == "WALSH");
    CHECK(w->text == "We met in Rzeszow last year, and their plan worked.");
    CHECK(dropped_with(doc, "(ph)", "transcriber's note"));
    CHECK(dropped_with(doc, "[sic]", "transcriber's note"));
    const Paragraph* u = find_para(doc, "On the");
    REQUIRE(u != nullptr);
    CHECK(u->text == "On the Ukrainian border.");
    CHECK(dropped_with(doc, "Uranian", "struck-through"));
    // Rule lines of tildes stay rule lines; a backslash before a letter stays.
    const Document r = parse_text("ANNA: One.\n\n~~~~\n\nANNA: Saved in C:\\Users\\anna, ~~not~~ really.\n");
    CHECK(dropped_with(r, "~~~~", "clutter: rule line"));
    REQUIRE(r.paragraphs.size() == 2);
    CHECK(para_at(r, 1).text == "Saved in C:\\Users\\anna, really.");
    for (const char* stage : {"COMMERCIAL BREAK", "BEGIN VIDEO CLIP", "END VIDEO CLIP", "OFF-MIKE", "From the audience.",
                              "No translation provided.", "points to President Zelenskyy"}) {
        INFO(stage);
        const Paragraph* s = find_para(doc, stage);
        REQUIRE(s != nullptr);
        CHECK(s->stage_direction);
    }
    CHECK(dropped_with(doc, "RELATED COVERAGE", "clutter"));
    CHECK(dropped_with(doc, "MANDATORY CREDIT", "clutter"));
    CHECK(dropped_with(doc, "Credit Jim Wilson/The New York Times", "clutter"));
    CHECK(dropped_with(doc, "END", "tail"));
    CHECK(doc.paragraphs.back().text == "Good night.");
    // A line that starts with "Credit" is still text when it reads as a sentence.
    const Document t = parse_text("ANNA: Credit card debt is rising.\n\nCredit card debt is rising fast.\n");
    REQUIRE(t.paragraphs.size() == 2);
    CHECK(para_at(t, 1).text == "Credit card debt is rising fast.");
}

TEST_CASE("stage notes: inside a sentence they are cut out, between sentences they split", "[unit][parse]") {
    const Document doc = parse_text(
        "Q: Jake, (inaudible) what your response would be?\n\n"
        "MS. PSAKI: I'll \xE2\x80\x94 (laughter) \xE2\x80\x94 I'll adjust to it.\n\n"
        "MR. SULLIVAN: Thanks. (Laughter.) That is the plan.\n\n"
        "MR. SULLIVAN: (Laughter.) Right.\n\n"
        "Q: Thank you (inaudible).\n");
    REQUIRE(doc.paragraphs.size() == 9);
    CHECK(para_at(doc, 0).label == "Q");
    CHECK(para_at(doc, 0).text == "Jake, what your response would be?");
    CHECK(dropped_with(doc, "(inaudible)", "stage direction (inside a sentence)"));
    CHECK(para_at(doc, 1).text == "I'll \xE2\x80\x94 I'll adjust to it.");
    CHECK(dropped_with(doc, "(laughter)", "stage direction (inside a sentence)"));
    // Between sentences, at the start and at the end: a stage paragraph as before.
    CHECK(para_at(doc, 2).text == "Thanks.");
    CHECK(para_at(doc, 3).stage_direction);
    CHECK(para_at(doc, 4).text == "That is the plan.");
    CHECK(para_at(doc, 5).stage_direction);
    CHECK(para_at(doc, 5).label == "MR. SULLIVAN");
    CHECK(para_at(doc, 6).text == "Right.");
    CHECK(para_at(doc, 7).text == "Thank you.");
    CHECK(para_at(doc, 8).stage_direction);
}

TEST_CASE("corpus: every reference transcript keeps its labels; sample unchanged", "[unit][parse]") {
    // The press gaggle: the room line is the place, a mid-sentence "(inaudible)" is cut out.
    const Document g = parse_fixture("corpus/whitehouse-press-gaggle-2022-03-25.txt");
    const Paragraph* q = find_para(g, "Jake, what your response would be?");
    REQUIRE(q != nullptr);
    CHECK(q->label == "Q");
    const Document s = sample();
    for (const auto& p : s.paragraphs) CHECK(p.label_role.empty());
}

TEST_CASE("families: a news-network debate with its header, roles and qualifiers", "[unit][parse]") {
    const Document doc = parse_text(
        "CNN DEMOCRATIC PRESIDENTIAL DEBATE\n\nAired January 14, 2020 - 21:00 ET\n\n"
        "THIS IS A RUSH TRANSCRIPT. THIS COPY MAY NOT BE IN ITS FINAL FORM AND MAY BE UPDATED.\n\n"
        "WOLF BLITZER, CNN ANCHOR: Good evening from Des Moines.\n\n"
        "SEN. BERNIE SANDERS (I-VT), PRESIDENTIAL CANDIDATE: Well, I think... BLITZER: Thank you.\n\n"
        "SANDERS: Let me finish.\n");
    CHECK(doc.meta.title == "CNN DEMOCRATIC PRESIDENTIAL DEBATE");
    CHECK(doc.meta.date == "2020-01-14");
    CHECK(doc.meta.time == "21:00");
    CHECK(has_reason(doc, "Aired January 14, 2020 - 21:00 ET", "header"));
    CHECK(has_reason(doc, "THIS IS A RUSH TRANSCRIPT. THIS COPY MAY NOT BE IN ITS FINAL FORM AND MAY BE UPDATED.",
                     "header"));
    REQUIRE(doc.paragraphs.size() == 4);
    CHECK(para_at(doc, 0).label == "WOLF BLITZER");
    CHECK(para_at(doc, 0).label_role == "CNN ANCHOR");
    CHECK(para_at(doc, 1).label == "SEN. BERNIE SANDERS");
    CHECK(para_at(doc, 1).qualifier == "I-VT");
    CHECK(para_at(doc, 1).label_role == "PRESIDENTIAL CANDIDATE");
    CHECK(para_at(doc, 1).text == "Well, I think...");
    CHECK(para_at(doc, 2).label == "BLITZER");
    CHECK(para_at(doc, 2).text == "Thank you.");
    const Segmentation seg = segment::segment(doc, rules());
    std::vector<std::size_t> speaker_of(doc.paragraphs.size(), seg.speakers.size());
    for (const auto& t : seg.turns)
        for (std::size_t p : t.paragraphs) speaker_of[p] = t.speaker;
    CHECK(speaker_of[0] == speaker_of[2]);  // BLITZER is WOLF BLITZER
    CHECK(speaker_of[1] == speaker_of[3]);  // SANDERS is SEN. BERNIE SANDERS
}

TEST_CASE("families: a White House briefing's press-office header and END", "[unit][parse]") {
    const Document doc = parse_text(
        "THE WHITE HOUSE\n\nOffice of the Press Secretary\n\nFor Immediate Release\n\n"
        "Press Briefing by Press Secretary Jen Psaki\n\nJames S. Brady Press Briefing Room\n\n1:07 P.M. EDT\n\n"
        "MS. PSAKI: Hi, everyone. We met Mr. Kuleba (ph) today.\n\n"
        "Q Thanks, Jen. On Ukraine (inaudible) the President said no.\n\n"
        "MS. PSAKI: Go ahead.\n\nEND\n\n1:58 P.M. EDT\n");
    CHECK(doc.meta.title == "Press Briefing by Press Secretary Jen Psaki");
    CHECK(doc.meta.place == "James S. Brady Press Briefing Room");
    CHECK(doc.meta.time == "13:07");
    CHECK(dropped_with(doc, "Office of the Press Secretary", "clutter"));
    CHECK(dropped_with(doc, "For Immediate Release", "clutter"));
    REQUIRE(doc.paragraphs.size() == 3);
    CHECK(para_at(doc, 0).label == "MS. PSAKI");
    CHECK(para_at(doc, 0).text == "Hi, everyone. We met Mr. Kuleba today.");
    CHECK(para_at(doc, 1).label == "Q");
    CHECK(para_at(doc, 1).text == "Thanks, Jen. On Ukraine the President said no.");
    CHECK(para_at(doc, 2).text == "Go ahead.");
    CHECK(dropped_with(doc, "END", "tail"));
}

TEST_CASE("robustness: lines full of notes, strike-throughs and mid-line labels stay linear", "[unit][parse]") {
    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    std::string notes = "Anna:";
    while (notes.size() < (1u << 20)) notes += " word (inaudible) more (ph)";
    const Document a = parse_text(notes + "\n");
    REQUIRE(a.paragraphs.size() == 1);  // every note sits inside the one sentence
    std::string stages = "Ben:";
    while (stages.size() < (1u << 20)) stages += " (laughter) ...";
    stages += " done.";
    CHECK_FALSE(parse_text(stages + "\n").paragraphs.empty());
    std::string marks = "Cy:";
    while (marks.size() < (1u << 20)) marks += " a <s>b ~~c \\[d -- QUICK: e... REYES: f";
    CHECK_FALSE(parse_text(marks + "\n").paragraphs.empty());
    const auto secs = std::chrono::duration<double>(clock::now() - t0).count();
    CHECK(secs < 20.0);  // under a second in a Release build; quadratic would take minutes
}

TEST_CASE("header: YAML escapes in a front-matter title become the letters they stand for", "[unit][parse]") {
    const Document doc = parse_text("---\ntitle: \"Remarks by President L\\xF3pez Obrador and \\u00C9mile\\\n  \\ in Joint\\_Session\"\n---\n\n"
                                    "PRESIDENT BIDEN: Thank you.\n");
    CHECK(doc.meta.title == "Remarks by President L\xC3\xB3pez Obrador and \xC3\x89mile in Joint Session");
    const Document t = parse_fixture("corpus/whitehouse-press-gaggle-2022-03-25.txt");
    CHECK(t.meta.title.find('\\') == std::string::npos);
}

TEST_CASE("machine transcripts: Rev-style time-stamps by the label and the Otter sign-off", "[unit][parse]") {
    const Document doc = parse_text(
        "Joe Biden: (00:01)\nThank you. Thank you very much.\n\n"
        "Speaker 1 (00:45):\nMr. President, a question.\n\n"
        "Kamala Harris: ([01:02:03])\nGood evening.\n\n"
        "PRESIDENT ZELENSKYY: (As interpreted.) We hold.\n\n"
        "Transcribed by https://otter.ai\n");
    REQUIRE(doc.paragraphs.size() == 4);
    CHECK(para_at(doc, 0).label == "Joe Biden");
    CHECK(para_at(doc, 0).text == "Thank you. Thank you very much.");
    CHECK(para_at(doc, 1).label == "Speaker 1");
    CHECK(para_at(doc, 1).qualifier.empty());
    CHECK(para_at(doc, 1).text == "Mr. President, a question.");
    CHECK(para_at(doc, 2).text == "Good evening.");
    CHECK(para_at(doc, 3).qualifier == "As interpreted");
    CHECK(dropped_with(doc, "(00:01)", "timestamp"));
    CHECK(dropped_with(doc, "00:45", "timestamp"));
    CHECK(dropped_with(doc, "([01:02:03])", "timestamp"));
    CHECK(dropped_with(doc, "Transcribed by https://otter.ai", "clutter"));
}
