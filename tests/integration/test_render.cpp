// End to end: render a short transcript, then reopen what was written.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <thread>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "io/file.hpp"
#include "probe.hpp"
#include "render/cache.hpp"
#include "render/render.hpp"
#include "synth/synth.hpp"

using namespace turncast;
namespace fs = std::filesystem;

namespace {

const std::string kFixture = std::string(TURNCAST_FIXTURES) + "/render/springfield.txt";

synth::Engine& engine() {
    static synth::Engine e;  // one per process, as in the product
    return e;
}

render::Options options(const std::string& out, const std::string& cache) {
    render::Options o;
    o.output_dir = out;
    o.cache_dir = cache;
    o.quiet = true;
    o.formats = {"opus", "m4a", "m4b", "mp3"};
    return o;
}

double rms(const std::vector<float>& pcm, std::size_t from, std::size_t n) {
    double sum = 0;
    std::size_t end = std::min(pcm.size(), from + n);
    for (std::size_t i = from; i < end; ++i) sum += double(pcm[i]) * pcm[i];
    return end > from ? std::sqrt(sum / double(end - from)) : 0;
}

}  // namespace

TEST_CASE("a short transcript renders to chaptered Opus, M4A, M4B and MP3 files", "[av][espeak]") {
    test::TempDir tmp;
    auto plan = render::make_plan(kFixture, {});
    REQUIRE(plan.slug == "springfield");
    REQUIRE(plan.script.chapters.size() == 4);  // opening, two questions, closing

    auto result = render::render(plan, options(tmp.path + "/out", tmp.path + "/cache"), engine());
    REQUIRE_FALSE(result.unchanged);
    const std::string dir = tmp.path + "/out/springfield";
    REQUIRE(result.dir == tmp.path + "/out/springfield");

    const double total = double(result.total_samples) / 48000;
    auto opus = test::probe(dir + "/springfield.opus");
    auto m4a = test::probe(dir + "/springfield.m4a");
    auto m4b = test::probe(dir + "/springfield.m4b");
    auto mp3 = test::probe(dir + "/springfield.mp3");
    const double mp3_plays = mp3.duration - mp3.start;  // the frames less the LAME header's delay

    SECTION("codecs and formats") {
        CHECK(opus.format == "ogg");
        CHECK(opus.codec == "opus");
        CHECK(m4a.codec == "aac");
        CHECK(m4b.codec == "aac");
        CHECK(opus.sample_rate == 48000);
        CHECK(m4a.sample_rate == 24000);  // AAC is coded at 24 kHz (speech ends near 11 kHz)
        CHECK(opus.channels == 1);
        CHECK(mp3.format == "mp3");
        CHECK(mp3.codec == "mp3");
        CHECK(mp3.sample_rate == 24000);  // MPEG-2 Layer III, coded from the same 24 kHz input
        CHECK(mp3.channels == 1);
        CHECK(std::abs(mp3.start - 1105.0 / 24000) < 1e-4);  // LAME's 576 and the decoder's 529
    }
    SECTION("durations agree with the timeline and with each other") {
        CHECK(total > 10.0);
        CHECK(std::abs(opus.duration - m4a.duration) < 0.05);
        CHECK(std::abs(opus.duration - total) < 0.05);
        CHECK(std::abs(m4a.duration - total) < 0.05);
        // Each file ends on a whole frame of its codec's: within an AAC frame.
        CHECK(std::abs(mp3_plays - m4a.duration) < 1024.0 / 24000);
        CHECK(mp3_plays >= total - 1e-3);
    }
    SECTION("chapter titles and times match the plan in every container") {
        for (const auto* p : {&opus, &m4a, &m4b, &mp3}) {
            REQUIRE(p->chapters.size() == 4);
            CHECK(p->chapters[0].title == "Opening remarks");
            CHECK(p->chapters[1].title.rfind("Question 1: What is your favourite book", 0) == 0);
            CHECK(p->chapters[2].title.rfind("Question 2: How do you relax", 0) == 0);
            CHECK(p->chapters[3].title == "Closing remarks");
            CHECK(p->chapters[0].start == 0.0);
        }
        for (std::size_t i = 0; i < 4; ++i) {
            // Both files carry the same marks, to the millisecond.
            CHECK(std::abs(opus.chapters[i].start - m4a.chapters[i].start) < 0.0015);
            CHECK(std::abs(mp3.chapters[i].start - m4a.chapters[i].start) < 0.0015);
            if (i > 0) CHECK(opus.chapters[i].start > opus.chapters[i - 1].start);
        }
    }
    SECTION("each chapter mark lies in silence before the chapter's first words") {
        for (const auto* p : {&opus, &m4a, &mp3}) {
            const std::string path = dir + "/springfield." + (p == &opus ? "opus" : p == &m4a ? "m4a" : "mp3");
            int rate = 0;
            auto pcm = test::decode(path, &rate);
            REQUIRE(rate == (p == &opus ? 48000 : 24000));
            CHECK(std::abs(double(pcm.size()) / rate - total) < 0.05);
            // Every format as long as the timeline: the MP3's LAME header
            // drops what its last frame holds past it.
            if (p == &mp3) CHECK(std::int64_t(pcm.size()) == result.total_samples / 2);
            const auto& chapters = p->chapters;
            for (const auto& c : chapters) {
                auto at = std::size_t(c.start * rate);
                CHECK(rms(pcm, at, rate / 4) < 0.003);   // the pause after the mark
            }
            CHECK(rms(pcm, 0, pcm.size()) > 0.02);       // and there is speech
        }
    }
    SECTION("tags") {
        CHECK(opus.tags["title"].find("Jane Doe") != std::string::npos);
        CHECK(m4a.tags["title"] == opus.tags["title"]);
        CHECK(opus.tags["artist"].find("Jane Doe") != std::string::npos);
        CHECK(m4a.tags["artist"].find("Jane Doe") != std::string::npos);
        CHECK(opus.tags["genre"] == "Speech");
        CHECK(m4a.tags["genre"] == "Speech");
        CHECK(mp3.tags["title"] == opus.tags["title"]);
        CHECK(mp3.tags["artist"] == m4a.tags["artist"]);
        CHECK(mp3.tags["album"] == m4a.tags["album"]);
        CHECK(mp3.tags["genre"] == "Speech");
        CHECK(mp3.tags["date"].rfind("2021", 0) == 0);  // ID3v2.3 years and days apart
        CHECK(mp3.tags["description"] == m4a.tags["description"]);
        CHECK(opus.tags["date"].rfind("2021-09-01", 0) == 0);
    }
    SECTION("sidecars agree with the audio") {
        auto chapters = nlohmann::json::parse(io::read_file(dir + "/springfield.chapters.json", io::kMaxManifestBytes, "test output"));
        REQUIRE(chapters["chapters"].size() == 4);
        for (std::size_t i = 0; i < 4; ++i)
            CHECK(std::abs(chapters["chapters"][i]["startTime"].get<double>() - opus.chapters[i].start) < 0.0015);
        auto vtt = io::read_file(dir + "/springfield.vtt", io::kMaxManifestBytes, "test output");
        CHECK(vtt.rfind("WEBVTT", 0) == 0);
        CHECK(vtt.find("<v Jane Doe>") != std::string::npos);
        auto manifest = nlohmann::json::parse(io::read_file(dir + "/manifest.json", io::kMaxManifestBytes, "test output"));
        CHECK(manifest["slug"] == "springfield");
        CHECK(manifest["files"]["m4a"]["bytes"].get<std::uint64_t>() == fs::file_size(dir + "/springfield.m4a"));
        CHECK(manifest["files"]["mp3"]["bytes"].get<std::uint64_t>() == fs::file_size(dir + "/springfield.mp3"));
        CHECK(manifest["files"]["mp3"]["type"] == "audio/mpeg");
    }
}

TEST_CASE("rendering is repeatable, and an unchanged re-render writes nothing", "[av][espeak]") {
    test::TempDir tmp;
    auto plan = render::make_plan(kFixture, {});
    auto o = options(tmp.path + "/a", tmp.path + "/cache-a");
    auto first = render::render(plan, o, engine());
    const std::string opus_a = tmp.path + "/a/springfield/springfield.opus";
    const auto mtime = fs::last_write_time(opus_a);

    auto again = render::render(plan, o, engine());
    CHECK(again.unchanged);
    CHECK(again.synthesized == 0);
    CHECK(fs::last_write_time(opus_a) == mtime);

    // A cold render elsewhere (fresh cache) gives identical audio and marks.
    auto b = options(tmp.path + "/b", tmp.path + "/cache-b");
    render::render(plan, b, engine());
    const std::string opus_b = tmp.path + "/b/springfield/springfield.opus";
    CHECK(test::decode(opus_a) == test::decode(opus_b));
    CHECK(test::decode(tmp.path + "/a/springfield/springfield.m4a") ==
          test::decode(tmp.path + "/b/springfield/springfield.m4a"));
    CHECK(test::decode(tmp.path + "/a/springfield/springfield.mp3") ==
          test::decode(tmp.path + "/b/springfield/springfield.mp3"));
    auto pa = test::probe(opus_a), pb = test::probe(opus_b);
    REQUIRE(pa.chapters.size() == pb.chapters.size());
    for (std::size_t i = 0; i < pa.chapters.size(); ++i) CHECK(pa.chapters[i].start == pb.chapters[i].start);

    // Every file, byte for byte, the lossless ones too (a float WAV once
    // carried the time it was written).
    for (auto* opt : {&o, &b}) {
        opt->formats = {"opus", "m4a", "mp3", "flac", "wav"};
        render::render(plan, *opt, engine());
        std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // a second apart
    }
    for (const char* name : {"springfield.opus", "springfield.m4a", "springfield.mp3", "springfield.flac", "springfield.wav",
                             "springfield.vtt", "springfield.chapters.json", "index.html"}) {
        INFO(name);
        CHECK(io::read_file(tmp.path + "/a/springfield/" + name, std::size_t(1) << 30, "test output") ==
              io::read_file(tmp.path + "/b/springfield/" + name, std::size_t(1) << 30, "test output"));
    }
}

// The fixture at DIR/src/springfield.txt, and the same text with one word of
// its last answer corrected.
struct Correction {
    std::string path, original, edited;
    explicit Correction(const std::string& dir)
        : path(dir + "/src/springfield.txt"), original(io::read_file(kFixture, io::kMaxManifestBytes, "test output")), edited(original) {
        const std::string from = "I read, and I walk by the river.";
        REQUIRE(edited.find(from) != std::string::npos);
        edited.replace(edited.find(from), from.size(), "I read, and I walk by the sea.");
        fs::create_directories(dir + "/src");
        io::write_file_atomic(path, original);
    }
};

TEST_CASE("a one-word correction re-speaks one segment and matches a cold render", "[av][espeak]") {
    test::TempDir tmp;
    const Correction fix(tmp.path);
    const std::string &path = fix.path, &edited = fix.edited;

    auto o = options(tmp.path + "/out", tmp.path + "/cache");
    render::render(render::make_plan(path, {}), o, engine());
    const auto before = test::probe(tmp.path + "/out/springfield/springfield.opus");

    io::write_file_atomic(path, edited);
    auto plan = render::make_plan(path, {});
    auto r = render::render(plan, o, engine());
    CHECK(r.synthesized == 1);
    CHECK(r.encoded == 3);  // one piece per codec: Opus, AAC, MP3

    auto cold = options(tmp.path + "/cold", tmp.path + "/cache-cold");
    render::render(plan, cold, engine());
    for (const char* ext : {"opus", "m4a", "mp3"}) {
        INFO(ext);
        CHECK(io::read_file(tmp.path + "/out/springfield/springfield." + ext, std::size_t(1) << 30, "test output") ==
              io::read_file(tmp.path + "/cold/springfield/springfield." + ext, std::size_t(1) << 30, "test output"));
    }
    const auto after = test::probe(tmp.path + "/out/springfield/springfield.opus");
    const auto coldp = test::probe(tmp.path + "/cold/springfield/springfield.opus");
    REQUIRE(after.chapters.size() == before.chapters.size());
    for (std::size_t i = 0; i < after.chapters.size(); ++i) {
        CHECK(after.chapters[i].start == coldp.chapters[i].start);
        // The edit is in the last answer: no earlier mark moves.
        if (i < 3) CHECK(after.chapters[i].start == before.chapters[i].start);
    }
}

TEST_CASE("a transcript with more chapters than an MP3 holds is refused before anything is spoken", "[av]") {
    test::TempDir tmp;
    auto plan = render::make_plan(kFixture, {});
    while (plan.script.chapters.size() < 256) plan.script.chapters.push_back(plan.script.chapters.back());
    auto o = options(tmp.path + "/out", tmp.path + "/cache");
    try {
        render::render(plan, o, engine());
        FAIL("256 chapters accepted in an MP3");
    } catch (const InputError& e) {
        CHECK_THAT(std::string(e.what()), Catch::Contains(kFixture) && Catch::Contains("at most 255") &&
                                              Catch::Contains("leave mp3 out of --formats"));
    }
    CHECK_FALSE(fs::exists(tmp.path + "/out"));
    CHECK_FALSE(fs::exists(tmp.path + "/cache"));  // nothing spoken
    o.formats = {"opus", "m4a"};  // the other formats take them
    CHECK_NOTHROW(render::render(plan, o, engine()));
}

TEST_CASE("bad input is reported with the file and nothing is written", "[av]") {
    test::TempDir tmp;
    const std::string out = tmp.path + "/out";
    auto expect_input_error = [&](const std::string& path, const std::string& needle) {
        try {
            auto plan = render::make_plan(path, {});
            render::render(plan, options(out, out + "/.cache"), engine());
            FAIL("no error for " << path);
        } catch (const Error& e) {
            CHECK(std::string(e.what()).find(path) != std::string::npos);
            CHECK(std::string(e.what()).find(needle) != std::string::npos);
        }
        CHECK_FALSE(fs::exists(out));
    };
    expect_input_error(tmp.path + "/missing.txt", "missing.txt");
    io::write_file_atomic(tmp.path + "/empty.txt", "");
    expect_input_error(tmp.path + "/empty.txt", "empty");
    io::write_file_atomic(tmp.path + "/latin1.txt", "Question: caf\xe9?\n");
    expect_input_error(tmp.path + "/latin1.txt", "UTF-8");
    io::write_file_atomic(tmp.path + "/clutter.txt", "Additional materials\n\nAdvanced settings\n");
    expect_input_error(tmp.path + "/clutter.txt", "text");
}

// Writes cache files of a given size, last used a given time before `now`.
struct CacheFiles {
    std::string dir;
    fs::file_time_type now;
    std::string operator()(const std::string& name, std::size_t bytes, int seconds_ago) const {
        const auto path = dir + "/" + name;
        std::ofstream(path, std::ios::binary) << std::string(bytes, 'x');
        fs::last_write_time(path, now - std::chrono::seconds(seconds_ago));
        return path;
    }
};

TEST_CASE("cache prune removes the least recently used entries and leaves a render's temporaries alone", "[cache]") {
    test::TempDir tmp;
    const std::string dir = tmp.path + "/cache";
    render::Cache cache(dir);
    const auto now = fs::file_time_type::clock::now();
    const CacheFiles put{dir, now};
    const auto a = put("pieces/0cc175b9c0f1b6a831c399e269772661.opus", 1000, 300);
    const auto b = put("pieces/92eb5ffee6ae2fec3ad71c777531578f.aac", 1000, 200);
    const auto wav = put("speech/4a8a08f09d37b73795649038408b5f33.wav", 1000, 100);
    const auto json = put("speech/4a8a08f09d37b73795649038408b5f33.json", 100, 100);
    // A render of this process still writing: older than every entry.
    const auto temp = put("pieces/d.turncast-tmp-" + io::owner_tag() + "-" + std::to_string(::getpid()) + "-0.opus", 5000, 1000);
    // Something else put there: not an entry, never counted or deleted.
    const auto other = put("pieces/notes.txt", 700, 2000);
    CHECK(cache.size_bytes() == 3100);

    CHECK(cache.prune(3100) == 0);
    CHECK(cache.prune(2100) == 1000);  // the oldest entry, not the older temporary or the notes
    CHECK_FALSE(fs::exists(a));
    CHECK(fs::exists(b));
    CHECK(fs::exists(temp));
    CHECK(fs::exists(other));
    CHECK(cache.size_bytes() == 2100);

    CHECK(cache.prune(0) == 2100);
    CHECK_FALSE(fs::exists(b));
    CHECK_FALSE(fs::exists(wav));
    CHECK_FALSE(fs::exists(json));
    CHECK(fs::exists(temp));
    CHECK(fs::exists(other));
    CHECK(cache.size_bytes() == 0);  // neither the temporary nor the notes are entries
}

TEST_CASE("cache trim keeps a render's own entries, even over the bound, and marks them used", "[cache]") {
    test::TempDir tmp;
    const std::string dir = tmp.path + "/cache";
    render::Cache cache(dir);
    const auto now = fs::file_time_type::clock::now();
    const CacheFiles put{dir, now};
    const auto old_wav = put("speech/149603e6c03516362a8da23f624db945.wav", 1000, 400);
    const auto old_json = put("speech/149603e6c03516362a8da23f624db945.json", 100, 400);
    const auto older_piece = put("pieces/6a3a6f6e33217afa6373df9d6b2e8a00.aac", 1000, 500);
    const auto mine_wav = put("speech/918b81db5e91d031548b963c93845e5b.wav", 1000, 900);  // reused from long ago
    const auto mine_json = put("speech/918b81db5e91d031548b963c93845e5b.json", 100, 900);
    const auto mine_piece = put("pieces/9eeec0d26eca9774a45eaf4f413bcb80.opus", 1000, 900);
    CHECK(cache.size_bytes() == 4200);

    // Under the bound: nothing goes, but the render's entries count as just used.
    CHECK(cache.trim(4200, {"918b81db5e91d031548b963c93845e5b", "9eeec0d26eca9774a45eaf4f413bcb80"}) == std::optional<std::uint64_t>(0));
    CHECK(fs::last_write_time(mine_wav) > now - std::chrono::seconds(60));
    CHECK(fs::last_write_time(mine_piece) > now - std::chrono::seconds(60));
    CHECK(fs::last_write_time(old_wav) < now - std::chrono::seconds(300));

    // Over it: the others go oldest first, and the render's own stay even
    // though they alone are over the bound.
    CHECK(cache.trim(3200, {"918b81db5e91d031548b963c93845e5b", "9eeec0d26eca9774a45eaf4f413bcb80"}) == std::optional<std::uint64_t>(1000));
    CHECK_FALSE(fs::exists(older_piece));
    CHECK(fs::exists(old_wav));
    CHECK(cache.trim(0, {"918b81db5e91d031548b963c93845e5b", "9eeec0d26eca9774a45eaf4f413bcb80"}) == std::optional<std::uint64_t>(1100));
    CHECK_FALSE(fs::exists(old_wav));
    CHECK_FALSE(fs::exists(old_json));
    CHECK(fs::exists(mine_wav));
    CHECK(fs::exists(mine_json));
    CHECK(fs::exists(mine_piece));

    // Another render using the cache: trimming waits for its turn (nothing
    // deleted), but the entries this render used still count as just used.
    {
        render::Cache other(dir);
        fs::last_write_time(mine_piece, now - std::chrono::seconds(900));
        CHECK_FALSE(cache.trim(0, {"9eeec0d26eca9774a45eaf4f413bcb80"}).has_value());
        CHECK(fs::exists(mine_wav));
        CHECK(fs::last_write_time(mine_piece) > now - std::chrono::seconds(60));
        CHECK_FALSE(cache.trim(0, {}).has_value());
        CHECK(fs::exists(mine_wav));
    }
    CHECK(cache.trim(0, {}) == std::optional<std::uint64_t>(2100));
    CHECK(cache.size_bytes() == 0);
}

TEST_CASE("a render trims the cache to its bound and keeps what it used", "[av][espeak][cache]") {
    test::TempDir tmp;
    const Correction fix(tmp.path);
    const std::string &path = fix.path, &original = fix.original, &edited = fix.edited;

    auto o = options(tmp.path + "/out", tmp.path + "/cache");
    o.formats = {"opus"};
    auto first = render::render(render::make_plan(path, {}), o, engine());
    CHECK(first.cache_removed == 0);  // under the default bound

    // The corrected text rendered with a bound of nothing: only the entries of
    // the paragraph it no longer has (its speech and its piece) go.
    io::write_file_atomic(path, edited);
    o.cache_max_bytes = 0;
    auto second = render::render(render::make_plan(path, {}), o, engine());
    CHECK(second.synthesized == 1);
    CHECK(second.cache_removed > 0);
    auto third = render::render(render::make_plan(path, {}), o, engine());
    CHECK(third.unchanged);
    CHECK(third.synthesized == 0);
    CHECK(third.cache_removed == 0);

    // The original again: just that paragraph is spoken and encoded again.
    io::write_file_atomic(path, original);
    auto back = render::render(render::make_plan(path, {}), o, engine());
    CHECK(back.synthesized == 1);
    CHECK(back.encoded == 1);
}

TEST_CASE("cache prune refuses, deleting nothing, while a render has the cache open", "[cache]") {
    test::TempDir tmp;
    const std::string dir = tmp.path + "/cache";
    const std::string entry = dir + "/pieces/" + std::string(32, 'a') + ".opus";
    {
        render::Cache rendering(dir);  // what a render holds for its whole run
        std::ofstream(entry, std::ios::binary) << std::string(1000, 'x');
        render::Cache pruning(dir);
        try {
            pruning.prune(0);
            FAIL("prune went ahead while a render had the cache open");
        } catch (const IoError& e) {
            CHECK(std::string(e.what()).find("a render is using this cache") != std::string::npos);
        }
        CHECK(fs::exists(entry));
        // The refused prune keeps its shared hold: renders still share the cache.
        render::Cache another(dir);
        CHECK(another.size_bytes() == 1000);
    }
    render::Cache pruning(dir);
    CHECK(pruning.prune(0) == 1000);
    CHECK_FALSE(fs::exists(entry));
    // Prune gave its exclusive hold back: a render starting now would not wait.
    const int fd = ::open((dir + "/lock").c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    CHECK(::flock(fd, LOCK_SH | LOCK_NB) == 0);
    ::close(fd);
}

// Listening by numbers: every pause between two segments, measured as the
// silence in the decoded audio (5 ms blocks under -50 dBFS) around the place
// the timeline gives it, is the cast file's pause to within 8%, in both files
// (espeak's own silence at the edges of its words included: a listener hears it).
TEST_CASE("pauses are heard as the cast file sets them", "[av][espeak]") {
    test::TempDir tmp;
    auto plan = render::make_plan(kFixture, {});
    const auto& s = plan.script;
    auto o = options(tmp.path + "/out", tmp.path + "/cache");
    o.formats = {"opus", "m4a", "mp3"};
    render::render(plan, o, engine());

    std::vector<synth::Request> requests;
    for (const auto& seg : s.segments) requests.push_back({seg.text, s.voice(seg.voice)});
    std::vector<synth::Speech> speech(requests.size());
    engine().synthesize(requests, 2, [&](std::size_t i, synth::Speech sp) { speech[i] = std::move(sp); });
    std::vector<render::SegmentSpeech> lengths;
    for (const auto& sp : speech) lengths.push_back({std::int64_t(sp.pcm.size()), {}, {}});
    const auto tl = render::build_timeline(s, lengths);
    REQUIRE(s.segments.size() >= 8);

    // Where each file's speech after a pause is heard to begin (seconds).
    std::map<std::string, std::vector<double>> onsets;
    for (const char* ext : {"opus", "m4a", "mp3"}) {
        int rate = 0;
        const auto pcm = test::decode(tmp.path + "/out/springfield/springfield." + ext, &rate);
        const std::size_t block = std::size_t(rate) / 200;
        auto quiet = [&](std::size_t b) { return rms(pcm, b * block, block) < 0.00316; };  // -50 dBFS
        int kinds[3] = {0, 0, 0};
        for (std::size_t i = 1; i < s.segments.size(); ++i) {
            const double mid = double(tl.segments[i - 1].speech_end + tl.segments[i].speech_start) / 2 / 48000;
            std::size_t from = std::size_t(mid * rate) / block, to = from;
            REQUIRE(quiet(from));
            while (from > 0 && quiet(from - 1)) --from;
            while ((to + 1) * block < pcm.size() && quiet(to + 1)) ++to;
            const double heard = double(to + 1 - from) * block / rate * 1000;
            const double set = s.segments[i].pause_before_ms;
            INFO(ext << ": before segment " << i << " heard " << heard << " ms, set " << set << " ms");
            // Within 8%, and the codec's frame: each file starts and ends a
            // segment's speech within half a frame of the timeline.
            const double frame_ms = std::string(ext) == "opus" ? 20.0 : std::string(ext) == "m4a" ? 1024 / 24.0 : 24.0;
            CHECK(std::abs(heard - set) <= 0.08 * set + frame_ms);
            onsets[ext].push_back(double(to + 1) * block / rate);
            ++kinds[set >= 1500 ? 2 : set >= 800 ? 1 : 0];
        }
        CHECK(kinds[0] >= 1);  // paragraphs
        CHECK(kinds[1] >= 1);  // a change of speaker
        CHECK(kinds[2] >= 1);  // chapters
    }
    // Every file starts each segment's speech within half its codec's frame
    // of the timeline (Opus 10 ms, AAC 21 ms, MP3 12 ms): within 35 ms of
    // each other, with the 5 ms the blocks above measure in.
    for (const char* ext : {"m4a", "mp3"})
        for (std::size_t k = 0; k < onsets["opus"].size(); ++k) {
            INFO(ext << ": speech after pause " << k);
            CHECK(std::abs(onsets[ext][k] - onsets["opus"][k]) <= 0.035);
        }
}
