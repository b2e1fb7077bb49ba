// manifest.json: what one render wrote, for `turncast feed` and other tools.
// The renderer fills a Manifest and writes to_json(m) into OUTPUT_DIR/<slug>/;
// `turncast feed` reads every OUTPUT_DIR/*/manifest.json back.
//
//   turncast::sidecar::Manifest m;            // or make_manifest(script, timeline, names)
//   m.slug = slug; m.title = ...; m.render_key = key;
//   m.files.push_back({"m4a", slug + ".m4a", "audio/mp4", bytes});
//   io::write_file_atomic(dir + "/manifest.json", turncast::sidecar::to_json(m));
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/model.hpp"
#include "core/timeline.hpp"
#include "sidecar/sidecar.hpp"

namespace turncast::sidecar {

struct ManifestFile {
    std::string kind;         // "m4a", "opus", "m4b", "mp3", "flac", "wav", "vtt", "srt", "chapters", "transcript", "html"
    std::string name;         // file name inside the render's folder, e.g. "talk.m4a"
    std::string type;         // MIME type, e.g. "audio/mp4"
    std::uint64_t bytes = 0;  // size in bytes; 0 when not recorded
};

struct Manifest {
    std::string turncast = TURNCAST_VERSION;  // the version that wrote it
    std::string slug;
    std::string title;
    std::string date;         // YYYY-MM-DD or empty
    std::string time;         // HH:MM or empty
    std::string place;
    std::string description;
    std::vector<std::string> speakers;  // the named speakers' display names (named_speakers)
    std::vector<std::string> roles;     // each one's role, beside it: "main", "moderator" or "other"
    std::string timezone;     // IANA zone of date/time ("Europe/Moscow"), or empty: unknown
    double duration = 0;      // seconds
    std::string render_key;   // hex; changes whenever the audio could
    std::string source_id;    // hex hash of the transcript's absolute path: whose folder this is
    std::string cover;        // file name of the cover image, or empty (null in JSON)
    std::string guid;         // the episode's GUID, fixed at its first render ("urn:uuid:…")
    std::string corrected;    // YYYY-MM-DD of the last render that changed the audio, or empty
    std::vector<ManifestFile> files;  // in the order written; one per kind

    const ManifestFile* file(const std::string& kind) const;  // nullptr if none
    ManifestFile* file(const std::string& kind);
};

// The named speakers: not the narrator, not the questioners, not a speaker
// known only by a role label ("Questioner 3", "Moderator" name nobody an app
// should list).
std::vector<const Speaker*> named(const Script& script);
// Their names, "A, B".
std::string named_speakers(const Script& script);
// A speaker's role as the manifest writes it: "main", "moderator" or "other".
const char* role_name(SpeakerRole role);

// A title for an audio file's tags: at most 255 bytes (Apple's limit for
// title and album), cut at a word boundary with "…" when longer; the
// descriptions keep it whole.
std::string tag_text(const std::string& text, std::size_t limit = 255);

// The one description of a render, for the manifest, the feed, the page and
// the audio files' tags: title (place, date), how it is read, the named
// speakers and the number of chapters.
std::string describe(const Script& script);

// Everything the Script and Timeline know: title, date, time, place, speakers,
// duration, a description, and the sidecar and audio file names from `names`
// (m4a, opus, vtt, srt, chapters, transcript, html). The caller adds the
// audio byte counts, the render key, the cover and any m4b.
Manifest make_manifest(const Script& script, const Timeline& timeline, const Names& names);

std::string to_json(const Manifest& manifest);  // pretty-printed, ends with a newline

// Throws InputError naming `where` (the file) when the text is not JSON or a
// required field (slug, title, files) is missing or has the wrong type, or a
// file name is a path. Unknown fields are ignored. In JSON, "files" is an
// object keyed by kind.
Manifest parse_manifest(const std::string& text, const std::string& where);

}  // namespace turncast::sidecar
