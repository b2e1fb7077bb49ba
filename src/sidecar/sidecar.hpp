// Files written beside the audio, all from the Script and its exact Timeline.
//
//   auto vtt = turncast::sidecar::webvtt(script, timeline);
//   io::write_file_atomic(dir / (slug + ".vtt"), vtt);
//
// Each function returns the file's text; the renderer writes it atomically.
#pragma once

#include <string>

#include "core/model.hpp"
#include "core/timeline.hpp"

namespace turncast::sidecar {

struct Names {
    std::string slug;          // base name of every file of this render
    std::string audio_m4a;     // file names (not paths) of the audio, for links
    std::string audio_opus;
};

std::string webvtt(const Script& script, const Timeline& timeline);   // <v Speaker> cues
std::string srt(const Script& script, const Timeline& timeline);
std::string chapters_json(const Script& script, const Timeline& timeline);  // Podcasting 2.0, v1.2.0
std::string transcript_json(const Script& script, const Timeline& timeline);
std::string web_player(const Script& script, const Timeline& timeline, const Names& names);

}  // namespace turncast::sidecar
