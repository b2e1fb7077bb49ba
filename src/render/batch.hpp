// A batch: the transcripts under the folders (and files) given to
// `turncast render`, each with the output folder that mirrors its place in
// the input tree, and the part of them one shard of N renders.
//
//   auto jobs  = turncast::render::list_transcripts({"archive/"}, "out", {"out/.cache"});
//   auto shard = turncast::render::parse_shard("2/8");
//   for (auto& j : jobs) if (turncast::render::in_shard(j.relative, shard)) ...  // j.out_dir
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace turncast::render {

struct BatchJob {
    std::string path;      // the transcript, as found (input folder + relative)
    std::string relative;  // its path under its input folder ('/'-separated); a file given itself: its name
    std::string out_dir;   // OUTPUT + the relative path's folders: its render goes to out_dir/<slug>/
    std::uint64_t bytes = 0;  // its size, the batch's measure of work before planning
};

// Every .txt under each folder in `inputs` (at any depth; hidden files and
// folders, and the folders in `skip` such as the output and the cache, left
// out), sorted by relative path within each input, then each file given
// itself. Throws IoError for an input that does not exist or cannot be
// listed, and for a folder with no transcript in it.
std::vector<BatchJob> list_transcripts(const std::vector<std::string>& inputs, const std::string& output_dir,
                                       const std::vector<std::string>& skip);

// The K-th of N parts of a batch (1 <= K <= N).
struct Shard {
    int index = 1, count = 1;
};

// "K/N", e.g. "3/8"; throws Error(Usage) naming --shard otherwise.
Shard parse_shard(const std::string& spec);

// Whether the transcript at `relative` belongs to `shard`: the first 8 bytes
// of the SHA-256 of the path's UTF-8 bytes, read big-endian, modulo N, are
// K - 1. The same on every machine, whatever the other transcripts are, so
// N shards split a batch with no coordination and the parts are disjoint.
bool in_shard(const std::string& relative, Shard shard);

}  // namespace turncast::render
