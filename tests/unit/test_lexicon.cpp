// The pronunciation lexicon: parsing, whole-word rewriting, markup safety.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "cast/cast.hpp"
#include "core/error.hpp"

using namespace turncast;
namespace fs = std::filesystem;

namespace {

// A file under the temporary folder, removed when the test ends.
struct TempFile {
    std::string path;
    explicit TempFile(const std::string& body, const char* ext = ".tsv") {
        static int n = 0;
        path = (fs::temp_directory_path() /
                ("turncast-lex-" + std::to_string(::getpid()) + "-" + std::to_string(n++) + ext))
                   .string();
        std::ofstream(path, std::ios::binary) << body;
    }
    ~TempFile() { std::error_code ec; fs::remove(path, ec); }
};

std::string error_of(const std::string& body) {
    TempFile f(body);
    try {
        cast::load_lexicon(f.path);
    } catch (const ConfigError& e) {
        REQUIRE(e.code() == ExitCode::BadConfig);
        std::string what = e.what();
        REQUIRE(what.rfind(f.path, 0) == 0);  // names the file first
        return what.substr(f.path.size());
    }
    FAIL("no ConfigError for: " << body);
    return {};
}

cast::Lexicon lex(std::initializer_list<std::pair<const char*, const char*>> entries) {
    std::string body;
    for (const auto& [w, r] : entries) body += std::string(w) + "\t" + r + "\n";
    TempFile f(body);
    return cast::load_lexicon(f.path);
}

}  // namespace

TEST_CASE("lexicon file: comments, blank lines, CRLF, BOM; case sensitivity from capitals", "[unit][lexicon]") {
    TempFile f("\xEF\xBB\xBF# comment\r\n\r\nLavrov\t[[l@vr'0f]]\r\n  # indented comment\nmgimo\tem gee mo\n");
    auto l = cast::load_lexicon(f.path);
    REQUIRE(l.entries.size() == 2);
    REQUIRE(l.entries[0].word == "Lavrov");
    REQUIRE(l.entries[0].replacement == "[[l@vr'0f]]");
    REQUIRE(l.entries[0].case_sensitive);
    REQUIRE(l.entries[1].word == "mgimo");
    REQUIRE_FALSE(l.entries[1].case_sensitive);
}

TEST_CASE("lexicon file errors name the line", "[unit][lexicon]") {
    CHECK_THAT(error_of("# ok\nLavrov [[l@vr'0f]]\n"), Catch::Contains("line 2") && Catch::Contains("tab"));
    CHECK_THAT(error_of("Lavrov\t\n"), Catch::Contains("line 1") && Catch::Contains("empty replacement"));
    CHECK_THAT(error_of("\tfoo\n"), Catch::Contains("line 1") && Catch::Contains("word is empty"));
    CHECK_THAT(error_of("a\tb\nLavrov\t[[l@vr'0f]\n"), Catch::Contains("line 2") && Catch::Contains("[[...]]"));
    CHECK_THAT(error_of("Lavrov\t[[l@[[vr]]'0f]]\n"), Catch::Contains("line 1") && Catch::Contains("nested"));
    CHECK_THAT(error_of("Lavrov\tsay [[l@vr'0f]] now\n"), Catch::Contains("one [[...]] block"));
    CHECK_THAT(error_of("Lavrov\t[[  ]]\n"), Catch::Contains("empty"));
    CHECK_THAT(error_of("Lavrov\t<phoneme>x</phoneme>\n"), Catch::Contains("'<' and '>'"));
    CHECK_THAT(error_of("Lavrov\ta\tb\n"), Catch::Contains("more than one tab"));
    CHECK_THAT(error_of("Lavrov\ta\nx\ty\nLavrov\tb\n"),
               Catch::Contains("line 3") && Catch::Contains("already defined on line 1"));
    CHECK_THAT(error_of("[[x]]\ty\n"), Catch::Contains("not a word"));
}

TEST_CASE("a missing lexicon is an I/O error naming the file", "[unit][lexicon]") {
    REQUIRE_THROWS_AS(cast::load_lexicon("/nonexistent/lexicon.tsv"), IoError);
}

TEST_CASE("lexicon rewrites whole words only", "[unit][lexicon]") {
    auto l = lex({{"Lavrov", "[[l@vr'0f]]"}, {"NATO", "[[n'eItoU]]"}});
    REQUIRE(l.apply("Sergey Lavrov said") == "Sergey [[l@vr'0f]] said");
    REQUIRE(l.apply("Lavrovsky and ALavrov") == "Lavrovsky and ALavrov");
    REQUIRE(l.apply("Russia\xE2\x80\x92NATO line") == "Russia\xE2\x80\x92 [[n'eItoU]] line");
    REQUIRE(l.apply("(Lavrov)") == "( [[l@vr'0f]])");  // espeak reads [[ only after a space
    REQUIRE(l.apply("Lavrov") == "[[l@vr'0f]]");
}

TEST_CASE("lexicon: entries with capitals are case-sensitive, lowercase entries are not", "[unit][lexicon]") {
    auto l = lex({{"US", "[[j,u:'Es]]"}, {"lavrov", "lav-roff"}});
    REQUIRE(l.apply("the US and us") == "the [[j,u:'Es]] and us");
    REQUIRE(l.apply("Us") == "Us");
    REQUIRE(l.apply("Lavrov, LAVROV, lavrov") == "lav-roff, lav-roff, lav-roff");
}

TEST_CASE("lexicon: the longest entry wins; replacements are not rewritten again", "[unit][lexicon]") {
    auto l = lex({{"Mamayev", "ma-MY-eff"}, {"Mamayev Kurgan", "[[m@m'aI@f kUrg'an]]"}, {"ma", "mama"}});
    REQUIRE(l.apply("at Mamayev Kurgan today") == "at [[m@m'aI@f kUrg'an]] today");
    REQUIRE(l.apply("Mamayev alone") == "ma-MY-eff alone");
}

TEST_CASE("lexicon: possessives of phoneme entries stay inside the brackets", "[unit][lexicon]") {
    auto l = lex({{"Lavrov", "[[l@vr'0f]]"}, {"Andrei", "[[,andr'eI]]"}, {"Bocharov", "BO-cha-rov"}});
    REQUIRE(l.apply("Lavrov's view") == "[[l@vr'0fs]] view");
    REQUIRE(l.apply("Andrei\xE2\x80\x99s view") == "[[,andr'eIz]] view");
    REQUIRE(l.apply("Bocharov's view") == "BO-cha-rov's view");
}

TEST_CASE("merge: a user's entries replace the shipped ones", "[unit][lexicon]") {
    auto base = lex({{"Lavrov", "[[l@vr'0f]]"}, {"NATO", "[[n'eItoU]]"}});
    auto user = lex({{"Lavrov", "lav-ROFF"}, {"Kyiv", "KEE-iv"}});
    auto m = cast::merge(base, user);
    REQUIRE(m.entries.size() == 3);
    REQUIRE(m.apply("Lavrov in Kyiv and NATO") == "lav-ROFF in KEE-iv and [[n'eItoU]]");
}

TEST_CASE("transcript markup is neutralised before the lexicon: no [[ ]] or < > reaches espeak", "[unit][lexicon]") {
    REQUIRE(cast::neutralise_markup("say [[h@'loU]] now") == "say ((h@'loU)) now");
    REQUIRE(cast::neutralise_markup("<speak><prosody rate='x-slow'>hi</prosody>") ==
            " speak  prosody rate='x-slow' hi /prosody ");
    REQUIRE(cast::neutralise_markup(std::string("a\x01" "b\tc")) == "a b c");
    REQUIRE(cast::neutralise_markup("[certain] Western countries") == "(certain) Western countries");
    // A plain-text transcript keeps every byte otherwise.
    const std::string plain = "Thank you \xE2\x80\x94 \xE2\x80\x9C" "friends\xE2\x80\x9D, 100%.";
    REQUIRE(cast::neutralise_markup(plain) == plain);
}

TEST_CASE("the shipped lexicon covers the sample's names and acronyms", "[unit][lexicon]") {
    auto l = cast::load_lexicon(cast::default_lexicon_path());
    for (const char* w : {"Lavrov", "Bocharov", "Shestel", "Rossoshinskoye", "Mamayev Kurgan", "Voznesensky",
                          "Shchlyanova", "MGIMO", "CSTO", "EAEU", "BRICS", "NATO", "ROC", "WWII"}) {
        INFO(w);
        const std::string out = l.apply(w);
        REQUIRE(out != w);
    }
    // Acronyms said as letters are spelled out; case-sensitive ("roc" stays a word).
    REQUIRE(l.apply("CSTO") == "[[s,i:,Es,ti:'oU]]");
    REQUIRE(l.apply("roc") == "roc");
}
