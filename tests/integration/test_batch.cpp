// Batches and shards: which transcripts a folder holds and where their
// renders go, and how --shard K/N splits them (render/batch.hpp).
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "core/error.hpp"
#include "render/batch.hpp"
#include "test_sidecar_fixture.hpp"

using namespace turncast;
namespace fs = std::filesystem;

namespace {

void touch(const fs::path& p) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << "text";
}

}  // namespace

TEST_CASE("a folder's transcripts, at any depth, with output folders that mirror the tree", "[av]") {
    sidecar_test::TempDir tmp;
    const fs::path in = fs::path(tmp.path) / "in";
    touch(in / "talk.txt");
    touch(in / "2021" / "talk.txt");
    touch(in / "2021" / "may" / "Other.TXT");
    touch(in / "2021" / "notes.md");           // not a transcript
    touch(in / ".drafts" / "draft.txt");       // hidden folder
    touch(in / "2021" / ".hidden.txt");        // hidden file
    touch(in / "out" / "old" / "x.txt");       // the output folder, inside the input
    const std::string out = (in / "out").string();
    auto jobs = render::list_transcripts({in.string()}, out, {out});
    REQUIRE(jobs.size() == 3);
    CHECK(jobs[0].relative == "2021/may/Other.TXT");
    CHECK(jobs[0].out_dir == out + "/2021/may");
    CHECK(jobs[1].relative == "2021/talk.txt");
    CHECK(jobs[1].out_dir == out + "/2021");
    CHECK(jobs[2].relative == "talk.txt");
    CHECK(jobs[2].out_dir == out);
    CHECK(jobs[2].bytes == 4);

    // A file given itself: its name, the output folder itself.
    auto single = render::list_transcripts({(in / "2021" / "notes.md").string()}, out, {});
    REQUIRE(single.size() == 1);
    CHECK(single[0].relative == "notes.md");
    CHECK(single[0].out_dir == out);

    fs::create_directories(fs::path(tmp.path) / "empty");
    CHECK_THROWS_AS(render::list_transcripts({tmp.path + "/empty"}, out, {}), IoError);
    CHECK_THROWS_AS(render::list_transcripts({tmp.path + "/missing"}, out, {}), IoError);
}

TEST_CASE("a shard, K/N, is validated", "[av]") {
    auto s = render::parse_shard("3/8");
    CHECK(s.index == 3);
    CHECK(s.count == 8);
    CHECK(render::parse_shard("1/1").count == 1);
    for (const char* bad : {"0/3", "4/3", "3", "/3", "3/", "a/3", "3/0", "-1/3", "1/3/4", "1 /3", "1/9999999"})
        CHECK_THROWS_AS(render::parse_shard(bad), Error);
}

TEST_CASE("shards partition any set of paths evenly, by the SHA-256 of each path alone", "[av]") {
    // Known values: the first 8 bytes of sha256sum's digest, big-endian, mod N, plus 1.
    CHECK(render::in_shard("2021/talk.txt", {1, 3}));
    CHECK(render::in_shard("2021/talk.txt", {6, 8}));
    CHECK(render::in_shard("a/b/c.txt", {8, 8}));
    CHECK(render::in_shard("talk.txt", {4, 8}));
    for (int n : {1, 2, 3, 8, 16}) {
        std::map<int, int> count;
        for (int i = 0; i < 8000; ++i) {
            const std::string path = "archive/" + std::to_string(i % 37) + "/talk-" + std::to_string(i) + ".txt";
            int in = 0;
            for (int k = 1; k <= n; ++k)
                if (render::in_shard(path, {k, n})) {
                    ++in;
                    ++count[k];
                }
            REQUIRE(in == 1);  // exactly one shard: disjoint, and together all
        }
        // Binomial: within four standard deviations (at N = 16, ±18% of 500;
        // at N = 3, ±4%).
        const double mean = 8000.0 / n, sd = std::sqrt(mean * (1.0 - 1.0 / n));
        for (const auto& [k, c] : count) CHECK(std::abs(c - mean) <= 4.0 * sd);
    }
}
