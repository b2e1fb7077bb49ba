// `turncast feed`: feed.xml from the manifests in an output folder, read back
// with a real feed parser (python3-feedparser via tests/tools/check_feed.py).
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "io/file.hpp"
#include "sidecar/feed.hpp"
#include "sidecar/manifest.hpp"
#include "test_sidecar_fixture.hpp"

using namespace turncast;
using sidecar_test::TempDir;

namespace {

void write(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
    REQUIRE(out.good());
}

// A render folder as the renderer leaves it: manifest, audio and sidecars.
// The manifest's byte counts are deliberately stale for the m4a: the feed must
// report the file's real size.
sidecar::Manifest add_render(const std::string& out, const std::string& folder, const std::string& title,
                             const std::string& date, const std::string& time, std::int64_t m4a_bytes,
                             std::int64_t opus_bytes, const std::string& cover = {}, const std::string& zone = {},
                             std::int64_t mp3_bytes = 0) {
    auto f = sidecar_test::make_fixture();
    f.script.meta.title = title;
    f.script.meta.date = date;
    f.script.meta.time = time;
    f.script.meta.zone = zone;
    auto m = sidecar::make_manifest(f.script, f.timeline, {folder, folder + ".m4a", folder + ".opus"});
    m.render_key = "9f86d081884c7d65";
    // A render's manifest names the episode's GUID; one written before there
    // were GUIDs does not, and the folder name stands in.
    if (folder == "lavrov-2021-08-30") m.guid = "urn:uuid:0b1f2e7c-3c39-5d54-8a4c-1e6f0a9f7c11";
    m.file("m4a")->bytes = std::uint64_t(m4a_bytes + 1000);  // stale
    m.file("opus")->bytes = std::uint64_t(opus_bytes);
    m.duration = 1712.5;
    m.cover = cover;
    const std::string dir = out + "/" + folder;
    io::make_dirs(dir);
    if (mp3_bytes > 0) {
        m.files.push_back({"mp3", folder + ".mp3", sidecar::media_type("mp3"), std::uint64_t(mp3_bytes)});
        write(dir + "/" + folder + ".mp3", std::string(std::size_t(mp3_bytes), 'm'));
    }
    write(dir + "/" + folder + ".m4a", std::string(std::size_t(m4a_bytes), 'a'));
    write(dir + "/" + folder + ".opus", std::string(std::size_t(opus_bytes), 'o'));
    if (!cover.empty()) write(dir + "/" + cover, "jpeg");
    write(dir + "/manifest.json", sidecar::to_json(m));
    return m;
}

template <class E>
std::string error_of(const std::string& dir, const std::string& base_url) {
    sidecar::FeedOptions o;
    o.base_url = base_url;
    try {
        sidecar::write_feed(dir, o);
    } catch (const E& e) {
        return e.what();
    }
    return "no error";
}

// Two renders (one with a cover and a zone, one without either), the feed of
// them with every show option set, and what a reader should find in it
// (expected.json beside it, for tests/tools/check_feed*.{py,js}).
struct FeedCase {
    sidecar::FeedOptions options;
    sidecar::FeedResult result;
    std::string expected;
};

FeedCase write_feed_case(const TempDir& out) {
    add_render(out.path, "lavrov-2021-08-30", "Answers & questions <Volgograd>", "2021-08-30", "19:47", 12345, 6789,
               "cover.jpg", "Europe/Moscow", 9876);
    add_render(out.path, "press gaggle", "Press gaggle", "2022-03-01", "", 2222, 1111);
    io::make_dirs(out.path + "/.cache/x");          // ignored: hidden
    io::make_dirs(out.path + "/not-a-render");      // ignored: no manifest
    write(out.path + "/.cache/x/manifest.json", "not json");

    sidecar::FeedOptions o;
    o.base_url = "https://example.org/talks/";
    o.title = "Talks";
    o.author = "Example Archive";
    o.owner_name = "Example Press";
    o.owner_email = "podcasts@example.org";
    o.copyright = "\u00A9 2026 Example Press";
    o.locked = true;
    o.built = 1796645400;  // 2026-12-07 12:10 UTC
    auto result = sidecar::write_feed(out.path, o);

    const std::string base = "https://example.org/talks/";
    const auto people = nlohmann::json::array({nlohmann::json::array({"Sergey Lavrov", "guest"}),
                                               nlohmann::json::array({"A & B <Co>", "guest"})});
    nlohmann::json want = {
        {"title", "Talks"},
        {"author", "Example Archive"},
        {"owner", {"Example Press", "podcasts@example.org"}},
        {"copyright", "\u00A9 2026 Example Press"},
        {"locked", {"yes", "podcasts@example.org"}},
        {"built", "Mon, 07 Dec 2026 12:10:00 +0000"},
        {"podcast_guid", sidecar::podcast_guid("https://example.org/talks/feed.xml")},
        {"items",
         {{{"title", "Press gaggle"},
           {"guid", "press gaggle"},
           {"enclosure", {{"url", base + "press%20gaggle/press%20gaggle.m4a"}, {"length", 2222}, {"type", "audio/x-m4a"}}},
           {"opus", {{"url", base + "press%20gaggle/press%20gaggle.opus"}, {"length", 1111}}},
           {"duration", 1713},
           {"chapters", base + "press%20gaggle/press%20gaggle.chapters.json"},
           {"vtt", base + "press%20gaggle/press%20gaggle.vtt"},
           {"transcript", base + "press%20gaggle/press%20gaggle.transcript.json"},
           {"published", {2022, 3, 1, 0, 0}},
           {"pubDate", "Tue, 01 Mar 2022 00:00:00 +0000"},
           {"people", people}},
          {{"title", "Answers & questions <Volgograd>"},
           {"guid", "urn:uuid:0b1f2e7c-3c39-5d54-8a4c-1e6f0a9f7c11"},
           {"enclosure",
            {{"url", base + "lavrov-2021-08-30/lavrov-2021-08-30.m4a"}, {"length", 12345}, {"type", "audio/x-m4a"}}},
           {"opus", {{"url", base + "lavrov-2021-08-30/lavrov-2021-08-30.opus"}, {"length", 6789}}},
           {"mp3", {{"url", base + "lavrov-2021-08-30/lavrov-2021-08-30.mp3"}, {"length", 9876}}},
           {"duration", 1713},
           {"chapters", base + "lavrov-2021-08-30/lavrov-2021-08-30.chapters.json"},
           {"vtt", base + "lavrov-2021-08-30/lavrov-2021-08-30.vtt"},
           {"transcript", base + "lavrov-2021-08-30/lavrov-2021-08-30.transcript.json"},
           {"published", {2021, 8, 30, 16, 47}},  // 19:47 in Moscow is 16:47 UTC
           {"pubDate", "Mon, 30 Aug 2021 19:47:00 +0300"},
           {"people", people},
           {"image", base + "lavrov-2021-08-30/cover.jpg"}}}}};
    write(out.path + "/expected.json", want.dump());
    return {o, result, out.path + "/expected.json"};
}

}  // namespace

TEST_CASE("feed: RSS 2.0 with itunes and podcast namespaces, read by feedparser", "[sidecar][feed]") {
    TempDir out;
    const auto c = write_feed_case(out);
    const auto& result = c.result;
    CHECK(result.items == 2);
    CHECK(result.path == out.path + "/feed.xml");
    const std::string tool = std::string(TURNCAST_FIXTURES) + "/../tools/check_feed.py";
    if (test::run(sidecar_test::python() + " -c 'import feedparser' 2>/dev/null") != 0) {
        FAIL("python3-feedparser is not installed: run scripts/setup");
    }
    std::string said;
    const int rc = test::run(sidecar_test::python() + " '" + tool + "' '" + result.path + "' '" + c.expected + "'", &said);
    INFO(said);
    CHECK(rc == 0);

    // Byte-stable: the same renders and build time give the same feed.
    auto first = io::read_file(result.path, io::kMaxManifestBytes, "test output");
    sidecar::write_feed(out.path, c.options);
    CHECK(io::read_file(result.path, io::kMaxManifestBytes, "test output") == first);
    CHECK(first.find("Answers &amp; questions &lt;Volgograd&gt;") != std::string::npos);
}

TEST_CASE("feed: read by the Podcasting 2.0 parser podcast-partytime", "[sidecar][feed]") {
    TempDir out;
    const auto c = write_feed_case(out);
    const std::string modules = sidecar_test::npm_modules();  // skips without npm
    const std::string tool = std::string(TURNCAST_FIXTURES) + "/../tools/check_feed_partytime.js";
    auto [rc, said] = sidecar_test::capture("node '" + tool + "' '" + modules + "' '" + c.result.path + "' '" +
                                            c.expected + "'");
    INFO(said);
    CHECK(rc == 0);
}

TEST_CASE("feed: RFC 822 dates", "[sidecar][feed]") {
    CHECK(sidecar::rfc822("2021-08-30", "19:47") == "Mon, 30 Aug 2021 19:47:00 +0000");
    CHECK(sidecar::rfc822("2024-02-29", "") == "Thu, 29 Feb 2024 00:00:00 +0000");
    CHECK(sidecar::rfc822("2023-02-29", "").empty());
    CHECK(sidecar::rfc822("2021-08-30", "25:00").empty());
    CHECK(sidecar::rfc822("30.08.2021", "").empty());
    // Local time in its zone, with the offset of that day (summer and winter).
    CHECK(sidecar::rfc822("2021-08-30", "19:47", "Europe/Moscow") == "Mon, 30 Aug 2021 19:47:00 +0300");
    CHECK(sidecar::rfc822("2021-06-07", "12:55", "America/New_York") == "Mon, 07 Jun 2021 12:55:00 -0400");
    CHECK(sidecar::rfc822("2023-01-10", "19:56", "America/Mexico_City") == "Tue, 10 Jan 2023 19:56:00 -0600");
    CHECK(sidecar::rfc822("2022-03-25", "", "Asia/Kolkata") == "Fri, 25 Mar 2022 00:00:00 +0530");
    CHECK(sidecar::rfc822("2021-08-30", "19:47", "Nowhere/Atlantis") == "Mon, 30 Aug 2021 19:47:00 +0000");
}

TEST_CASE("feed: errors name the folder, the file or the option", "[sidecar][feed]") {
    TempDir out;
    SECTION("no renders") {
        io::make_dirs(out.path + "/empty-render");
        auto what = error_of<InputError>(out.path, "https://example.org");
        CHECK_THAT(what, Catch::Contains(out.path) && Catch::Contains("no renders"));
    }
    SECTION("a manifest that does not parse") {
        io::make_dirs(out.path + "/broken");
        write(out.path + "/broken/manifest.json", "{\"slug\": ");
        auto what = error_of<InputError>(out.path, "https://example.org");
        CHECK_THAT(what, Catch::Contains(out.path + "/broken/manifest.json"));
    }
    SECTION("a bad date in a manifest") {
        add_render(out.path, "talk", "Talk", "2021-13-45", "", 10, 10);
        auto what = error_of<InputError>(out.path, "https://example.org");
        CHECK_THAT(what, Catch::Contains(out.path + "/talk/manifest.json") && Catch::Contains("2021-13-45"));
    }
    SECTION("a render with only an MP3: it is the enclosure") {
        auto m = add_render(out.path, "talk", "Talk", "2021-08-30", "", 10, 10, {}, {}, 30);
        m.files.erase(m.files.begin(), m.files.begin() + 2);  // m4a, opus
        write(out.path + "/talk/manifest.json", sidecar::to_json(m));
        sidecar::FeedOptions o;
        o.base_url = "https://example.org";
        const auto feed = io::read_file(sidecar::write_feed(out.path, o).path, io::kMaxManifestBytes, "test output");
        CHECK_THAT(feed, Catch::Contains("<enclosure url=\"https://example.org/talk/talk.mp3\" length=\"30\" "
                                         "type=\"audio/mpeg\"/>"));
        CHECK_THAT(feed, !Catch::Contains("alternateEnclosure"));
    }
    SECTION("a render without audio a podcast app can play") {
        auto m = add_render(out.path, "talk", "Talk", "2021-08-30", "", 10, 10);
        m.files.erase(m.files.begin(), m.files.begin() + 2);  // m4a, opus
        m.files.push_back({"flac", "talk.flac", "audio/flac", 10});
        write(out.path + "/talk/manifest.json", sidecar::to_json(m));
        auto what = error_of<InputError>(out.path, "https://example.org");
        CHECK_THAT(what, Catch::Contains(out.path + "/talk/manifest.json") && Catch::Contains("no m4a"));
    }
    SECTION("a base URL that is not http(s)") {
        add_render(out.path, "talk", "Talk", "2021-08-30", "", 10, 10);
        for (const char* url : {"ftp://example.org", "example.org", "https://", "http:///x", "https://a b"}) {
            INFO(url);
            sidecar::FeedOptions o;
            o.base_url = url;
            try {
                sidecar::write_feed(out.path, o);
                FAIL("accepted");
            } catch (const Error& e) {
                CHECK(e.code() == ExitCode::Usage);
                CHECK_THAT(std::string(e.what()), Catch::Contains("--base-url"));
            }
        }
        struct stat st {};
        CHECK(::stat((out.path + "/feed.xml").c_str(), &st) != 0);  // nothing written
    }
    SECTION("a missing folder") {
        auto what = error_of<IoError>(out.path + "/nope", "https://example.org");
        CHECK_THAT(what, Catch::Contains(out.path + "/nope"));
    }
}

TEST_CASE("feed: UUIDv5 as RFC 4122 and the podcast namespace make them", "[feed]") {
    // Values from Python's uuid module and the podcast namespace's own example.
    CHECK(sidecar::uuid_v5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "python.org") ==
          "886313e1-3b8a-5372-9b90-0c9aee199e5d");
    CHECK(sidecar::uuid_v5(sidecar::kPodcastNamespace, "mp3s.nashownotes.com/pc20rss.xml") ==
          "917393e3-1b1e-5cef-ace4-edaa54e1f810");
    CHECK(sidecar::podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml/") == "917393e3-1b1e-5cef-ace4-edaa54e1f810");
    CHECK_THROWS_AS(sidecar::uuid_v5("not-a-uuid", "x"), std::invalid_argument);
}
