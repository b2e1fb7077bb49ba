#include "render/batch.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>

#include "core/error.hpp"
#include "render/cache.hpp"

namespace fs = std::filesystem;

namespace turncast::render {

namespace {

fs::path canonical_or_absolute(const std::string& p) {
    std::error_code ec;
    fs::path c = fs::weakly_canonical(fs::absolute(p), ec);
    return ec ? fs::absolute(p).lexically_normal() : c;
}

bool hidden(const fs::path& p) {
    const auto name = p.filename().string();
    return !name.empty() && name[0] == '.';
}

bool is_txt(const fs::path& p) {
    auto ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return ext == ".txt";
}

std::uint64_t size_of(const fs::path& p) {
    std::error_code ec;
    const auto n = fs::file_size(p, ec);
    return ec ? 0 : std::uint64_t(n);
}

// The .txt files under `dir`, relative to it, sorted.
std::vector<BatchJob> list_folder(const std::string& dir, const std::string& output_dir,
                                  const std::vector<fs::path>& skip) {
    std::vector<BatchJob> found;
    std::error_code ec;
    fs::recursive_directory_iterator it(dir, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
        const fs::path& p = it->path();
        if (hidden(p)) {
            if (it->is_directory(ec)) it.disable_recursion_pending();
            continue;
        }
        if (it->is_directory(ec)) {
            if (std::find(skip.begin(), skip.end(), canonical_or_absolute(p.string())) != skip.end())
                it.disable_recursion_pending();
            continue;
        }
        if (!is_txt(p) || !it->is_regular_file(ec)) continue;
        const fs::path rel = p.lexically_relative(dir);
        const auto sub = rel.parent_path();
        found.push_back({p.string(), rel.generic_string(), sub.empty() ? output_dir : (fs::path(output_dir) / sub).string(),
                         size_of(p)});
    }
    if (ec) throw IoError(dir, "cannot list the folder: " + ec.message(), "check that it exists and is readable");
    std::sort(found.begin(), found.end(), [](const BatchJob& a, const BatchJob& b) { return a.relative < b.relative; });
    return found;
}

}  // namespace

std::vector<BatchJob> list_transcripts(const std::vector<std::string>& inputs, const std::string& output_dir,
                                       const std::vector<std::string>& skip) {
    std::vector<fs::path> skipped;
    for (const auto& s : skip) skipped.push_back(canonical_or_absolute(s));
    std::vector<BatchJob> folders, files;
    for (const auto& in : inputs) {
        std::error_code ec;
        const auto st = fs::status(in, ec);
        if (fs::is_directory(st)) {
            auto found = list_folder(in, output_dir, skipped);
            if (found.empty())
                throw IoError(in, "is a directory with no transcripts (.txt files) in it",
                              "give transcripts, or folders holding them");
            folders.insert(folders.end(), found.begin(), found.end());
        } else if (fs::exists(st)) {
            // A file given itself is read (and refused) as the transcript it is said to be, whatever its name.
            files.push_back({in, fs::path(in).filename().string(), output_dir, size_of(in)});
        } else {
            throw IoError(in, "no such file or folder", "give transcripts (.txt) or folders holding them");
        }
    }
    folders.insert(folders.end(), files.begin(), files.end());
    return folders;
}

Shard parse_shard(const std::string& spec) {
    auto bad = [&](const std::string& why) {
        return Error(ExitCode::Usage, "--shard " + spec, why,
                     "give K/N with 1 <= K <= N, e.g. --shard 2/8 for the second of eight parts");
    };
    const auto slash = spec.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == spec.size()) throw bad("is not of the form K/N");
    auto number = [&](const std::string& s) {
        if (s.size() > 6 || !std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); }))
            throw bad("'" + s + "' is not a whole number up to 999999");
        return std::atoi(s.c_str());
    };
    Shard s{number(spec.substr(0, slash)), number(spec.substr(slash + 1))};
    if (s.count < 1) throw bad("N must be at least 1");
    if (s.index < 1 || s.index > s.count) throw bad(fmt::format("K must be between 1 and {}", s.count));
    return s;
}

bool in_shard(const std::string& relative, Shard shard) {
    const auto digest = sha256(relative);
    std::uint64_t h = 0;
    for (int i = 0; i < 8; ++i) h = h << 8 | digest[i];
    return int(h % std::uint64_t(shard.count)) == shard.index - 1;
}

}  // namespace turncast::render
