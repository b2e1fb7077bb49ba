// synth: espeak-ng in forked children — repeatability, timings, voices, faults.
#include <catch2/catch.hpp>

#include <dirent.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/stop.hpp"
#include "synth/synth.hpp"

using namespace turncast;
using synth::Event;

namespace {

Voice voice(const std::string& espeak_voice, const std::string& variant = {}, int pitch = 50) {
    Voice v;
    v.id = espeak_voice + (variant.empty() ? "" : "+" + variant);
    v.espeak_voice = espeak_voice;
    v.variant = variant;
    v.pitch = pitch;
    return v;
}

std::vector<Event> of_kind(const synth::Speech& s, Event::Kind kind) {
    std::vector<Event> out;
    for (const auto& e : s.events)
        if (e.kind == kind) out.push_back(e);
    return out;
}

bool same_events(const std::vector<Event>& a, const std::vector<Event>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].kind != b[i].kind || a[i].sample != b[i].sample || a[i].text_pos != b[i].text_pos ||
            a[i].length != b[i].length)
            return false;
    return true;
}

int open_fds() {
    int n = 0;
    if (DIR* d = opendir("/proc/self/fd")) {
        while (readdir(d)) ++n;
        closedir(d);
    }
    return n;
}

// True if this process has no child left to reap (nothing alive, no zombie).
bool no_children() {
    int status = 0;
    return ::waitpid(-1, &status, WNOHANG) < 0 && errno == ECHILD;
}

// Median fundamental frequency over voiced 30 ms frames, by autocorrelation.
double median_f0(const std::vector<std::int16_t>& pcm) {
    const int frame = 660, min_lag = 22050 / 400, max_lag = 22050 / 60;
    std::vector<double> f0s;
    for (std::size_t start = 0; start + frame + max_lag < pcm.size(); start += frame) {
        double energy = 0;
        for (int i = 0; i < frame; ++i) energy += double(pcm[start + i]) * pcm[start + i];
        if (energy / frame < 1000.0 * 1000.0) continue;  // quiet: not voiced speech
        double best = 0;
        int best_lag = 0;
        for (int lag = min_lag; lag <= max_lag; ++lag) {
            double c = 0, e2 = 0;
            for (int i = 0; i < frame; ++i) {
                c += double(pcm[start + i]) * pcm[start + i + lag];
                e2 += double(pcm[start + i + lag]) * pcm[start + i + lag];
            }
            const double r = c / std::sqrt(energy * e2 + 1e-9);
            if (r > best) best = r, best_lag = lag;
        }
        if (best > 0.6) f0s.push_back(22050.0 / best_lag);
    }
    if (f0s.empty()) return 0;
    std::sort(f0s.begin(), f0s.end());
    return f0s[f0s.size() / 2];
}

const char* kText = "Hello big world. This is a test of the speech engine, spoken twice.";

}  // namespace

TEST_CASE("synthesis is repeatable within one process, whatever was spoken before", "[espeak]") {
    synth::Engine engine;
    const synth::Request r{kText, voice("en-us")};
    const synth::Request other{"Something else entirely, said first, at another pitch.", voice("en-gb", "m3", 70)};

    const auto a = engine.synthesize_one(r);
    REQUIRE(a.pcm.size() > 22050);
    const auto b = engine.synthesize_one(r);
    CHECK(a.pcm == b.pcm);
    CHECK(same_events(a.events, b.events));

    // Spoken after another request, in one batch and sequentially.
    std::map<std::size_t, synth::Speech> got;
    engine.synthesize({other, r, other, r}, 1, [&](std::size_t i, synth::Speech s) { got[i] = std::move(s); });
    REQUIRE(got.size() == 4);
    CHECK(got[1].pcm == a.pcm);
    CHECK(got[3].pcm == a.pcm);
    CHECK(same_events(got[3].events, a.events));
    CHECK(got[0].pcm == got[2].pcm);
    CHECK(got[0].pcm != a.pcm);
}

TEST_CASE("a second Engine after the first one ended speaks the same samples", "[espeak]") {
    std::vector<std::int16_t> first;
    {
        synth::Engine e1;
        first = e1.synthesize_one({kText, voice("en-gb", "m3")}).pcm;
    }
    synth::Engine e2;
    CHECK(e2.synthesize_one({kText, voice("en-gb", "m3")}).pcm == first);
}

TEST_CASE("synthesis matches the espeak-ng command line without its final pause", "[espeak]") {
    synth::Engine engine;
    const auto s = engine.synthesize_one({kText, voice("en-gb")});
    // An independent reader: the espeak-ng CLI, -z (no final sentence pause).
    // turncast asks espeak for kRateScale of the listener's rate (voice() keeps the default 175).
    const std::string rate = std::to_string(synth::espeak_rate(Voice{}.rate));
    FILE* p = ::popen((std::string("espeak-ng -z -s ") + rate + " -v en-gb --stdout \"" + kText + "\"").c_str(), "r");
    REQUIRE(p);
    std::string wav;
    char buf[65536];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) wav.append(buf, n);
    REQUIRE(::pclose(p) == 0);
    REQUIRE(wav.size() > 44);
    std::vector<std::int16_t> cli((wav.size() - 44) / 2);
    std::memcpy(cli.data(), wav.data() + 44, cli.size() * 2);
    CHECK(s.pcm == cli);
}

TEST_CASE("word and sentence events carry exact sample and byte positions", "[espeak]") {
    synth::Engine engine;

    SECTION("words in order at their byte offsets") {
        const auto s = engine.synthesize_one({"Hello big world", voice("en-us")});
        const auto words = of_kind(s, Event::Kind::Word);
        REQUIRE(words.size() == 3);
        CHECK(words[0].text_pos == 0);
        CHECK(words[0].length == 5);
        CHECK(words[1].text_pos == 6);
        CHECK(words[1].length == 3);
        CHECK(words[2].text_pos == 10);
        CHECK(words[2].length == 5);
        CHECK(words[0].sample < words[1].sample);
        CHECK(words[1].sample < words[2].sample);
        CHECK(words[2].sample < std::int64_t(s.pcm.size()));
        // Each word's span holds sound.
        for (std::size_t w = 0; w < 3; ++w) {
            const std::int64_t end = w + 1 < 3 ? words[w + 1].sample : std::int64_t(s.pcm.size());
            int loud = 0;
            for (std::int64_t i = words[w].sample; i < end; ++i) loud += std::abs(s.pcm[std::size_t(i)]) > 2000;
            CHECK(loud > 100);
        }
        // Nothing before the first word's mark is audible speech.
        for (std::int64_t i = 0; i < words[0].sample; ++i) CHECK(std::abs(s.pcm[std::size_t(i)]) < 2000);
    }

    SECTION("sentences, and byte offsets past multi-byte characters") {
        const std::string text = "Hello big world. Café über naïve, ok.";
        const auto s = engine.synthesize_one({text, voice("en-us")});
        const auto sentences = of_kind(s, Event::Kind::Sentence);
        REQUIRE(sentences.size() == 2);
        CHECK(sentences[0].text_pos == 0);
        CHECK(sentences[0].sample == 0);
        CHECK(sentences[1].text_pos == 17);
        CHECK(sentences[1].sample > 0);
        CHECK(sentences[1].sample < std::int64_t(s.pcm.size()));
        std::vector<std::string> spoken;
        for (const auto& w : of_kind(s, Event::Kind::Word)) spoken.push_back(text.substr(w.text_pos, w.length));
        CHECK(spoken == std::vector<std::string>{"Hello", "big", "world", "Café", "über", "naïve", "ok"});
        for (std::size_t i = 1; i < s.events.size(); ++i) CHECK(s.events[i - 1].sample <= s.events[i].sample);
    }
}

TEST_CASE("markup is spoken as text, never interpreted as SSML", "[espeak]") {
    synth::Engine engine;
    const std::string markup = "<speak><prosody rate=\"x-slow\">hi</prosody></speak>";
    const auto m = engine.synthesize_one({markup, voice("en-us")});
    const auto hi = engine.synthesize_one({"hi", voice("en-us")});
    const auto words = of_kind(m, Event::Kind::Word);
    // Read as SSML it would be one slow "hi"; read as text it is many words.
    CHECK(words.size() >= 4);
    bool said_prosody = false;
    for (const auto& w : words) said_prosody |= markup.substr(w.text_pos, w.length).find("prosody") != std::string::npos;
    CHECK(said_prosody);
    CHECK(m.pcm.size() > 3 * hi.pcm.size());
}

TEST_CASE("[[...]] phoneme input is honoured", "[espeak]") {
    synth::Engine engine;
    CHECK(engine.phonemes({"[[h@l'oU]]", voice("en-us")}) == "h@l'oU");
    CHECK(engine.phonemes({"hello", voice("en-us")}) == "h@l'oU");
    CHECK(engine.phonemes({"Hello world. Second sentence", voice("en-us")}) == "h@l'oU w'3:ld\ns'Ek@nd s'Ent@ns");
    // Spoken: the phonemes sound like "hello", not like the letters.
    const auto ph = engine.synthesize_one({"[[h@l'oU]]", voice("en-us")});
    const auto word = engine.synthesize_one({"hello", voice("en-us")});
    const auto letters = engine.synthesize_one({"h at l apostrophe o U", voice("en-us")});
    CHECK(ph.pcm == word.pcm);
    CHECK(ph.pcm.size() * 2 < letters.pcm.size());
}

TEST_CASE("voices and variants sound different", "[espeak]") {
    synth::Engine engine;
    const std::string text = "We are pleased to welcome everyone here today, and thank you for coming.";
    std::map<std::string, std::vector<std::int16_t>> pcm;
    engine.synthesize({{text, voice("en-gb", "m3")}, {text, voice("en-us", "f2")}, {text, voice("en-gb")},
                       {text, voice("en-us", "m1", 25)}},
                      2, [&](std::size_t i, synth::Speech s) {
                          pcm[std::vector<std::string>{"m3", "f2", "gb", "low"}[i]] = std::move(s.pcm);
                      });
    const double m3 = median_f0(pcm["m3"]), f2 = median_f0(pcm["f2"]), low = median_f0(pcm["low"]);
    INFO("median f0: m3 " << m3 << " f2 " << f2 << " low " << low);
    CHECK(m3 > 60);
    CHECK(f2 > 1.3 * m3);       // a female variant is clearly higher
    CHECK(low < 0.9 * m3);      // pitch 25 is lower than the default 50
    CHECK(pcm["m3"] != pcm["gb"]);  // the variant is applied (espeak's own lookup drops it)
}

TEST_CASE("voice names resolve to espeak voice files; unknown ones are config errors", "[espeak]") {
    synth::Engine engine;
    CHECK(engine.voice_spec(voice("en-gb", "m3")) == "gmw/en+m3");
    CHECK(engine.voice_spec(voice("en-us")) == "gmw/en-US");
    CHECK(engine.voice_spec(voice("English (Great Britain)")) == "gmw/en");
    CHECK(engine.has_voice("en-gb"));
    CHECK(engine.has_voice("gmw/en-US"));
    CHECK_FALSE(engine.has_voice("xx-nowhere"));
    CHECK_FALSE(engine.has_voice(""));
    CHECK_THROWS_AS(engine.voice_spec(voice("xx-nowhere")), ConfigError);
    CHECK_THROWS_AS(engine.voice_spec(voice("en-gb", "no-such-variant")), ConfigError);
    CHECK_THROWS_AS(engine.voice_spec(voice("en-gb", "../../lang/gmw/en")), ConfigError);
    CHECK_THROWS_AS(engine.synthesize_one({"hi", voice("xx-nowhere")}), ConfigError);

    const auto voices = engine.list_voices();
    CHECK(voices.size() > 50);
    CHECK(std::any_of(voices.begin(), voices.end(), [](const auto& v) {
        return v.first == "English (Great Britain)" && v.second.find("en-gb") != std::string::npos;
    }));
    CHECK(!engine.version().empty());
    CHECK(std::isdigit(static_cast<unsigned char>(engine.version()[0])));
}

TEST_CASE("parallel synthesis delivers each request once, as a single job would", "[espeak]") {
    synth::Engine engine;
    std::vector<synth::Request> requests;
    for (int i = 0; i < 7; ++i)
        requests.push_back({"Paragraph number " + std::to_string(i) + " is here.", voice(i % 2 ? "en-us" : "en-gb")});
    std::map<std::size_t, std::vector<std::int16_t>> serial, parallel;
    std::vector<int> seen(requests.size(), 0);
    engine.synthesize(requests, 1, [&](std::size_t i, synth::Speech s) { serial[i] = std::move(s.pcm); });
    engine.synthesize(requests, 3, [&](std::size_t i, synth::Speech s) {
        ++seen[i];
        parallel[i] = std::move(s.pcm);
    });
    CHECK(serial == parallel);
    CHECK(std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; }));
    CHECK(serial[0] != serial[2]);
    engine.synthesize({}, 2, [&](std::size_t, synth::Speech) { FAIL("no requests, no calls"); });
}

TEST_CASE("a crashed, truncated or hung worker is a LibraryError naming the request; nothing leaks", "[espeak]") {
    synth::Engine engine;
    std::vector<synth::Request> requests{{"First one.", voice("en-us")},
                                         {"Second request, which fails.", voice("en-gb", "m3"), "talk.txt:7"},
                                         {"Third one.", voice("en-us")}};
    const int fds = open_fds();
    // A hung worker is killed at its time limit (here 1 s instead of a minute
    // plus 20 ms a character).
    synth::set_worker_time_limit_for_testing(1.0);
    const std::map<synth::Fault, std::string> says{{synth::Fault::Crash, "signal"},
                                                   {synth::Fault::ShortWrite, "truncated"},
                                                   {synth::Fault::Hang, "did not finish speaking it within 1 s"}};
    for (const auto& [fault, why] : says) {
        synth::inject_fault_for_testing(fault, 1);
        const auto start = std::chrono::steady_clock::now();
        try {
            engine.synthesize(requests, 2, [](std::size_t, synth::Speech) {});
            FAIL("no error");
        } catch (const LibraryError& e) {
            const std::string what = e.what();
            INFO(what);
            CHECK(what.find("the turn at talk.txt:7") != std::string::npos);
            CHECK(what.find("en-gb+m3") != std::string::npos);
            CHECK(what.find("Second request") != std::string::npos);
            CHECK(what.find(why) != std::string::npos);
        }
        const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        CHECK(took < 10.0);
        if (fault == synth::Fault::Hang) CHECK(took >= 1.0);
        CHECK(no_children());
        CHECK(open_fds() == fds);
    }
    synth::set_worker_time_limit_for_testing(-1.0);
    // Without a place in the transcript, the request is named by its index.
    requests[1].where.clear();
    synth::inject_fault_for_testing(synth::Fault::Crash, 1);
    CHECK_THROWS_WITH(engine.synthesize(requests, 2, [](std::size_t, synth::Speech) {}),
                      Catch::Contains("segment 1 (voice"));
    synth::inject_fault_for_testing(synth::Fault::None);
    std::size_t done = 0;
    engine.synthesize(requests, 2, [&](std::size_t, synth::Speech) { ++done; });
    CHECK(done == 3);
}

TEST_CASE("an exception from on_done stops the pool cleanly", "[espeak]") {
    synth::Engine engine;
    std::vector<synth::Request> requests(6, {"A few words to say.", voice("en-us")});
    engine.voice_spec(requests[0].voice);  // its voice file in memory: held for the process, not leaked
    const int fds = open_fds();
    CHECK_THROWS_WITH(engine.synthesize(requests, 2, [](std::size_t, synth::Speech) { throw std::runtime_error("disk full"); }),
                      "disk full");
    CHECK(no_children());
    CHECK(open_fds() == fds);
}

namespace {
// As main()'s handler does: the process-wide flag of core/stop.hpp.
void on_alarm(int) { turncast::request_stop(); }
}  // namespace

TEST_CASE("a stop request kills and reaps the workers and throws Interrupted", "[espeak]") {
    synth::Engine engine;
    std::vector<synth::Request> requests(
        12, {"This paragraph is long enough to keep a worker busy for a little while, and then some more.",
             voice("en-us")});
    engine.voice_spec(requests[0].voice);  // its voice file in memory: held for the process, not leaked
    const int fds = open_fds();

    SECTION("requested from the callback") {
        std::size_t done = 0;
        CHECK_THROWS_AS(engine.synthesize(requests, 2,
                                          [&](std::size_t, synth::Speech) {
                                              ++done;
                                              turncast::request_stop();
                                          }),
                        Interrupted);
        CHECK(done == 1);
        // Still stopped: a later call refuses to start.
        CHECK_THROWS_AS(engine.synthesize_one(requests[0]), Interrupted);
    }
    SECTION("requested by a signal handler while the parent waits in poll()") {
        struct sigaction sa {}, old {};
        sa.sa_handler = on_alarm;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGALRM, &sa, &old);
        itimerval t{};
        t.it_value.tv_usec = 30000;
        setitimer(ITIMER_REAL, &t, nullptr);
        std::size_t done = 0;
        CHECK_THROWS_AS(engine.synthesize(requests, 2, [&](std::size_t, synth::Speech) { ++done; }), Interrupted);
        CHECK(done < requests.size());
        sigaction(SIGALRM, &old, nullptr);
    }
    turncast::clear_stop();
    CHECK(no_children());
    CHECK(open_fds() == fds);
    CHECK(engine.synthesize_one(requests[0]).pcm.size() > 0);
}
