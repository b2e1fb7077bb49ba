#include "master/policy.hpp"

#include <cmath>

namespace turncast::master {

namespace {

// Lossy coding overshoots peaks (measured on the sample: Opus 48 kbit/s by up
// to ~3.5 dB over the limiter's sample ceiling, AAC a little less): the
// limiter leaves this much headroom below the ceiling, and the pieces whose
// decoded true peaks still pass it are encoded again a little quieter
// (encode::encode_under). Every re-encode costs an encode and a decode of a
// whole piece, and long pieces overshoot most: with 2 dB, 14 Opus and 2 AAC
// pieces of the sample (a third of its audio) were encoded twice or more;
// with 3 dB, one Opus and two AAC pieces (5%). The loudness target still
// holds (the limiter works 1 dB harder on the highest peaks).
constexpr double kCodecHeadroomDb = 3.0;
// Each piece is decoded alone, by a fresh decoder, and players decode the
// joined stream with decoders of their own (libopus, FFmpeg's): their true
// peaks differ from the check's by a few hundredths of a dB.
constexpr double kDecoderMarginDb = 0.1;

}  // namespace

// For lossy pieces the limiter's sample ceiling sits 1 dB lower, for the
// peaks that resampling finds between 22050 Hz samples (up to ~1.3 dB
// measured on the sample).
Mastering for_output(const LoudnessTarget& target, bool lossy) {
    Mastering m{target, {}};
    if (!lossy) return m;
    m.target.true_peak_dbtp -= kCodecHeadroomDb;
    m.limiter.margin_db = 1.0;
    m.limiter.true_peak_trim = false;
    return m;
}

double decoded_peak_limit(const LoudnessTarget& target) {
    return std::pow(10.0, (target.true_peak_dbtp - kDecoderMarginDb) / 20.0);
}

void master_speech(const std::vector<std::int16_t>& speech, const Mastering& m, std::vector<float>& pcm,
                   std::vector<float>& work) {
    to_float(speech, pcm);
    level(pcm, m.target, m.limiter, kSpeechRate, work);
}

}  // namespace turncast::master
