// Planning a render: the transcript read, segmented and cast; the output
// folder's name settled; paths and formats checked. Nothing is written.
#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <set>

#include "core/error.hpp"
#include "core/zone.hpp"
#include "core/hash.hpp"
#include "io/file.hpp"
#include "render/render.hpp"
#include "segment/segment.hpp"
#include "sidecar/manifest.hpp"

namespace fs = std::filesystem;

namespace turncast::render {

Plan make_plan(const std::string& transcript_path, const PlanOptions& options) {
    Plan plan;
    plan.source = transcript_path;
    if (!options.timezone.empty() && !known_zone(options.timezone))
        throw Error(ExitCode::Usage, "--timezone", "\"" + options.timezone + "\" is not a time zone",
                    "give an IANA zone name such as Europe/Moscow, America/New_York or UTC");
    // Configuration first: a broken cast file or lexicon is reported even
    // before the transcript is read.
    auto rules = parse::load_rules(options.rules_path.empty() ? parse::default_rules_path() : options.rules_path);
    plan.cast = cast::load_cast(options.cast_path.empty() ? cast::default_cast_path() : options.cast_path);
    auto lexicon = cast::default_lexicon(options.lexicon_path);

    const std::string bytes = io::read_file(transcript_path, io::kMaxTranscriptBytes, "transcript");
    plan.doc = parse::parse_transcript(bytes, transcript_path, rules);
    plan.segmentation = segment::segment(plan.doc, rules);
    plan.script = cast::cast(plan.doc, plan.segmentation, plan.cast, lexicon);
    if (plan.script.segments.empty())
        throw InputError(transcript_path, "nothing to speak after removing labels and page clutter",
                         "check that the file is a transcript (turncast plan --show-dropped lists what was removed)");
    if (!options.timezone.empty()) plan.script.meta.zone = options.timezone;
    plan.slug = parse::slugify(fs::path(transcript_path).stem().string());
    std::error_code ec;
    plan.source_id = short_hash(fs::weakly_canonical(fs::absolute(transcript_path), ec).string());
    return plan;
}

namespace {
bool is_png(const std::string& bytes) { return bytes.rfind("\x89PNG\r\n\x1A\n", 0) == 0; }
}  // namespace

std::string check_cover(const std::string& path) {
    std::string bytes = io::read_file(path, io::kMaxCoverBytes, "cover image");
    const bool jpeg = bytes.size() > 3 && static_cast<unsigned char>(bytes[0]) == 0xFF &&
                      static_cast<unsigned char>(bytes[1]) == 0xD8 && static_cast<unsigned char>(bytes[2]) == 0xFF;
    if (!is_png(bytes) && !jpeg) throw ConfigError(path, "is not a JPEG or PNG image", "give --cover a .jpg or .png file");
    return bytes;
}

std::string cover_file_name(const std::string& bytes) { return is_png(bytes) ? "cover.png" : "cover.jpg"; }

art::CardText card_text(const Plan& plan) {
    const Script& s = plan.script;
    // The place and date are shown above the title: not twice.
    const std::string title = cast::bare_title(s.meta);
    return {title.empty() ? plan.slug : title, cast::spoken_date(s.meta.date), s.meta.place,
            sidecar::named_speakers(s)};
}

Artwork draw_title_card(const art::CardText& text) {
    Artwork a;
    auto card = art::draw_card(text);
    a.file = std::move(card.png);
    a.missing_glyphs = card.missing_glyphs;
    a.embedded = art::draw_card(text, kEmbeddedCardSize).png;
    return a;
}

void settle_slug(Plan& plan, const Options& options) {
    const std::string manifest = options.output_dir + "/" + plan.slug + "/manifest.json";
    std::error_code ec;
    if (!fs::is_regular_file(manifest, ec)) return;
    try {
        const auto m = sidecar::parse_manifest(io::read_file(manifest, io::kMaxManifestBytes, "manifest"), manifest);
        if (!m.source_id.empty() && m.source_id != plan.source_id) plan.slug += "-" + plan.source_id;
    } catch (const Error&) {
        // A damaged manifest: the render rewrites the folder as before.
    }
}

void check_paths(const Plan& plan, const Options& options) {
    auto canonical = [](const std::string& p) {
        std::error_code ec;
        fs::path c = fs::weakly_canonical(fs::absolute(p), ec);
        return ec ? fs::absolute(p).lexically_normal() : c;
    };
    auto inside = [](const fs::path& a, const fs::path& b) {  // a is b or below it
        auto ai = a.begin(), bi = b.begin();
        for (; bi != b.end() && !bi->empty(); ++ai, ++bi)
            if (ai == a.end() || *ai != *bi) return false;
        return true;
    };
    const fs::path out = canonical(options.output_dir), dir = out / plan.slug;
    const fs::path source = canonical(plan.source);
    if (inside(source, dir))
        throw Error(ExitCode::Usage, plan.source,
                    fmt::format("is inside the output folder {}, which this render writes", dir.string()),
                    "move the transcript elsewhere, or choose another -o");
    if (options.use_cache && !options.cache_dir.empty()) {
        const fs::path cache = canonical(options.cache_dir);
        if (inside(cache, dir) || inside(dir, cache) || cache == out)
            throw Error(ExitCode::Usage, options.cache_dir,
                        fmt::format("the cache folder and the output folder {} must be apart", dir.string()),
                        "choose another --cache-dir (the default is OUTPUT/.cache)");
    }
}

std::vector<std::string> parse_formats(const std::string& list) {
    static const std::set<std::string> known = {"opus", "m4a", "m4b", "mp3", "flac", "wav"};
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= list.size()) {
        auto comma = list.find(',', start);
        std::string f = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        f.erase(std::remove_if(f.begin(), f.end(), ::isspace), f.end());
        if (!f.empty()) {
            if (!known.count(f))
                throw Error(ExitCode::Usage, "--formats", fmt::format("unknown format '{}'", f),
                            "choose from opus, m4a, m4b, mp3, flac, wav");
            if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
        }
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    if (out.empty()) throw Error(ExitCode::Usage, "--formats", "no format given", "e.g. --formats opus,m4a");
    return out;
}

}  // namespace turncast::render
