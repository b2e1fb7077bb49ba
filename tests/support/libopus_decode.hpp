// Opus pieces decoded by libopus, the decoder most players use, for tests and
// benchmarks that compare what a listener hears with what went in.
#pragma once

#include <opus/opus.h>

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "encode/encode.hpp"

namespace turncast::testing {

// A piece's packets decoded at `rate` (48000, the stream's, or the encoders'
// 24000), without the pre-skip: sample k lines up with input sample k at that
// rate. Throws on a packet libopus rejects.
inline std::vector<float> libopus_decode(const encode::Piece& piece, int rate) {
    int err = OPUS_OK;
    std::unique_ptr<OpusDecoder, void (*)(OpusDecoder*)> dec(opus_decoder_create(rate, 1, &err),
                                                             opus_decoder_destroy);
    if (!dec || err != OPUS_OK) throw std::runtime_error("cannot create an Opus decoder at " + std::to_string(rate));
    std::vector<float> pcm, frame(std::size_t(rate / 1000 * 120));  // 120 ms, the longest packet
    for (std::size_t k = 0; k < piece.packets.size(); ++k) {
        const auto& p = piece.packets[k];
        const int got = opus_decode_float(dec.get(), p.data.data(), opus_int32(p.data.size()), frame.data(),
                                          int(frame.size()), 0);
        if (got <= 0) throw std::runtime_error("libopus cannot decode packet " + std::to_string(k) + ": " +
                                               opus_strerror(got));
        pcm.insert(pcm.end(), frame.begin(), frame.begin() + got);
    }
    const auto skip = std::size_t(encode::delay(encode::Codec::Opus) * rate / encode::stream_rate(encode::Codec::Opus));
    pcm.erase(pcm.begin(), pcm.begin() + std::ptrdiff_t(std::min(skip, pcm.size())));
    return pcm;
}

}  // namespace turncast::testing
