// The whole pipeline for one transcript: plan (parse → segment → cast), then
// synthesise, master, encode, mux and write sidecars, reusing the render cache.
//
//   turncast::synth::Engine engine;                         // before any thread
//   auto plan   = turncast::render::make_plan("talk.txt", {});
//   auto result = turncast::render::render(plan, options, engine);
//
// Everything after planning works on integer sample counts at 48 kHz: each
// segment's speech has its place on one timeline, its pause before it as the
// cast file sets it, and every file plays it there to within a codec frame
// (render/layout.hpp); the chapter marks are the same in every container.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "art/card.hpp"
#include "cast/cast.hpp"
#include "core/model.hpp"
#include "core/timeline.hpp"
#include "encode/encode.hpp"
#include "master/master.hpp"
#include "render/layout.hpp"
#include "parse/parse.hpp"

namespace turncast::synth {
class Engine;
}

namespace turncast::render {

class Remote;

struct PlanOptions {
    std::string rules_path;    // empty: parse::default_rules_path()
    std::string cast_path;     // empty: cast::default_cast_path()
    std::string lexicon_path;  // a user's lexicon, merged over the default; may be empty
    std::string timezone;      // IANA zone of the transcript's date and time, over what it says; may be empty
};

struct Plan {
    std::string source;        // the transcript's path, for messages
    std::string slug;          // output folder and file base name
    std::string source_id;     // a short hash of the transcript's absolute path (manifest "source_id")
    Document doc;
    Segmentation segmentation;
    cast::CastConfig cast;
    Script script;
};

// Reads and plans one transcript. Throws InputError / ConfigError / IoError;
// writes nothing.
Plan make_plan(const std::string& transcript_path, const PlanOptions& options);

constexpr std::uint64_t kDefaultCacheMaxBytes = 1024ull * 1000 * 1000;  // 1024 MB

struct Options {
    std::string output_dir = "output";
    std::vector<std::string> formats = {"opus", "m4a"};  // opus, m4a, m4b, mp3, flac, wav
    std::string cache_dir;      // empty: <output_dir>/.cache
    bool use_cache = true;      // false: a private temporary cache, removed afterwards
    // After a render the cache is trimmed to this size, least recently used
    // entries first; the render's own entries always stay (Cache::trim).
    std::uint64_t cache_max_bytes = kDefaultCacheMaxBytes;
    int jobs = 0;               // 0: one per core
    bool quiet = false;         // no progress on stderr
    std::string cover_path;     // optional cover image (JPEG/PNG) for the audio files and the feed
    bool title_card = true;     // without cover_path: draw a title card as the cover (false: no artwork)
    master::LoudnessTarget loudness;
    encode::Settings encoder;
    // A second cache tier over HTTP behind the local one (render/remote.hpp);
    // borrowed, shared by the renders of a batch. Unused with use_cache false.
    Remote* remote = nullptr;
    // What the progress line shows before the render's own stage: a batch's
    // count, audio and time left. Empty: nothing.
    std::function<std::string()> progress_label;
};

struct Result {
    std::string dir;                  // output_dir/<slug>
    std::vector<std::string> files;   // every file written (or kept), full paths
    bool unchanged = false;           // nothing to do: outputs were already up to date
    int synthesized = 0;              // segments spoken (cache misses)
    int encoded = 0;                  // pieces encoded (cache misses)
    std::int64_t total_samples = 0;   // audio length at 48 kHz
    std::uint64_t cache_removed = 0;  // bytes of older cache entries deleted to keep the cache bounded
    int cache_rejected = 0;           // cache entries refused (damaged, swapped, forged) and rendered again
};

// Validates formats and voices first (ConfigError/Usage), then renders.
Result render(const Plan& plan, const Options& options, synth::Engine& engine);

// Two transcripts must never share an output folder: when OUTPUT/<slug>/
// holds the render of another transcript (its manifest names another
// source), the plan's slug gets that transcript's source id appended.
void settle_slug(Plan& plan, const Options& options);

// Throws ConfigError unless `path` is a readable JPEG or PNG within the size limit.
std::string check_cover(const std::string& path);  // the image's bytes
// What the render names a cover of these bytes beside the audio: cover.png or cover.jpg.
std::string cover_file_name(const std::string& bytes);

// A render's artwork, made once: the --cover image as given, else the title
// card of the script's title, date, place and named speakers; none when both
// are off.
struct Artwork {
    std::string file;          // cover.png / cover.jpg beside the audio; empty: no artwork
    std::string embedded;      // the audio files' copy when it is another drawing; empty: `file`
    int missing_glyphs = 0;    // characters the card shows as boxes (no installed font has them)
    const std::string& for_audio() const { return embedded.empty() ? file : embedded; }
};

// What the plan's title card says: the title without a trailing place or
// date (shown above it; the file's name when there is no title), the date as
// read ("1 September 2021"), the place, the named speakers.
art::CardText card_text(const Plan& plan);

// The audio files carry the title card at Apple's minimum artwork size: sharp
// on any player's screen, and 60% fewer bytes than the 3000 px card in each
// file's header, which a player reads before the first sample (Ogg's comment
// header; MP4's moov, moved to the front for streaming).
constexpr int kEmbeddedCardSize = 1400;

// The card drawn: 3000 px for cover.png, kEmbeddedCardSize for the audio files.
Artwork draw_title_card(const art::CardText& text);

// Throws Error(Usage) when a render of `plan` with `options` would write over
// what it reads or keeps: the transcript inside the output folder it replaces,
// or the cache folder and the output folder one inside the other.
void check_paths(const Plan& plan, const Options& options);

// The timeline a plan gets from its segments' speech lengths and events
// (at synth::kSampleRate), laid out as render/layout.hpp says; exposed for tests.
Timeline build_timeline(const Script& script, const std::vector<SegmentSpeech>& speech);

std::vector<std::string> parse_formats(const std::string& list);  // throws Error(Usage)

}  // namespace turncast::render
