// manifest.json: what one render wrote, for `turncast feed` and other tools.
// The renderer fills a Manifest and writes to_json(m) into OUTPUT_DIR/<slug>/;
// `turncast feed` reads every OUTPUT_DIR/*/manifest.json back.
//
//   auto m = turncast::sidecar::make_manifest(script, timeline, names);
//   m.render_key = key;
//   m.files["m4a"].bytes = size_of(dir + "/" + m.files["m4a"].name);   // for each audio file
//   io::write_file_atomic(dir + "/manifest.json", turncast::sidecar::to_json(m));
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/model.hpp"
#include "core/timeline.hpp"
#include "sidecar/sidecar.hpp"

namespace turncast::sidecar {

struct ManifestFile {
    std::string name;         // file name inside the render's folder, e.g. "talk.m4a"
    std::int64_t bytes = -1;  // size in bytes; -1 when not recorded (text sidecars)
    std::string type;         // MIME type, e.g. "audio/mp4"
};

struct Manifest {
    std::string turncast = TURNCAST_VERSION;  // the version that wrote it
    std::string slug;
    std::string title;
    std::string date;         // YYYY-MM-DD or empty
    std::string time;         // HH:MM or empty
    std::string place;
    std::string description;
    std::vector<std::string> speakers;  // display names, narrator excluded
    double duration = 0;      // seconds
    std::string render_key;   // hex; changes whenever the audio could
    std::string cover;        // file name of the cover image, or empty (null in JSON)
    // Keyed "m4a", "opus", "m4b", "vtt", "srt", "chapters", "transcript", "html".
    std::map<std::string, ManifestFile> files;
};

// Everything the Script and Timeline know: title, date, time, place, speakers,
// duration, a description, and the sidecar and audio file names from `names`
// (m4a, opus, vtt, srt, chapters, transcript, html). The caller adds the
// audio byte counts, the render key, the cover and any m4b.
Manifest make_manifest(const Script& script, const Timeline& timeline, const Names& names);

std::string to_json(const Manifest& manifest);  // pretty-printed, ends with a newline

// Throws InputError naming `where` (the file) when the text is not JSON or a
// required field (slug, title, files with at least one audio file) is missing
// or has the wrong type. Unknown fields are ignored.
Manifest parse_manifest(const std::string& text, const std::string& where);

}  // namespace turncast::sidecar
