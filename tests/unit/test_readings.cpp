// voices/readings.toml through Lexicon::apply: what espeak is given for money,
// years, decades, dates, abbreviations and acronyms, and that captions keep
// the words as written (the anchors map each rewrite back to its source).
// tests/integration/test_pronunciation.cpp checks the same cases through
// espeak's phonemes.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cast/cast.hpp"
#include "core/error.hpp"
#include "test_parse_support.hpp"

using namespace turncast;

namespace {

const cast::Lexicon& lex() {
    static const cast::Lexicon l = cast::default_lexicon();
    return l;
}

std::string read(const std::string& s) { return lex().apply(s); }

}  // namespace

TEST_CASE("readings: money is said after its amount and scale", "[unit][readings]") {
    CHECK(read("$45 billion in aid") == "45 billion dollars in aid");
    CHECK(read("cost $1 only") == "cost 1 dollar only");
    CHECK(read("$1 million") == "1 million dollars");
    CHECK(read("$3.5bn") == "3.5 billion dollars");
    CHECK(read("\xC2\xA3" "5") == "5 pounds");
    CHECK(read("\xE2\x82\xAC" "10 million") == "10 million euros");
    CHECK(read("\xE2\x82\xBD" "500") == "500 roubles");
    CHECK(read("500 \xE2\x82\xBD") == "500 roubles");
    CHECK(read("US$3 trillion") == "3 trillion dollars");
    CHECK(read("3 billion USD") == "3 billion dollars");
    CHECK(read("USD 3") == "3 dollars");
    CHECK(read("($1,000,000)") == "(1,000,000 dollars)");
    // Not money: a lone sign, "5 m" (metres), "the $ sign".
    CHECK(read("the $ sign") == "the $ sign");
    CHECK(read("$5 m long") == "5 dollars m long");
}

TEST_CASE("readings: years after a preposition, a month or a date; decades", "[unit][readings]") {
    CHECK(read("in 1928") == "in 19 28");
    CHECK(read("since 2014") == "since 20 14");
    CHECK(read("in 1905") == "in 19 oh 5");
    CHECK(read("by 1900") == "by 19 hundred");
    CHECK(read("in 2008") == "in 2008");  // espeak's "two thousand and eight"
    CHECK(read("from 1941 to 1945") == "from 19 41 to 19 45");
    CHECK(read("1928 troops") == "1928 troops");  // a count, not a year
    CHECK(read("in 1,500 cases") == "in 1,500 cases");
    CHECK(read("the 1990s") == "the 19 nineties");
    CHECK(read("the 2000s") == "the two thousands");
    CHECK(read("the '90s") == "the nineties");
    CHECK(read("the \xE2\x80\x99" "80s") == "the eighties");
    CHECK(read("in his 20s") == "in his twenties");
    CHECK(read("1995s") == "1995s");
}

TEST_CASE("readings: dates and flattened ordinals", "[unit][readings]") {
    CHECK(read("on 30 August 2021") == "on the 30th of August 20 21");
    CHECK(read("on the 1 May") == "on the 1st of May");
    CHECK(read("August 30, 2021") == "August 30th, 20 21");
    CHECK(read("March 2022") == "March 20 22");
    CHECK(read("August 30,000") == "August 30,000");
    CHECK(read("May 12:30") == "May 12:30");
    CHECK(read("the 8^th and 22^nd") == "the 8th and 22nd");
    CHECK(read("the 11 June") == "the 11th of June");
}

TEST_CASE("readings: abbreviations in full, titles only before a name", "[unit][readings]") {
    CHECK(read("Ms. Smith") == "Miz Smith");
    CHECK(read("Gov. Brown and Sen. Rubio") == "Governor Brown and Senator Rubio");
    CHECK(read("Rep. Cheney") == "Representative Cheney");
    CHECK(read("Trump vs. Clinton") == "Trump versus Clinton");
    CHECK(read("Joseph Biden, Jr., said") == "Joseph Biden, Junior, said");
    CHECK(read("the gov. said") == "the gov. said");   // not before a name
    CHECK(read("a Ms.") == "a Ms.");
}

TEST_CASE("readings: acronyms are spelled unless said as words or in the lexicon", "[unit][readings]") {
    CHECK(read("the YPG") == "the Y.P.G");
    CHECK(read("ICBMs and USAID") == "I.C.B.M's and U.S.A.I.D");
    CHECK(read("the DoD") == "the D.o.D");
    CHECK(read("the YPG's") == "the Y.P.G's");
    CHECK(read("NASA and OPEC") == "NASA and OPEC");
    CHECK(read("I said NO") == "I said NO");
    CHECK(read("World War XIV") == "World War XIV");  // Roman numerals are not spelled
    CHECK_THAT(read("the CSTO"), Catch::Contains("[["));  // the lexicon's entry wins
    // Text written in capitals has no acronyms.
    CHECK(read("THANK YOU VERY MUCH, EVERYONE.") == "THANK YOU VERY MUCH, EVERYONE.");
}

TEST_CASE("readings: captions keep the words as written", "[unit][readings]") {
    std::vector<TextAnchor> anchors;
    const std::string shown = "We gave $45 billion in 1998.";
    const std::string spoken = lex().apply(shown, &anchors);
    REQUIRE(spoken == "We gave 45 billion dollars in 19 98.");
    Segment seg;
    seg.shown = shown;
    seg.text = spoken;
    seg.anchors = anchors;
    // "dollars" maps back into "$45 billion"; "in" to itself.
    CHECK(seg.shown_offset(spoken.find("dollars")) <= shown.find("billion") + 7);
    CHECK(seg.shown_offset(spoken.find("in 19")) == shown.find("in 1998"));
}

TEST_CASE("readings: a bad readings file names the line", "[unit][readings]") {
    const std::string path =
        (std::filesystem::temp_directory_path() / ("turncast-readings-" + std::to_string(::getpid()) + ".toml")).string();
    {
        std::ofstream f(path);
        f << "[money.symbols]\n\"$\" = \"dollar\"\n";
    }
    try {
        cast::load_readings(path);
        FAIL("no error");
    } catch (const ConfigError& e) {
        CHECK_THAT(std::string(e.what()), Catch::Contains("line 2") && Catch::Contains("[singular, plural]"));
    }
    std::remove(path.c_str());
}
