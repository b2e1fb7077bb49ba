// Encoded pieces + chapters + tags → .opus / .m4a / .m4b / .mp3 with libavformat.
//
//   turncast::mux::Muxer m(path_tmp, Container::Ogg, first_piece, chapters, tags);
//   for (auto& piece : pieces) m.write(piece);   // in timeline order
//   m.finish();                                  // trailer; throws on failure
//
// Ogg Opus chapters are written as CHAPTERnnn / CHAPTERnnnNAME comments by
// turncast itself (FFmpeg 5.1's Ogg muxer rounds them wrongly); MP4 gets
// AVChapters, which the ipod/mp4 muxer writes as a QuickTime chapter track and
// a Nero chpl box, and the mp3 muxer as ID3v2 CHAP frames listed in a CTOC
// frame (what podcast apps read chapters from in an MP3).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "encode/encode.hpp"

namespace turncast::mux {

enum class Container { Ogg, M4a, M4b, Mp3 };

struct ChapterMark {
    std::string title;
    std::int64_t start = 0;  // samples at 48 kHz from the start of the audio
    std::int64_t end = 0;
};

struct Tags {
    std::string title, artist, album, date, genre = "Speech", description, comment;
    std::string cover;  // optional JPEG/PNG bytes, embedded as cover art
};

// Throws InputError (naming `where`) when a file of this kind cannot hold
// `count` chapters: Ogg chapter comments number 000-999, an MP3's ID3v2 table
// of contents at most 255.
void check_chapter_count(Container container, std::size_t count, const std::string& where);

// "HH:MM:SS.mmm", milliseconds rounded down from exact samples.
std::string ogg_chapter_time(std::int64_t samples);

class Muxer {
public:
    Muxer(const std::string& path, Container container, const encode::Piece& first,
          const std::vector<ChapterMark>& chapters, const Tags& tags);
    ~Muxer();
    Muxer(const Muxer&) = delete;
    Muxer& operator=(const Muxer&) = delete;

    // The audio's true length in samples at 48 kHz: the packet that crosses it
    // is written with a shorter duration, so players stop there (Ogg: the
    // last granule position; MP4: the last sample's duration) and every
    // format lasts the same. Call before the last write.
    void end_at(std::int64_t samples);
    void write(const encode::Piece& piece);
    void finish();  // flush + trailer + close; throws LibraryError/IoError

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace turncast::mux
