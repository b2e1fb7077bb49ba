// Files written beside the audio, all from the Script and its exact Timeline.
//
//   auto vtt = turncast::sidecar::webvtt(script, timeline);
//   io::write_file_atomic(dir / (slug + ".vtt"), vtt);
//
// Each function returns the file's text; the renderer writes it atomically.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/model.hpp"
#include "core/timeline.hpp"

namespace turncast::sidecar {

// The one table of media types: for an output kind ("opus", "m4a", "m4b",
// "mp3", "flac", "wav", "vtt", "srt", "chapters", "transcript", "html"), the type the
// manifest, the feed and the player page give it ("" for an unknown kind).
const char* media_type(std::string_view kind);

struct Names {
    std::string slug;          // base name of every file of this render
    std::string audio_m4a;     // file names (not paths) of the audio, for links
    std::string audio_opus;
    std::string cover;         // the cover image beside the audio (cover.png, cover.jpg), or empty
};

std::string webvtt(const Script& script, const Timeline& timeline);   // <v Speaker> cues
std::string srt(const Script& script, const Timeline& timeline);
std::string chapters_json(const Script& script, const Timeline& timeline);  // Podcasting 2.0, v1.2.0
std::string transcript_json(const Script& script, const Timeline& timeline);
std::string web_player(const Script& script, const Timeline& timeline, const Names& names);

// How captions are cut: a cue per sentence, a long sentence split at word
// boundaries (using the word timings) so that no cue needs more than
// max_lines lines of about line_chars characters.
struct CaptionStyle {
    int line_chars = 42;   // characters (code points) per line
    int max_lines = 2;
    // SRT has no voice tags: the first cue of each speaker's run begins
    // "Name: ", and that prefix counts against the line length.
    bool speaker_prefix = false;
};

// One caption cue, before formatting: what webvtt() and srt() write.
struct Cue {
    std::int64_t start = 0;    // samples at kTimelineRate
    std::int64_t end = 0;      // > start, <= the next cue's start, <= Timeline::total
    std::string speaker;       // display name; "Narrator" for narration
    std::vector<std::string> lines;  // plain text (not escaped), 1..max_lines lines, with any "Name: " prefix
    std::size_t segment = 0;   // index into Script::segments
};

// The cues in order, never overlapping. Throws Error(Internal) if the timeline
// does not belong to the script (different segment or chapter counts).
std::vector<Cue> caption_cues(const Script& script, const Timeline& timeline,
                              const CaptionStyle& style = {});

// Milliseconds from samples as every sidecar writes them: rounded down, so a
// time written never lies after the sample it names (the last cue never ends
// after the audio).
std::int64_t to_ms(std::int64_t samples);
std::string vtt_time(std::int64_t samples);  // HH:MM:SS.mmm
std::string srt_time(std::int64_t samples);  // HH:MM:SS,mmm

// The name captions and transcripts give a segment's voice.
std::string speaker_name(const Script& script, const Segment& segment);

// The page's lang attribute: the primary subtag of the narrator's (or first)
// espeak voice, e.g. "en" for "en-gb"; "en" if unknown.
std::string script_language(const Script& script);

}  // namespace turncast::sidecar
