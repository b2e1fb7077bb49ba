#include "io/sndfile.hpp"

#include "core/error.hpp"
#include "core/memory.hpp"

namespace turncast::io {

void write_wav16(const std::string& path, const std::string& shown, const std::vector<std::int16_t>& pcm, int rate,
                 const std::string& hint) {
    SF_INFO info{};
    info.samplerate = rate;
    info.channels = 1;
    info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    SndfilePtr f(sf_open(path.c_str(), SFM_WRITE, &info));
    if (!f) throw IoError(shown, std::string("cannot write: ") + sf_strerror(nullptr), "check the folder exists");
    const auto n = sf_count_t(pcm.size());
    if (sf_writef_short(f.get(), pcm.data(), n) != n)
        throw IoError(shown, std::string("cannot write: ") + sf_strerror(f.get()), hint);
    if (sf_close(f.release()) != 0) throw IoError(shown, "cannot finish writing", hint);
}

bool read_wav16(const std::string& path, int rate, std::int64_t frames, std::vector<std::int16_t>& pcm) {
    SF_INFO info{};
    SndfilePtr f(sf_open(path.c_str(), SFM_READ, &info));
    if (!f || info.channels != 1 || info.samplerate != rate || info.frames != frames ||
        (info.format & SF_FORMAT_SUBMASK) != SF_FORMAT_PCM_16)
        return false;
    resize_large(pcm, std::size_t(frames));
    return sf_readf_short(f.get(), pcm.data(), frames) == frames;
}

PcmWriter::PcmWriter(const std::string& path, const std::string& shown, int rate, Format format) : shown_(shown) {
    SF_INFO info{};
    info.samplerate = rate;
    info.channels = 1;
    info.format = format == Flac24 ? (SF_FORMAT_FLAC | SF_FORMAT_PCM_24) : (SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    f_.reset(sf_open(path.c_str(), SFM_WRITE, &info));
    if (!f_) throw IoError(shown, std::string("cannot create: ") + sf_strerror(nullptr));
    sf_command(f_.get(), SFC_SET_CLIPPING, nullptr, SF_TRUE);
    // A float WAV's PEAK chunk carries the time it was written: without it
    // the same render gives the same bytes.
    if (format == WavFloat) sf_command(f_.get(), SFC_SET_ADD_PEAK_CHUNK, nullptr, SF_FALSE);
}

void PcmWriter::write(const float* pcm, std::int64_t n) {
    if (sf_writef_float(f_.get(), pcm, n) != n)
        throw IoError(shown_, std::string("cannot write: ") + sf_strerror(f_.get()), "free some disk space");
}

void PcmWriter::close() {
    if (f_ && sf_close(f_.release()) != 0) throw IoError(shown_, "cannot finish writing");
}

}  // namespace turncast::io
