// `turncast cache info|prune`: the render cache's size, and bounding it.
#include <cstdio>
#include <filesystem>
#include <memory>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "render/cache.hpp"
#include "render/render.hpp"

namespace turncast::cli {

namespace {

struct CacheArgs {
    std::string dir = "output/.cache";
    double max_mb = double(render::kDefaultCacheMaxBytes) / 1e6;  // a render's own bound too
};

render::Cache open_existing(const std::string& dir) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
        throw IoError(dir, "no render cache here", "name it with --cache-dir (default output/.cache)");
    return render::Cache(dir);
}

}  // namespace

void add_cache(CLI::App& app, Globals&) {
    auto a = std::make_shared<CacheArgs>();
    auto* cmd = app.add_subcommand("cache", "Inspect or bound the render cache");
    cmd->require_subcommand(1);
    auto* info = cmd->add_subcommand("info", "Print the cache's size");
    info->add_option("--cache-dir", a->dir, "Cache folder")->capture_default_str();
    info->callback([a] {
        auto c = open_existing(a->dir);
        std::printf("%s: %.1f MB\n", a->dir.c_str(), double(c.size_bytes()) / 1e6);
    });
    auto* prune = cmd->add_subcommand("prune", "Remove least recently used entries until the cache fits");
    prune->add_option("--cache-dir", a->dir, "Cache folder")->capture_default_str();
    prune->add_option("--max-size", a->max_mb, "Size to keep, in MB")->capture_default_str()->check(finite_number())->check(CLI::Range(0.0, 1e9));
    prune->callback([a] {
        auto c = open_existing(a->dir);
        auto removed = c.prune(std::uint64_t(a->max_mb * 1e6));
        std::printf("%s: removed %.1f MB, %.1f MB left\n", a->dir.c_str(), double(removed) / 1e6,
                    double(c.size_bytes()) / 1e6);
    });
}

}  // namespace turncast::cli
