// Pronunciation through the real libespeak-ng: lexicon entries and text
// normalisation change what espeak says (its phoneme output, as `espeak-ng -x`
// prints it); transcript markup never reaches espeak as markup; and
// `turncast audition` writes a playable WAV in the right speaker's voice.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <algorithm>
#include <cctype>

#include "cast/cast.hpp"
#include "io/sndfile.hpp"
#include "probe.hpp"
#include "synth/synth.hpp"

using namespace turncast;
namespace fs = std::filesystem;

namespace {

Voice en_gb() {
    Voice v;
    v.id = "test";
    v.espeak_voice = "en-gb";
    return v;
}

// One process-wide engine: espeak is a process singleton, and the Engine keeps
// its parent pristine by synthesising only in forked children.
synth::Engine& engine() {
    static synth::Engine e;
    return e;
}

// Phoneme mnemonics with surrounding white space (espeak ends lines) trimmed.
std::string phonemes(const std::string& text) {
    std::string p = engine().phonemes(synth::Request{text, en_gb()});
    const auto b = p.find_first_not_of(" \n\t");
    const auto e = p.find_last_not_of(" \n\t");
    return b == std::string::npos ? std::string() : p.substr(b, e - b + 1);
}

const cast::Lexicon& shipped() {
    static const cast::Lexicon lex = cast::default_lexicon();
    return lex;
}

std::string said(const std::string& transcript_text) {
    return phonemes(cast::speakable(transcript_text, shipped()));
}

std::string said_all(const std::string& transcript_text) { return said(transcript_text); }

struct Wav {
    int rate = 0, channels = 0;
    std::vector<std::int16_t> pcm;
};

Wav read_wav(const std::string& path) {
    SF_INFO info{};
    io::SndfilePtr f(sf_open(path.c_str(), SFM_READ, &info));
    REQUIRE(f);
    REQUIRE((info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_WAV);
    Wav w;
    w.rate = info.samplerate;
    w.channels = info.channels;
    w.pcm.resize(static_cast<std::size_t>(info.frames * info.channels));
    REQUIRE(sf_read_short(f.get(), w.pcm.data(), static_cast<sf_count_t>(w.pcm.size())) ==
            static_cast<sf_count_t>(w.pcm.size()));
    return w;
}

const std::string kFixture = std::string(TURNCAST_FIXTURES) + "/render/springfield.txt";

}  // namespace

TEST_CASE("lexicon entries change espeak's phonemes", "[espeak][lexicon]") {
    // Names: Russian stress instead of espeak's English guess.
    const std::string raw = phonemes("Sergey Lavrov");
    const std::string fixed = said("Sergey Lavrov");
    CHECK(raw != fixed);
    CHECK_THAT(fixed, Catch::Contains("l@vr'0f"));
    CHECK_THAT(raw, !Catch::Contains("l@vr'0f"));
    CHECK_THAT(said("Lavrov's remarks"), Catch::Contains("l@vr'0fs"));

    // Acronyms said as letters are spelled; those said as words stay words.
    CHECK_THAT(phonemes("the CSTO"), Catch::Contains("s'i:st'oU"));  // espeak alone: one word
    CHECK_THAT(said("the CSTO"), Catch::Contains(",Es") && Catch::Contains("s,i:"));
    CHECK_THAT(said("the EAEU"), Catch::Contains("eI") && Catch::Contains("j'u:"));
    CHECK_THAT(said("NATO"), Catch::Contains("n'eItoU"));
    CHECK_THAT(said("BRICS"), Catch::Contains("br'Iks"));

    // Case-sensitive: the entry for "ROC" leaves the word "roc" alone.
    CHECK(said("a roc") == phonemes("a roc"));

    // A user's respelling (merged over the shipped lexicon) wins.
    cast::Lexicon user;
    user.entries.push_back({"Lavrov", "lav rov", true});
    const auto merged = cast::merge(shipped(), user);
    CHECK(phonemes(cast::speakable("Lavrov", merged)) == phonemes("lav rov"));
}

TEST_CASE("normalisation changes what espeak says where it was wrong", "[espeak][normalise]") {
    CHECK_THAT(phonemes("World War II"), Catch::Contains("r,oUm@n"));  // "Roman two"
    CHECK_THAT(said("World War II"), !Catch::Contains("r,oUm@n") && Catch::Contains("t'u:"));
    CHECK_THAT(phonemes("1941-1945"), Catch::Contains("d'aS"));  // "dash"
    CHECK_THAT(said("1941-1945"), !Catch::Contains("d'aS") && Catch::Contains("t@"));
    CHECK_THAT(said("No. 5"), Catch::Contains("n'Vmb3"));
    // Where espeak is right, nothing changes.
    CHECK(said("5% of 21st votes") == phonemes("5% of 21st votes"));
}

TEST_CASE("readings change what espeak says: money, years, dates, abbreviations, acronyms", "[espeak][readings]") {
    // Money after its amount and scale ("dollar forty-five billion" before).
    CHECK_THAT(phonemes("$45 billion"), Catch::StartsWith("d'0l3"));
    CHECK_THAT(said("$45 billion"), Catch::EndsWith("b'Ili@n d'0l3z"));
    CHECK_THAT(said("\xC2\xA3" "5"), Catch::Equals("f'aIv p'aUndz"));
    CHECK_THAT(phonemes("\xE2\x82\xBD" "500"), !Catch::Contains("r'u:b"));  // espeak drops the sign
    CHECK_THAT(said("\xE2\x82\xBD" "500"), Catch::EndsWith("r'u:b@Lz"));
    // Years, not "nineteen hundred and twenty-eight"; decades; dates.
    CHECK_THAT(phonemes("in 1928"), Catch::Contains("h'VndrI2d"));
    CHECK_THAT(said("in 1928"), !Catch::Contains("h'VndrI2d") && Catch::Contains("n'aInti:n tw'Enti"));
    CHECK_THAT(said("since 2021"), Catch::Contains("tw'Enti tw'Enti w'0n"));
    CHECK_THAT(phonemes("the 1990s"), Catch::Contains("n'aInti z"));
    CHECK_THAT(said("the 1990s"), Catch::EndsWith("n'aIntiz"));
    CHECK_THAT(said("30 August 2021"), Catch::Contains("T'3:ti@T 0v 'O:g@st"));
    CHECK_THAT(said("8^th"), Catch::Equals("'eItT"));
    // Abbreviations in full, with no pause.
    CHECK_THAT(phonemes("Ms. Psaki"), Catch::Contains(",Em'Es"));
    CHECK_THAT(said("Ms. Psaki"), Catch::StartsWith("m'Iz s'A:ki"));
    CHECK_THAT(said("Gov. Brown"), Catch::StartsWith("g'Vv3n3"));
    CHECK_THAT(said("vs."), Catch::Contains("v'3:s"));
    // Acronyms letter by letter, in the voice's accent.
    CHECK_THAT(phonemes("YPG"), Catch::Equals("'Ipg"));
    CHECK_THAT(said("YPG"), Catch::Equals("w,aIp,i:dZ'i:"));
    CHECK_THAT(said("USAID"), Catch::Contains("'eI") && Catch::Contains("aI") && Catch::Contains("d'i:"));
    Voice us = en_gb();
    us.espeak_voice = "en-us";
    const std::string dmz = cast::speakable("the DMZ", shipped());
    CHECK_THAT(engine().phonemes(synth::Request{dmz, en_gb()}), Catch::Contains("z'Ed"));
    CHECK_THAT(engine().phonemes(synth::Request{dmz, us}), Catch::Contains("z'i:"));
}

// Every distinct word of every transcript we have, with the punctuation,
// brackets and quotes around it, through the normaliser and the lexicon: each
// must make espeak say something. Catches any rule that makes a word silent
// ("(CSTO)" once was: the lexicon's [[...]] glued to the bracket).
TEST_CASE("no word is lost: every word of every transcript yields phonemes", "[espeak][lexicon][normalise]") {
    std::vector<fs::path> files;
    const fs::path src = TURNCAST_SOURCE_DIR;
    for (const fs::path& dir : {src / "tests/fixtures/transcripts", src / "examples", src.parent_path() / "shared/corpus"})
        if (fs::is_directory(dir))
            for (const auto& e : fs::recursive_directory_iterator(dir))
                if (e.is_regular_file() && e.path().extension() == ".txt") files.push_back(e.path());
    REQUIRE(files.size() >= 10);
    std::set<std::string> seen;
    std::vector<std::string> words, spoken;
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        std::string w;
        while (in >> w) {
            const bool has_word = std::any_of(w.begin(), w.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80;
            });
            if (!has_word || !seen.insert(w).second) continue;
            words.push_back(w);
            spoken.push_back(cast::speakable(w, shipped()));
        }
    }
    INFO(words.size() << " distinct words from " << files.size() << " files");
    REQUIRE(words.size() > 10000);
    const auto said = engine().phonemes(spoken, en_gb());
    REQUIRE(said.size() == words.size());
    std::vector<std::string> silent;
    for (std::size_t i = 0; i < words.size(); ++i)
        // Phoneme mnemonics are letters, digits ("3:") and '@'; pauses are "_:".
        if (std::none_of(said[i].begin(), said[i].end(),
                         [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '@'; }) &&
            std::any_of(words[i].begin(), words[i].end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); }))
            silent.push_back(words[i] + " -> '" + spoken[i] + "'");
    for (const auto& s : silent) UNSCOPED_INFO(s);
    CHECK(silent.empty());
    // The case that was silent, in its contexts.
    CHECK_THAT(said_all("(CSTO)"), Catch::Contains(",Est"));
    CHECK_THAT(said_all("\"CSTO\""), Catch::Contains(",Est"));
    CHECK_THAT(said_all("\u201cEAEU\u201d"), Catch::Contains("j'u:"));
    CHECK_THAT(said_all("(SCO),"), Catch::Contains("Es"));
    CHECK_THAT(said_all("[CIS]"), Catch::Contains("aI'Es"));
    CHECK_THAT(said_all("\u2014ROC"), Catch::Contains("A:r"));
}

// The shipped names (voices/lexicon.tsv's public figures, places and
// organisations): each changes what espeak says, and a few match the
// respelling a news reader would give.
TEST_CASE("every shipped name differs from espeak's guess", "[espeak][lexicon]") {
    std::ifstream in(cast::default_lexicon_path());
    std::string line;
    bool names = false;
    std::vector<std::string> words;
    while (std::getline(in, line)) {
        if (line.rfind("# Public figures", 0) == 0) names = true;
        if (names && !line.empty() && line[0] != '#') words.push_back(line.substr(0, line.find('\t')));
    }
    REQUIRE(words.size() >= 60);
    std::vector<std::string> fixed;
    for (const auto& w : words) fixed.push_back(cast::speakable(w, shipped()));
    const auto guessed = engine().phonemes(words, en_gb());
    const auto said_now = engine().phonemes(fixed, en_gb());
    for (std::size_t i = 0; i < words.size(); ++i) {
        INFO(words[i] << ": espeak " << guessed[i] << ", lexicon " << said_now[i]);
        CHECK(guessed[i] != said_now[i]);
    }
    // As a news reader respells them.
    CHECK(said("Putin") == phonemes("pootin"));
    CHECK(said("Kaine") == phonemes("cane"));
    CHECK(said("Xi") == phonemes("she"));
    CHECK(said("Boehner") == phonemes("bayner"));
    CHECK_THAT(said("President Putin's"), Catch::EndsWith("p'u:tInz"));
}

TEST_CASE("transcript text never reaches espeak as phonemes or markup", "[espeak][lexicon]") {
    // With espeak's phoneme input on, a raw "[[...]]" would be read as phonemes.
    const std::string injected = "[[h@l'oU]]";
    CHECK(phonemes(injected) == "h@l'oU");  // what the unguarded text would do
    CHECK(said(injected) != "h@l'oU");
    CHECK_THAT(cast::speakable("<prosody rate='x-slow'>hi</prosody>", shipped()),
               !Catch::Contains("<") && !Catch::Contains(">"));
}

TEST_CASE("audition writes a playable WAV of the right speaker; bad cast writes nothing", "[espeak][audition]") {
    test::TempDir tmp;
    const std::string wav = tmp.path + "/jane.wav";
    const std::string words = "Thank you for the invitation, Mr Bocharov.";
    std::string out;
    const int rc = test::run(std::string(TURNCAST_BINARY) + " -q audition 'Jane Doe' '" + kFixture + "' -o '" + wav +
                                 "' --text '" + words + "'",
                             &out);
    INFO(out);
    REQUIRE(rc == 0);
    const Wav w = read_wav(wav);
    CHECK(w.rate == synth::kSampleRate);
    CHECK(w.channels == 1);
    CHECK(w.pcm.size() > std::size_t(synth::kSampleRate) / 2);

    // The same words in the main speaker's voice, synthesised here, are the same
    // samples (synthesis is repeatable); in the narrator's voice they differ.
    const auto cfg = cast::load_cast(cast::default_cast_path());
    auto voice_of = [&](const std::string& id) {
        for (const auto& v : cfg.palette)
            if (v.id == id) return v;
        FAIL("no voice " << id);
        return Voice{};
    };
    const std::string text = cast::speakable(words, shipped());
    const auto as_main = engine().synthesize_one(synth::Request{text, voice_of(cfg.main)});
    const auto as_narrator = engine().synthesize_one(synth::Request{text, voice_of(cfg.narrator)});
    CHECK(w.pcm == as_main.pcm);
    CHECK(w.pcm != as_narrator.pcm);

    // --seconds bounds the length.
    const std::string shorter = tmp.path + "/short.wav";
    REQUIRE(test::run(std::string(TURNCAST_BINARY) + " -q audition Jane '" + kFixture + "' -o '" + shorter +
                      "' --seconds 1.5") == 0);
    const Wav s = read_wav(shorter);
    CHECK(s.pcm.size() <= std::size_t(1.5 * synth::kSampleRate));
    CHECK(s.pcm.size() >= std::size_t(0.5 * synth::kSampleRate));

    // A broken cast file: exit 4 (bad configuration), the line named, no WAV.
    const std::string bad_cast = tmp.path + "/bad.toml";
    std::ofstream(bad_cast) << "[[voice]]\nid = \"x\"\nespeak = \"en-gb\"\npitch = 140\n";
    const std::string none = tmp.path + "/none.wav";
    std::string err;
    CHECK(test::run(std::string(TURNCAST_BINARY) + " audition Jane '" + kFixture + "' -o '" + none + "' --cast '" +
                        bad_cast + "'",
                    &err) == 4);
    CHECK_THAT(err, Catch::Contains("line 4") && Catch::Contains("pitch"));
    CHECK_FALSE(fs::exists(none));
    // An unknown speaker is a usage error, and also writes nothing.
    CHECK(test::run(std::string(TURNCAST_BINARY) + " audition Nobody '" + kFixture + "' -o '" + none + "'") == 2);
    CHECK_FALSE(fs::exists(none));
}
