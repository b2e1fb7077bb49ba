// PCM pieces → encoded pieces (Opus packets from libopus, AAC and MP3 packets
// from libavcodec's aac and libmp3lame encoders).
//
// Pieces are encoded by fresh encoders, independently and in parallel, and
// joined by the muxer. Each piece occupies exactly `span` samples of its
// file's timeline (48 kHz samples), a multiple of its codec's unit (a 20 ms
// Opus frame; a 1024-sample AAC frame at 24 kHz, 2048 timeline samples; a
// 576-sample MP3 frame at 24 kHz, 1152 timeline samples), and
// its input begins `span` samples after the previous piece's once the
// stream's single pre-skip / priming is removed:
//
//   auto span  = turncast::encode::span_for(codec, content_samples);
//   auto piece = turncast::encode::encode_piece(codec, settings, content, n, lead, input_samples(codec, span));
//   // piece.packets decode to span timeline samples; the content begins
//   // delay() of them in, i.e. exactly at the piece's place on the timeline
//   // once the stream's single pre-skip / priming is removed.
//
// Every encoder takes 24 kHz input: espeak's speech ends near 11 kHz, so
// nothing is lost; FFmpeg's AAC encoder then handles half the frames (≈20%
// less CPU, and half the MP4 muxer's per-frame index, which grows with the
// audio), and a segment is resampled once for all codecs. MP3 stays at 24 kHz
// too (MPEG-2 Layer III, which every MP3 decoder plays): the timeline maps onto
// it exactly (44.1 kHz would not), and LAME codes half the frames of 48 kHz.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace turncast::encode {

enum class Codec { Opus, Aac, Mp3 };  // the values are the cache format's codec byte


// Every encoder takes 24 kHz input (espeak's speech ends near 11 kHz, so
// nothing is lost): one resampled copy of a segment feeds them all. libopus
// codes it as a 48 kHz stream (what every Opus decoder outputs); AAC and MP3
// stay 24 kHz.
constexpr int kInputRate = 24000;
// Where a piece's content may start at the earliest (timeline samples: 20 ms,
// one Opus frame). Then its first Opus frame is digital silence, after which a
// player's decoder, fresh or coming from the piece before, is in the same
// state, so the piece decodes to the same samples in the joined stream as
// alone, where its decoded peaks are checked. Content in the first frame
// decodes differently after another piece (measured: up to 0.5 apart on
// noise-like content; CELT predicts a frame's band energies from the frame
// before). AAC and MP3 pieces decode the same with any lead.
constexpr std::int64_t kMinLead = 960;
int rate(Codec codec);         // the encoder's input rate: kInputRate
int stream_rate(Codec codec);  // the coded stream's rate: 48000 (Opus) or 24000 (AAC, MP3)
// In timeline samples (48 kHz), like every length below except encode_piece's input:
// 312 (Opus pre-skip), 2048 (AAC priming, 1024 at 24 kHz) or 2210 (MP3: LAME's
// 576 samples at 24 kHz plus the MP3 decoder's 529, 1105 in all).
std::int64_t delay(Codec codec);
std::int64_t frame(Codec codec);  // 3840 (80 ms Opus packets), 2048 (1024 at 24 kHz) or 1152 (576)
// A piece's span is a multiple of this: 960 (a 20 ms Opus frame; the last
// packet of a piece holds one to four), 2048 (an AAC frame) or 1152 (an MP3
// frame).
std::int64_t unit(Codec codec);
// Timeline samples counted at rate(codec), or at stream_rate(codec) (exact
// for pauses, spans, frames and delays, which are even).
std::int64_t codec_samples(Codec codec, std::int64_t timeline_samples);
std::int64_t stream_samples(Codec codec, std::int64_t timeline_samples);
// The encoder input a piece of `span` timeline samples takes, at rate(codec).
std::int64_t input_samples(Codec codec, std::int64_t span);
// Smallest multiple of unit(codec) that holds content_samples plus the
// codec's delay and leaves its encoder at least one input sample.
std::int64_t span_for(Codec codec, std::int64_t content_samples);

struct Settings {
    int opus_bitrate = 48000;     // bit/s, mono speech
    // libopus complexity (0-10) per 20 ms frame: `opus_complexity` for a
    // frame holding a speech onset (a 2.5 ms block `opus_onset_rise_db` over
    // the 20 ms before it, in the frame or the 10 ms before it), and
    // `opus_steady_complexity` for the rest. Complexity 0 turns off CELT's
    // transient detection (long blocks only: pre-echo into the silence before
    // an onset) and its spreading, for about a third less encoding and
    // decoding. Equal values encode every packet alike. README has the
    // measured trade-off.
    int opus_complexity = 3;
    int opus_steady_complexity = 0;
    double opus_onset_rise_db = 12.0;
    // FFmpeg's AAC encoder at a constant quality (its -q:a scale, 0.1-2): 0.8
    // lands near 53 kbit/s on espeak speech, with the error (SNR) of its
    // 48 kbit/s CBR mode (≈62 kbit/s actual) for ≈30% less CPU (bench_stages),
    // because the per-frame rate-control loop is skipped. aac_bitrate > 0
    // selects CBR.
    double aac_quality = 0.8;
    int aac_bitrate = 0;          // bit/s, mono
    bool aac_fast_coder = true;   // aac_coder=fast
    // LAME at a constant bitrate, mono, without its bit reservoir: see encode.cpp.
    int mp3_bitrate = 64000;      // bit/s
    int mp3_quality = 3;          // LAME's algorithm quality, 0 (best) - 9 (fastest); 3 is its default
};

// The version of the cache format of an encoded piece (serialise()); part of
// every fingerprint(). 2: the checksum is XXH3-64 (it was FNV-1a, a multiply
// per byte: ~50 ms of CPU for the sample's pieces, written once and read once).
constexpr std::uint32_t kFormatVersion = 2;

struct Packet {
    std::vector<std::uint8_t> data;
    std::int64_t duration = 0;  // timeline samples
};

struct Piece {
    Codec codec = Codec::Opus;
    std::int64_t span = 0;                 // samples this piece occupies on the timeline
    std::vector<std::uint8_t> extradata;   // codec header (OpusHead / AudioSpecificConfig; none for MP3)
    std::vector<Packet> packets;           // sum of durations == span
};

// input.size() must equal input_samples(codec, span) for some multiple `span` of
// unit(codec); the input is at rate(codec).
// Throws LibraryError.
Piece encode_piece(Codec codec, const Settings& settings, const std::vector<float>& input);

// Hands out the next `count` samples of a piece's content, in order.
using Pull = std::function<void(float* out, std::int64_t count)>;

// The same packets as encode_piece() of an input made of `lead` zeros, then
// content_samples pulled from `content`, then zeros up to input_samples in
// all (every count at rate(codec)), without building that input in memory:
// the content is pulled one frame at a time (a piece is mostly one segment's
// speech, resampled on the way in).
// With peak, each packet is also decoded as it comes out (libavcodec's Opus,
// AAC or MP3 decoder, on the piece alone) and the decoded audio's true
// peak measured: lossy coding overshoots the input's peaks, and the renderer
// checks them against its true-peak ceiling.
// The gain factor for encoding a piece again after its decoded true peak came
// out at `true_peak` against a ceiling `above`: aimed 1% under the ceiling,
// but at least 0.25 dB lower (AAC and MP3 0.5 dB: their scalefactors move in 1.5 dB
// steps, and on the sample a copy 0.26 dB quieter decoded to the very same
// peak) and at most 1 dB: an overshoot is not always proportional to the
// level (FFmpeg's AAC encoder once decoded to a peak of 1.22 from a copy of
// the sample's speech whose samples stayed under 0.5), and a cut sized to
// such a peak would leave the segment audibly quieter than its neighbours.
double quieter(Codec codec, double above, double true_peak);

struct PeakCheck {
    double above = 0.0;      // in: the ceiling (linear)
    double true_peak = 0.0;  // out: exact when it exceeds `above`, otherwise some value <= above
};
Piece encode_piece(Codec codec, const Settings& settings, const Pull& content, std::int64_t content_samples,
                   std::int64_t lead, std::int64_t input_samples, PeakCheck* peak = nullptr);
Piece encode_piece(Codec codec, const Settings& settings, const float* content, std::int64_t content_samples,
                   std::int64_t lead, std::int64_t input_samples, PeakCheck* peak = nullptr);

// encode_piece() of `content` (content_samples at rate(codec), after `lead`
// zeros, in a piece of `span`), encoded again a little quieter (quieter())
// while its decoded true peak passes `ceiling` (linear): lossy coding
// overshoots the input's peaks, sometimes by more than the headroom the
// mastering left for it. Each copy is checked too: a quieter copy overshoots
// differently. Throws LibraryError when eight attempts all pass the ceiling
// (`ceiling_dbtp` names it in the message).
Piece encode_under(Codec codec, const Settings& settings, const float* content, std::int64_t content_samples,
                   std::int64_t lead, std::int64_t span, double ceiling, double ceiling_dbtp);

// The true peak the piece decodes to, as encode_piece() measures it (exact
// when it exceeds `above`). Throws LibraryError.
double decoded_true_peak(const Piece& piece, double above = 0.0);

// A string that changes whenever the encoded bytes could: library versions and
// settings. Part of every encoded piece's cache key.
std::string fingerprint(Codec codec, const Settings& settings);

// Binary (de)serialisation for the cache; load verifies a checksum and throws
// IoError on a truncated or corrupted file.
std::vector<std::uint8_t> serialise(const Piece& piece);
Piece deserialise(const std::vector<std::uint8_t>& bytes, const std::string& where);
Piece deserialise(const std::uint8_t* bytes, std::size_t size, const std::string& where);

}  // namespace turncast::encode
