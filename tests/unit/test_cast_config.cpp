// voices/cast.toml: the shipped file loads; every error names file, line and key.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <unistd.h>

#include "cast/cast.hpp"
#include "core/error.hpp"

using namespace turncast;
namespace fs = std::filesystem;

namespace {

struct TempToml {
    std::string path;
    explicit TempToml(const std::string& body) {
        static int n = 0;
        path = (fs::temp_directory_path() /
                ("turncast-cast-" + std::to_string(::getpid()) + "-" + std::to_string(n++) + ".toml"))
                   .string();
        std::ofstream(path, std::ios::binary) << body;
    }
    ~TempToml() { std::error_code ec; fs::remove(path, ec); }
};

// A minimal valid file (lines 1-13) to which each case appends or edits.
const std::string kValid = R"([[voice]]
id = "n"
espeak = "en-gb"
variant = "f2"

[[voice]]
id = "m"
espeak = "en-us"

[roles]
narrator = "n"
main = "m"
questioners = ["m"]
)";

std::string error_of(const std::string& body) {
    TempToml f(body);
    try {
        cast::load_cast(f.path);
    } catch (const ConfigError& e) {
        std::string what = e.what();
        REQUIRE(what.rfind(f.path, 0) == 0);
        return what.substr(f.path.size());
    }
    FAIL("no ConfigError for:\n" << body);
    return {};
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
    auto at = s.find(from);
    REQUIRE(at != std::string::npos);
    return s.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("cast.toml: the shipped palette loads, is told apart by variant, and fills the roles", "[unit][cast]") {
    auto cfg = cast::load_cast(cast::default_cast_path());
    REQUIRE(cfg.palette.size() >= 8);
    REQUIRE(cfg.narrator == "narrator");
    REQUIRE(cfg.main == "main");
    REQUIRE(cfg.questioners.size() >= 4);
    REQUIRE_FALSE(cfg.others.empty());
    REQUIRE(cfg.announce == cast::Announce::FirstTime);
    REQUIRE(cfg.announce_questions);
    REQUIRE_FALSE(cfg.narrate_stage_directions);
    // No two hand-made palette entries are the same espeak voice + variant.
    const std::size_t made = cfg.palette.size() - cfg.derived.size();
    for (std::size_t a = 0; a < made; ++a)
        for (std::size_t b = a + 1; b < made; ++b)
            REQUIRE(cfg.palette[a].espeak_voice + "+" + cfg.palette[a].variant !=
                    cfg.palette[b].espeak_voice + "+" + cfg.palette[b].variant);
    REQUIRE(cfg.voice_lines.at("narrator") > 0);
    REQUIRE_FALSE(cast::espeak_voices_used(cfg).empty());
    // Every voice says its sex, so a speaker titled Ms. or Mr. can be matched;
    // the main voice is male, the narrator female, and the others pool has both.
    for (const auto& v : cfg.palette) {
        INFO(v.id);
        CHECK(v.sex != Sex::Unstated);
    }
    auto sex = [&](const std::string& id) {
        REQUIRE(cfg.voice(id));
        return cfg.voice(id)->sex;
    };
    CHECK(sex(cfg.main) == Sex::Male);
    CHECK(sex(cfg.narrator) == Sex::Female);
    std::set<Sex> others;
    for (const auto& id : cfg.others) others.insert(sex(id));
    CHECK(others == std::set<Sex>{Sex::Female, Sex::Male});
}

TEST_CASE("cast.toml: values and defaults are read", "[unit][cast]") {
    TempToml f(kValid + R"(others = ["n"]
[overrides]
"Sergey Lavrov" = "n"
[pauses]
paragraph_ms = 300
[announce]
speakers = "every"
questions = false
stage_directions = true
)");
    auto cfg = cast::load_cast(f.path);
    REQUIRE(cfg.palette.size() == 2);
    REQUIRE(cfg.palette[0].variant == "f2");
    REQUIRE(cfg.palette[1].rate == 175);  // default
    REQUIRE(cfg.overrides.at("Sergey Lavrov") == "n");
    REQUIRE(cfg.pauses.paragraph_ms == 300);
    REQUIRE(cfg.pauses.turn_ms == 900);
    REQUIRE(cfg.announce == cast::Announce::EveryChange);
    REQUIRE_FALSE(cfg.announce_questions);
    REQUIRE(cfg.narrate_stage_directions);
    REQUIRE(cfg.voice_lines.at("m") == 6);
    REQUIRE(cfg.source_path == f.path);
    // Sex: f2 is a female variant; no variant says nothing.
    REQUIRE(cfg.palette[0].sex == Sex::Female);
    REQUIRE(cfg.palette[1].sex == Sex::Unstated);
}

TEST_CASE("cast.toml: a voice's sex comes from `sex`, else from its variant", "[unit][cast]") {
    auto sexes = [](const std::string& voice2) {
        TempToml f(replace(kValid, "espeak = \"en-us\"\n", "espeak = \"en-us\"\n" + voice2));
        return cast::load_cast(f.path).palette[1].sex;
    };
    CHECK(sexes("variant = \"m3\"\n") == Sex::Male);
    CHECK(sexes("variant = \"f5\"\n") == Sex::Female);
    CHECK(sexes("variant = \"klatt4\"\n") == Sex::Unstated);
    CHECK(sexes("variant = \"mb-en1\"\n") == Sex::Unstated);
    CHECK(sexes("variant = \"klatt4\"\nsex = \"male\"\n") == Sex::Male);
    CHECK(sexes("variant = \"m3\"\nsex = \"female\"\n") == Sex::Female);
    CHECK(sexes("variant = \"m3\"\nsex = \"any\"\n") == Sex::Unstated);
    CHECK_THAT(error_of(replace(kValid, "espeak = \"en-us\"\n", "espeak = \"en-us\"\nsex = \"deep\"\n")),
               Catch::Contains("line 9") && Catch::Contains("'voice[2].sex' must be \"female\", \"male\" or \"any\""));
}

TEST_CASE("cast.toml errors name the line and the key", "[unit][cast]") {
    // Unknown key, with its line.
    CHECK_THAT(error_of(replace(kValid, "variant = \"f2\"", "varient = \"f2\"")),
               Catch::Contains("line 4") && Catch::Contains("unknown key 'voice[1].varient'"));
    CHECK_THAT(error_of(kValid + "colour = 3\n"), Catch::Contains("line 14") && Catch::Contains("'roles.colour'"));
    CHECK_THAT(error_of(kValid + "[extras]\n"), Catch::Contains("line 14") && Catch::Contains("unknown key 'extras'"));
    // Out of range.
    CHECK_THAT(error_of(replace(kValid, "variant = \"f2\"", "pitch = 140")),
               Catch::Contains("line 4") && Catch::Contains("voice[1].pitch") && Catch::Contains("0..100"));
    CHECK_THAT(error_of(replace(kValid, "espeak = \"en-us\"", "espeak = \"en-us\"\nrate = 20")),
               Catch::Contains("line 9") && Catch::Contains("voice[2].rate"));
    CHECK_THAT(error_of(replace(kValid, "variant = \"f2\"", "range = -1")), Catch::Contains("voice[1].range"));
    CHECK_THAT(error_of(replace(kValid, "variant = \"f2\"", "gain_db = 40.0")), Catch::Contains("voice[1].gain_db"));
    // Mistyped and missing.
    CHECK_THAT(error_of(replace(kValid, "variant = \"f2\"", "rate = \"fast\"")),
               Catch::Contains("line 4") && Catch::Contains("'voice[1].rate' must be an integer"));
    CHECK_THAT(error_of(replace(kValid, "espeak = \"en-us\"\n", "")),
               Catch::Contains("line 6") && Catch::Contains("missing key 'voice[2].espeak'"));
    CHECK_THAT(error_of(replace(kValid, "main = \"m\"\n", "")), Catch::Contains("missing key 'roles.main'"));
    CHECK_THAT(error_of(replace(kValid, "questioners = [\"m\"]", "questioners = \"m\"")),
               Catch::Contains("line 13") && Catch::Contains("roles.questioners"));
    // References to voices that do not exist.
    CHECK_THAT(error_of(replace(kValid, "main = \"m\"", "main = \"nobody\"")),
               Catch::Contains("line 12") && Catch::Contains("'roles.main' names voice 'nobody'"));
    CHECK_THAT(error_of(kValid + "[overrides]\n\"Jen Psaki\" = \"q9\"\n"),
               Catch::Contains("line 15") && Catch::Contains("Jen Psaki") && Catch::Contains("'q9'"));
    // Enumerations, duplicates, syntax, odd names.
    CHECK_THAT(error_of(kValid + "[announce]\nspeakers = \"sometimes\"\n"),
               Catch::Contains("line 15") && Catch::Contains("announce.speakers"));
    CHECK_THAT(error_of(replace(kValid, "id = \"m\"", "id = \"n\"")),
               Catch::Contains("line 6") && Catch::Contains("defined twice"));
    CHECK_THAT(error_of(kValid + "[pauses\n"), Catch::Contains("line 14"));
    CHECK_THAT(error_of(replace(kValid, "variant = \"f2\"", "variant = \"f2 -w /tmp/x\"")),
               Catch::Contains("variant"));
}

TEST_CASE("cast.toml: a missing file is an I/O error; a missing espeak voice names its line", "[unit][cast]") {
    REQUIRE_THROWS_AS(cast::load_cast("/nonexistent/cast.toml"), IoError);

    TempToml f(replace(kValid, "espeak = \"en-us\"", "espeak = \"en-klingon\""));
    auto cfg = cast::load_cast(f.path);
    REQUIRE(cast::espeak_voices_used(cfg) == std::vector<std::string>{"en-gb", "en-klingon"});
    try {
        cast::check_espeak_voices(cfg, [](const std::string& v) { return v != "en-klingon"; });
        FAIL("no error");
    } catch (const ConfigError& e) {
        REQUIRE_THAT(e.what(), Catch::Contains(f.path) && Catch::Contains("line 6") &&
                                   Catch::Contains("'espeak'") && Catch::Contains("en-klingon"));
    }
    REQUIRE_NOTHROW(cast::check_espeak_voices(cfg, [](const std::string&) { return true; }));
}

TEST_CASE("cast.toml: the derived voices are many, follow the palette, and are told apart", "[unit][cast]") {
    auto cfg = cast::load_cast(cast::default_cast_path());
    // Enough for the longest events seen (dozens of named journalists).
    REQUIRE(cfg.derived.size() >= 150);
    const std::size_t made = cfg.palette.size() - cfg.derived.size();
    std::set<std::string> ids(cfg.derived.begin(), cfg.derived.end());
    REQUIRE(ids.size() == cfg.derived.size());
    std::set<Sex> sexes;
    for (std::size_t i = 0; i < cfg.derived.size(); ++i) {
        const Voice& v = cfg.palette.at(made + i);
        INFO(v.id);
        REQUIRE(v.id == cfg.derived[i]);
        REQUIRE(v.sex != Sex::Unstated);
        sexes.insert(v.sex);
        REQUIRE(cfg.voice_lines.at(v.id) > 0);
    }
    CHECK(sexes == std::set<Sex>{Sex::Female, Sex::Male});
    // Measurably apart: every voice differs from every other in espeak voice,
    // in variant, or by at least 30 pitch points; none repeats a hand-made
    // voice's espeak voice + variant.
    for (std::size_t a = 0; a < cfg.palette.size(); ++a)
        for (std::size_t b = std::max(a + 1, made); b < cfg.palette.size(); ++b) {
            const Voice &x = cfg.palette[a], &y = cfg.palette[b];
            INFO(x.id << " / " << y.id);
            const bool same_timbre = x.espeak_voice == y.espeak_voice && x.variant == y.variant;
            if (a < made) REQUIRE_FALSE(same_timbre);
            else if (same_timbre) REQUIRE(std::abs(x.pitch - y.pitch) >= 30);
        }
    // Neighbours in the order they are handed out differ in espeak voice.
    for (std::size_t i = made + 1; i < cfg.palette.size(); ++i)
        CHECK(cfg.palette[i].espeak_voice != cfg.palette[i - 1].espeak_voice);
    // The renderer checks every espeak voice they use.
    for (const auto& v : cfg.palette) {
        const auto used = cast::espeak_voices_used(cfg);
        CHECK(std::find(used.begin(), used.end(), v.espeak_voice) != used.end());
    }
}

TEST_CASE("cast.toml: [[derived]] voices are read like [[voice]] ones", "[unit][cast]") {
    TempToml f(kValid + R"(
[[derived]]
id = "d1"
espeak = "en-us"
variant = "f3"
pitch = 30
)");
    auto cfg = cast::load_cast(f.path);
    REQUIRE(cfg.derived == std::vector<std::string>{"d1"});
    REQUIRE(cfg.palette.size() == 3);
    REQUIRE(cfg.voice("d1"));
    CHECK(cfg.voice("d1")->sex == Sex::Female);
    CHECK(cfg.voice("d1")->pitch == 30);
    CHECK(cfg.voice_lines.at("d1") == 15);
    CHECK_THAT(error_of(kValid + "[[derived]]\nid = \"d1\"\nespeak = \"en-us\"\npitch = 300\n"),
               Catch::Contains("line 17") && Catch::Contains("'derived[1].pitch'"));
    CHECK_THAT(error_of(kValid + "[[derived]]\nid = \"m\"\nespeak = \"en-us\"\n"),
               Catch::Contains("defined twice"));
}
