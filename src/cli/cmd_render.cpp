// turncast render FILE|DIR... [-o OUTPUT] [--keep-going] [--shard K/N] [--cache-remote URL]
//
// Renders each transcript given and every .txt under each folder given, into
// OUTPUT/<its folders under the input>/<slug>/. Every transcript is planned
// before any is rendered: without --keep-going one bad transcript means
// nothing is written; with it the good ones are rendered and the bad ones
// listed at the end.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>

#include "cli/commands.hpp"
#include "core/counted.hpp"
#include "core/error.hpp"
#include "render/batch.hpp"
#include "render/progress.hpp"
#include "render/remote.hpp"
#include "render/render.hpp"
#include "synth/synth.hpp"

namespace turncast::cli {

namespace {

struct RenderArgs {
    std::vector<std::string> inputs;
    std::string output = "output";
    std::string formats = "opus,m4a";
    std::string cache_dir;
    bool no_cache = false, no_cover = false;
    double cache_max_mb = double(render::kDefaultCacheMaxBytes) / 1e6;
    int jobs = 0;
    std::string cast_path, lexicon_path, cover_path, timezone;
    double loudness = -16.0;
    bool keep_going = false;
    std::string shard;
    std::string cache_remote;
    std::string remote_layout = "files";
};

constexpr const char* kTokenVariable = "TURNCAST_CACHE_TOKEN";
constexpr const char* kSecretVariable = "TURNCAST_CACHE_SECRET";

std::string clock_time(double s) {
    int t = int(s + 0.5);
    return t >= 3600 ? fmt::format("{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
                     : fmt::format("{}:{:02}", t / 60, t % 60);
}

using Clock = std::chrono::steady_clock;

// A batch's part of the progress line: transcripts done of the total, the
// audio they hold, and the time left, from the time the transcripts that
// needed rendering took per byte of text (up-to-date ones take next to none).
struct BatchProgress {
    int total = 0, done = 0;
    std::int64_t samples = 0;
    std::uint64_t bytes_left = 0, rendered_bytes = 0;
    double rendered_seconds = 0.0;
    Clock::time_point current = Clock::now();  // when the transcript being rendered began

    std::string label() const {
        std::string s = fmt::format("{}/{} transcripts, {} audio", done, total, clock_time(seconds(samples)));
        if (rendered_bytes > 0 && done < total) {
            const double since = std::chrono::duration<double>(Clock::now() - current).count();
            const double left = rendered_seconds / double(rendered_bytes) * double(bytes_left) - since;
            s += ", ~" + clock_time(left > 0.0 ? left : 0.0) + " left";
        }
        return s;
    }
};

// The failures of a --keep-going batch, reported when it ends.
struct Failures {
    std::vector<std::string> messages;
    std::optional<ExitCode> first;
    void add(const Error& e) {
        if (e.code() == ExitCode::Interrupted) throw;  // a stop is never kept going past
        messages.push_back(e.what());
        if (!first) first = e.code();
    }
};

// What the first pass learnt of a transcript that will be rendered. The
// first one's plan is kept: it is rendered next, so keeping it costs no memory
// the render does not need anyway, and a single transcript is planned once.
struct Planned {
    const render::BatchJob* job;
    std::string slug;
    std::optional<render::Plan> plan;
};

render::Options options_for(const RenderArgs& a, const Globals& g) {
    render::Options opt;
    opt.output_dir = a.output;
    opt.formats = render::parse_formats(a.formats);
    // A batch's renders go to folders below OUTPUT; the cache stays OUTPUT's.
    opt.cache_dir = a.cache_dir.empty() ? a.output + "/.cache" : a.cache_dir;
    opt.use_cache = !a.no_cache;
    opt.cache_max_bytes = std::uint64_t(a.cache_max_mb * 1e6);
    opt.jobs = a.jobs;
    opt.quiet = g.quiet;
    opt.cover_path = a.cover_path;
    opt.title_card = !a.no_cover;
    opt.loudness.integrated_lufs = a.loudness;
    return opt;
}

// The transcripts to render: those under the inputs, and of them this shard's.
std::vector<render::BatchJob> select_jobs(const RenderArgs& a, const Globals& g) {
    const auto shard = a.shard.empty() ? std::nullopt : std::optional<render::Shard>(render::parse_shard(a.shard));
    auto all = render::list_transcripts(a.inputs, a.output, {a.output, a.cache_dir.empty() ? a.output : a.cache_dir});
    if (!shard) return all;
    std::vector<render::BatchJob> mine;
    for (auto& j : all)
        if (render::in_shard(j.relative, *shard)) mine.push_back(std::move(j));
    if (!g.quiet)
        std::fprintf(stderr, "turncast: shard %s: %zu of %s\n", a.shard.c_str(), mine.size(),
                     counted(all.size(), "transcript").c_str());
    return mine;
}

void print_warnings(const render::Plan& p, const Globals& g) {
    if (g.quiet) return;
    for (const auto& w : p.script.warnings)
        std::fprintf(stderr, "turncast: %s: warning: %s\n", printable(p.source).c_str(), printable(w).c_str());
}

// The first pass: plans every transcript (nothing is written) and settles its
// folder. A bad one ends the batch here, unless `failures` keeps going.
std::vector<Planned> plan_all(const std::vector<render::BatchJob>& jobs, const render::PlanOptions& po,
                              const render::Options& base, const Globals& g, Failures* failures) {
    std::vector<Planned> planned;
    std::map<std::string, std::string> folders;  // output folder → the transcript rendered there
    for (const auto& j : jobs) {
        try {
            auto plan = render::make_plan(j.path, po);
            auto opt = base;
            opt.output_dir = j.out_dir;
            render::settle_slug(plan, opt);
            const std::string folder = j.out_dir + "/" + plan.slug;
            if (auto [at, fresh] = folders.emplace(folder, plan.source); !fresh)
                throw Error(ExitCode::Usage, plan.source,
                            fmt::format("would be written to the same folder '{}' as {}", folder, at->second),
                            "rename one of the files");
            render::check_paths(plan, opt);
            print_warnings(plan, g);
            const std::string slug = plan.slug;
            planned.push_back({&j, slug, planned.empty() ? std::optional<render::Plan>(std::move(plan)) : std::nullopt});
        } catch (const Error& e) {
            if (!failures) throw;
            failures->add(e);
        }
    }
    return planned;
}

void print_result(const render::Result& r, const render::Plan& p, const RenderArgs& a, const Globals& g) {
    std::printf("%s: %s, %s, %s\n", r.dir.c_str(), clock_time(seconds(r.total_samples)).c_str(),
                counted(p.script.chapters.size(), "chapter").c_str(),
                r.unchanged ? "already up to date"
                            : fmt::format("{} spoken, {} encoded", counted(std::size_t(r.synthesized), "segment"),
                                          counted(std::size_t(r.encoded), "piece")).c_str());
    std::fflush(stdout);
    if (r.cache_rejected > 0 && !g.quiet)
        std::fprintf(stderr, "turncast: render cache: %d entries were damaged or not the entries for their keys; "
                             "rendered again\n", r.cache_rejected);
    if (r.cache_removed > 0 && !g.quiet)
        std::fprintf(stderr, "turncast: render cache: removed %.1f MB of least recently used entries to stay within %.0f MB (--cache-max-size)\n",
                     double(r.cache_removed) / 1e6, a.cache_max_mb);
}

// The second pass: plans each transcript again (but the first: plans are not
// kept, so a batch's memory does not grow with its size) and renders it.
void render_all(std::vector<Planned>& planned, const render::PlanOptions& po, const render::Options& base,
                const RenderArgs& a, const Globals& g, Failures* failures) {
    BatchProgress batch;
    batch.total = int(planned.size());
    for (const auto& p : planned) batch.bytes_left += p.job->bytes;
    render::Progress line(g.quiet || planned.size() < 2, [&] { return batch.label(); });
    auto opt = base;
    if (planned.size() > 1) opt.progress_label = [&] { return batch.label(); };
    synth::Engine engine;  // before any thread: synthesis forks from this pristine process
    for (auto& p : planned) {
        batch.current = Clock::now();
        try {
            auto plan = p.plan ? std::move(*p.plan) : render::make_plan(p.job->path, po);
            p.plan.reset();
            plan.slug = p.slug;
            opt.output_dir = p.job->out_dir;
            auto r = render::render(plan, opt, engine);
            line.done();
            print_result(r, plan, a, g);
            batch.samples += r.total_samples;
            if (!r.unchanged) {
                batch.rendered_bytes += p.job->bytes;
                batch.rendered_seconds += std::chrono::duration<double>(Clock::now() - batch.current).count();
            }
        } catch (const Error& e) {
            if (!failures) throw;
            line.done();
            failures->add(e);
        }
        ++batch.done;
        batch.bytes_left -= p.job->bytes;
        line.show_label(batch.done == batch.total);
    }
    line.done();
}

void run_render(const RenderArgs& a, const Globals& g) {
    auto opt = options_for(a, g);
    // A cover that is no image is found now, not after the work.
    if (!a.cover_path.empty()) render::check_cover(a.cover_path);
    std::unique_ptr<render::Remote> remote;
    if (!a.cache_remote.empty()) {
        const char* token = std::getenv(kTokenVariable);
        const char* secret = std::getenv(kSecretVariable);
        remote = std::make_unique<render::Remote>(a.cache_remote, token ? token : "", g.quiet,
                                                  a.remote_layout == "bazel" ? render::RemoteLayout::Bazel
                                                                             : render::RemoteLayout::Files,
                                                  secret ? secret : "");
        opt.remote = remote.get();
    }
    render::PlanOptions po;
    po.cast_path = a.cast_path;
    po.lexicon_path = a.lexicon_path;
    po.timezone = a.timezone;

    const auto jobs = select_jobs(a, g);
    Failures failures;
    Failures* keep_going = a.keep_going ? &failures : nullptr;
    // Plan every transcript before rendering any: without --keep-going, bad
    // input anywhere means nothing is written anywhere.
    auto planned = plan_all(jobs, po, opt, g, keep_going);
    render_all(planned, po, opt, a, g, keep_going);
    if (failures.messages.empty()) return;
    for (const auto& m : failures.messages) std::fprintf(stderr, "turncast: %s\n", printable(m).c_str());
    throw Error(*failures.first, "",
                fmt::format("{} of {} could not be rendered (listed above); the others were", failures.messages.size(),
                            counted(jobs.size(), "transcript")),
                "correct them and run the same command again: what is rendered is kept");
}

}  // namespace

void add_render(CLI::App& app, Globals& g) {
    auto a = std::make_shared<RenderArgs>();
    auto* cmd = app.add_subcommand("render", "Render transcripts into chaptered audiobooks under OUTPUT/<slug>/");
    cmd->add_option("transcripts", a->inputs,
                    "Transcript files (UTF-8 text), or folders: every .txt under them, rendered into the same "
                    "folders under OUTPUT")
        ->required();
    cmd->add_option("-o,--output", a->output, "Output folder")->capture_default_str();
    cmd->add_option("--formats", a->formats, "Comma-separated: opus, m4a, m4b, mp3, flac, wav "
                    "(mp3: for podcast apps that read chapters only from ID3 CHAP frames)")->capture_default_str();
    cmd->add_option("--cache-dir", a->cache_dir, "Render cache folder (default OUTPUT/.cache)");
    auto* no_cache = cmd->add_flag("--no-cache", a->no_cache, "Render everything afresh and keep no cache");
    cmd->add_option("--cache-max-size", a->cache_max_mb,
                    "Trim the cache to this many MB after rendering, least recently used first (this render's entries stay)")
        ->capture_default_str()
        ->check(finite_number())
        ->check(CLI::Range(0.0, 1e9));
    cmd->add_option("--cache-remote", a->cache_remote,
                    fmt::format("A shared cache behind the local one: an http(s) URL answering GET, HEAD and PUT "
                                "(nginx's WebDAV module, bazel-remote); bearer token from ${}, entries sealed with ${} when set",
                                kTokenVariable, kSecretVariable))
        ->excludes(no_cache);
    cmd->add_option("--cache-remote-layout", a->remote_layout,
                    "files: the local cache's names under the URL (WebDAV); bazel: ac/<sha256> (bazel-remote)")
        ->check(CLI::IsMember({"files", "bazel"}))
        ->capture_default_str();
    cmd->add_flag("-k,--keep-going", a->keep_going,
                  "Render every good transcript and list the bad ones at the end (exit status non-zero)");
    cmd->add_option("--shard", a->shard,
                    "Render only the K-th of N parts of the transcripts (K/N, e.g. 2/8), chosen by a hash of each "
                    "one's path under its folder");
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
