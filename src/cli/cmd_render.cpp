#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "cli/commands.hpp"
#include "core/counted.hpp"
#include "core/error.hpp"
#include "render/render.hpp"
#include "synth/synth.hpp"

namespace turncast::cli {

namespace {

struct RenderArgs {
    std::vector<std::string> transcripts;
    std::string output = "output";
    std::string formats = "opus,m4a";
    std::string cache_dir;
    bool no_cache = false, no_cover = false;
    double cache_max_mb = double(render::kDefaultCacheMaxBytes) / 1e6;
    int jobs = 0;
    std::string cast_path, lexicon_path, cover_path, timezone;
    double loudness = -16.0;
};

std::string clock_time(double s) {
    int t = int(s + 0.5);
    return t >= 3600 ? fmt::format("{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
                     : fmt::format("{}:{:02}", t / 60, t % 60);
}

void run_render(const RenderArgs& a, const Globals& g) {
    render::Options opt;
    opt.output_dir = a.output;
    opt.formats = render::parse_formats(a.formats);
    opt.cache_dir = a.cache_dir;
    opt.use_cache = !a.no_cache;
    opt.cache_max_bytes = std::uint64_t(a.cache_max_mb * 1e6);
    opt.jobs = a.jobs;
    opt.quiet = g.quiet;
    opt.cover_path = a.cover_path;
    opt.title_card = !a.no_cover;
    opt.loudness.integrated_lufs = a.loudness;

    // A cover that is no image is found now, not after the work.
    if (!a.cover_path.empty()) render::check_cover(a.cover_path);

    render::PlanOptions po;
    po.cast_path = a.cast_path;
    po.lexicon_path = a.lexicon_path;
    po.timezone = a.timezone;
    // Plan every transcript before rendering any: bad input anywhere means
    // nothing is written anywhere.
    std::vector<render::Plan> plans;
    for (const auto& t : a.transcripts) {
        plans.push_back(render::make_plan(t, po));
        render::settle_slug(plans.back(), opt);
    }
    for (std::size_t i = 0; i < plans.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (plans[i].slug == plans[j].slug)
                throw Error(ExitCode::Usage, plans[i].source,
                            fmt::format("would be written to the same folder '{}' as {}", plans[i].slug, plans[j].source),
                            "rename one of the files");
    for (const auto& p : plans) render::check_paths(p, opt);
    if (!g.quiet)
        for (const auto& p : plans)
            for (const auto& w : p.script.warnings)
                std::fprintf(stderr, "turncast: %s: warning: %s\n", printable(p.source).c_str(), printable(w).c_str());

    synth::Engine engine;  // before any thread: synthesis forks from this pristine process
    for (const auto& p : plans) {
        auto r = render::render(p, opt, engine);
        std::printf("%s: %s, %s, %s\n", r.dir.c_str(), clock_time(seconds(r.total_samples)).c_str(),
                    counted(p.script.chapters.size(), "chapter").c_str(),
                    r.unchanged ? "already up to date"
                                : fmt::format("{} spoken, {} encoded", counted(std::size_t(r.synthesized), "segment"),
                                              counted(std::size_t(r.encoded), "piece")).c_str());
        if (r.cache_rejected > 0 && !g.quiet)
            std::fprintf(stderr, "turncast: render cache: %d entries were damaged or not the entries for their keys; "
                                 "rendered again\n", r.cache_rejected);
        if (r.cache_removed > 0 && !g.quiet)
            std::fprintf(stderr, "turncast: render cache: removed %.1f MB of least recently used entries to stay within %.0f MB (--cache-max-size)\n",
                         double(r.cache_removed) / 1e6, a.cache_max_mb);
    }
}

}  // namespace

void add_render(CLI::App& app, Globals& g) {
    auto a = std::make_shared<RenderArgs>();
    auto* cmd = app.add_subcommand("render", "Render transcripts into chaptered audiobooks under OUTPUT/<slug>/");
    cmd->add_option("transcripts", a->transcripts, "Transcript files (UTF-8 text)")->required();
    cmd->add_option("-o,--output", a->output, "Output folder")->capture_default_str();
    cmd->add_option("--formats", a->formats, "Comma-separated: opus, m4a, m4b, mp3, flac, wav "
                    "(mp3: for podcast apps that read chapters only from ID3 CHAP frames)")->capture_default_str();
    cmd->add_option("--cache-dir", a->cache_dir, "Render cache folder (default OUTPUT/.cache)");
    cmd->add_flag("--no-cache", a->no_cache, "Render everything afresh and keep no cache");
    cmd->add_option("--cache-max-size", a->cache_max_mb,
                    "Trim the cache to this many MB after rendering, least recently used first (this render's entries stay)")
        ->capture_default_str()
        ->check(finite_number())
        ->check(CLI::Range(0.0, 1e9));
    cmd->add_option("-j,--jobs", a->jobs, "Parallel workers (default: one per core)")->check(CLI::Range(0, 256));
    cmd->add_option("--cast", a->cast_path, "Cast file (default voices/cast.toml)");
    cmd->add_option("--lexicon", a->lexicon_path, "Extra pronunciation lexicon (TSV), applied over the default");
    cmd->add_option("--timezone", a->timezone,
                    "IANA time zone of the transcript's date and time (default: from the time's zone or the place)");
    auto* cover = cmd->add_option("--cover", a->cover_path,
                                  "Cover image (JPEG or PNG) for the audio files and the feed "
                                  "(default: a title card drawn from the transcript)");
    cmd->add_flag("--no-cover", a->no_cover, "No artwork: neither --cover nor the title card")->excludes(cover);
    cmd->add_option("--loudness", a->loudness, "Target integrated loudness in LUFS")->capture_default_str()->check(finite_number())->check(CLI::Range(-40.0, -6.0));
    cmd->callback([a, &g] { run_render(*a, g); });
}

}  // namespace turncast::cli
