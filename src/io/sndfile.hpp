// libsndfile, wrapped once: every PCM file turncast reads or writes (the
// cache's speech, an audition, the lossless outputs) goes through here.
//
//   turncast::io::write_wav16(tmp, "out.wav", pcm, 22050);          // whole, 16-bit mono
//   turncast::io::PcmWriter w(tmp, "talk.flac", 48000, PcmWriter::Flac24);
//   w.write(block, n); w.close();                                   // streamed floats
#pragma once

#include <sndfile.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace turncast::io {

// The owner of a libsndfile handle: sf_close on destruction. Code that must
// report a failed close calls sf_close(ptr.release()) itself.
struct SndfileCloser {
    void operator()(SNDFILE* f) const noexcept { sf_close(f); }
};
using SndfilePtr = std::unique_ptr<SNDFILE, SndfileCloser>;

// Writes mono 16-bit PCM as a WAV file at `path` (usually a temporary);
// errors (IoError) name `shown` and give `hint`.
void write_wav16(const std::string& path, const std::string& shown, const std::vector<std::int16_t>& pcm, int rate,
                 const std::string& hint = "free some disk space");

// Reads a mono 16-bit WAV file that must hold exactly `frames` samples at
// `rate` into `pcm`; false if it cannot be opened or is anything else.
bool read_wav16(const std::string& path, int rate, std::int64_t frames, std::vector<std::int16_t>& pcm);

// Streams mono float samples (clipped at full scale) into a FLAC (24-bit) or
// WAV (32-bit float) file at `path`; errors name `shown`. close() reports a
// failed finish; a writer destroyed unclosed just closes.
class PcmWriter {
public:
    enum Format { Flac24, WavFloat };
    PcmWriter(const std::string& path, const std::string& shown, int rate, Format format);
    void write(const float* pcm, std::int64_t n);
    void close();

private:
    SndfilePtr f_;
    std::string shown_;
};

}  // namespace turncast::io
