// PCM pieces → Opus / AAC / MP3 packets (libopus; FFmpeg's native AAC encoder
// and LAME through libavcodec). The cache format is in piece_file.cpp.
//
// Why the piece arithmetic is exact (measured with libopus 1.3.1 and
// libavcodec 59.37 / FFmpeg 5.1, and checked at run time below, so a library
// that behaves differently fails loudly instead of drifting the chapter marks):
//
//  * Every encoder counts its delay into the output: the stream starts with
//    `delay` samples of encoder look-ahead (libopus 156 at its 24 kHz input
//    for the "audio" application, 312 at the stream's 48 kHz: the OpusHead
//    pre-skip; AAC priming 1024 at 24 kHz; MP3 1105 at 24 kHz, LAME's 576
//    and the decoder's 529, which libavcodec's audio frame queue adds as
//    `initial_padding`), and packets are emitted until input + delay samples
//    are covered, each `frame` long (80 ms Opus frames: 1920 input, 3840
//    decoded samples; 1024 AAC; 576 MP3).
//  * So feeding span - delay samples (in the codec's own samples), span a
//    multiple of the codec's unit (a 20 ms Opus frame, a 1024-sample AAC
//    frame), yields packets whose durations sum to span (Opus: 80 ms packets,
//    the last one 20-80 ms): the last frame is padded with silence, and AAC's
//    one-frame look-ahead is drained by the flush. No packet carries
//    skip-samples side data. LAME's flush adds a frame or two more (it pads
//    at least 47 samples past the decoder's delay): those, which libavcodec
//    marks as all padding, are left out.
//  * The content therefore starts `delay` samples into the piece's decoded
//    audio; the muxer removes one pre-skip / priming for the whole stream, and
//    the next piece's delay fills the tail of this one. Pieces start with a
//    pause, so that tail is (near) silence.
//  * An MP3 decoder is causal frame by frame (a frame's output needs only it
//    and the frames before), so the frames kept hold all of the piece's
//    audio. Without LAME's bit reservoir every frame carries its own bits: a
//    piece never points back into the piece before it, and a player that
//    seeks (a chapter jump) decodes the first frame it lands on. At 64 kbit/s
//    the reservoir bought nothing measurable on espeak speech (SNR 22.2 dB
//    with it, 22.4 dB without).
//
// Opus is encoded with libopus's own single-stream API rather than through
// libavcodec: libavcodec's wrapper drives libopus's multistream encoder, whose
// every call asks opus_encoder_get_size(), which in Debian's build (custom
// modes) runs CPUID twice; on a virtual machine each CPUID traps to the
// hypervisor (~7 us measured here). With 40 ms frames that was a quarter of
// libopus's time; the direct API also lets packets be 80 ms (on one minute of speech: 0.18 s through libavcodec with 40 ms
// frames, 0.10 s direct with 80 ms). The packets and the OpusHead are the same
// kind libavcodec would write, and libavformat muxes them.
#include "encode/encode.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

#include <fmt/format.h>
#include <opus.h>
#include <xxhash.h>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/channel_layout.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
#include <libavutil/intreadwrite.h>
#include <libavutil/mem.h>
#include <libavutil/opt.h>
}

#include "core/error.hpp"
#include "core/timeline.hpp"
#include "io/av.hpp"
#include "master/master.hpp"

namespace turncast::encode {

namespace {

using io::av_error_text;
using io::CodecContextPtr;
using io::FramePtr;
using io::PacketPtr;
struct OpusEncoderDeleter {
    void operator()(OpusEncoder* e) const { opus_encoder_destroy(e); }
};
using OpusEncoderPtr = std::unique_ptr<OpusEncoder, OpusEncoderDeleter>;

// The one error boundary for libavcodec in this file.
int check_av(int ret, const char* what) {
    if (ret < 0) throw LibraryError("libavcodec", fmt::format("{}: {}", what, av_error_text(ret)));
    return ret;
}

// The one error boundary for libopus.
int check_opus(int ret, const char* what) {
    if (ret < 0) throw LibraryError("libopus", fmt::format("{}: {}", what, opus_strerror(ret)));
    return ret;
}

// Opus application and VBR mode, chosen by measurement on 60 s of espeak speech
// at 48 kbit/s (libopus 1.3.1; README has the table):
//  * "voip" is 1.5-2x slower than "audio" at the same complexity (it runs
//    SILK/hybrid modes) for no audible gain at this bitrate;
//  * "audio" with unconstrained VBR overshoots to ~85 kbit/s at complexity
//    1-6 (libopus skips its tonality analysis below 7), so VBR is
//    constrained, which holds 48 kbit/s at every complexity.
// Both applications have the same 312-sample lookahead (checked at open).
// 80 ms frames (3840 samples): libopus codes them as four
// 20 ms frames in one packet, with a quarter of the per-call overhead, and
// latency does not matter for a file.
constexpr int kOpusRate = 48000;                       // the Opus stream's (and decoder's) rate
constexpr int kOpusFrame = 3840;                       // 80 ms at 48 kHz: timeline samples
constexpr int kOpusInputFrame = kOpusFrame * kInputRate / kOpusRate;
constexpr int kCeltFrames = 4;                                 // 20 ms frames in a full packet
constexpr int kCeltFrame = kOpusFrame / kCeltFrames;           // 960 timeline samples: a piece's unit
constexpr int kCeltInputFrame = kOpusInputFrame / kCeltFrames;  // 480 input samples
constexpr int kOpusMaxFrame = 1275 + 1;                          // a frame's largest packet: TOC + 1275
constexpr int kAacRate = kInputRate;
constexpr int kAacFrame = 1024;                     // at 24 kHz; also the encoder's priming
constexpr int kAacScale = kTimelineRate / kAacRate; // timeline samples per AAC sample
// MPEG-2 Layer III at 24 kHz: one granule of 576 samples a frame. LAME's
// encoder delay is 576 and an MP3 decoder's 529 (libavcodec's wrapper adds
// both as initial_padding, what the LAME header tells a player to skip).
constexpr int kMp3Frame = 576;
constexpr int kMp3Delay = 576 + 529;
static_assert(kTimelineRate / kInputRate == kAacScale, "AAC and MP3 count 24 kHz samples alike");
constexpr int kOpusMaxPacket = 4 * 1275 + 16;  // four frames of at most 1275 bytes, plus framing

// Espeak's speech ends near 11 kHz: coding up to 12 kHz (Opus' super-wideband)
// spends no bits above it; in one render of the sample it also encoded ~10%
// faster and overshot the input's peaks less (12 pieces encoded twice
// instead of 16).
OpusEncoderPtr open_opus(const Settings& settings) {
    int err = OPUS_OK;
    OpusEncoderPtr enc(opus_encoder_create(kInputRate, 1, OPUS_APPLICATION_AUDIO, &err));
    if (!enc || err != OPUS_OK) check_opus(err == OPUS_OK ? OPUS_ALLOC_FAIL : err, "creating an encoder");
    check_opus(opus_encoder_ctl(enc.get(), OPUS_SET_BITRATE(settings.opus_bitrate)), "setting the bitrate");
    check_opus(opus_encoder_ctl(enc.get(), OPUS_SET_COMPLEXITY(settings.opus_complexity)), "setting the complexity");
    check_opus(opus_encoder_ctl(enc.get(), OPUS_SET_VBR(1)), "enabling VBR");
    check_opus(opus_encoder_ctl(enc.get(), OPUS_SET_VBR_CONSTRAINT(1)), "constraining VBR");
    check_opus(opus_encoder_ctl(enc.get(), OPUS_SET_MAX_BANDWIDTH(OPUS_BANDWIDTH_SUPERWIDEBAND)), "setting the bandwidth");
    opus_int32 lookahead = 0;
    check_opus(opus_encoder_ctl(enc.get(), OPUS_GET_LOOKAHEAD(&lookahead)), "asking the look-ahead");
    // In input samples; the stream's pre-skip counts it at 48 kHz.
    if (lookahead != codec_samples(Codec::Opus, delay(Codec::Opus)))
        throw LibraryError("libopus", fmt::format("the encoder has look-ahead {}; turncast needs {}", lookahead,
                                                  codec_samples(Codec::Opus, delay(Codec::Opus))),
                           "this libopus version joins pieces differently; please report it");
    return enc;
}

// The OpusHead of a mono stream (RFC 7845, channel mapping family 0). The
// "input sample rate" is informational; some players decode at it, so it
// names the 48 kHz the stream is meant to be played at.
std::vector<std::uint8_t> opus_head() {
    const auto pre_skip = std::uint32_t(delay(Codec::Opus));
    const auto rate = std::uint32_t(kOpusRate);
    return {'O', 'p', 'u', 's', 'H', 'e', 'a', 'd',
            1,  // version
            1,  // channels
            std::uint8_t(pre_skip), std::uint8_t(pre_skip >> 8),
            std::uint8_t(rate), std::uint8_t(rate >> 8), std::uint8_t(rate >> 16), std::uint8_t(rate >> 24),
            0, 0,  // output gain
            0};    // channel mapping family
}

// A mono libavcodec encoder of 24 kHz float input, repeatable, not opened yet.
CodecContextPtr new_encoder(const char* name, const char* install) {
    const AVCodec* enc = avcodec_find_encoder_by_name(name);
    if (!enc) throw LibraryError("libavcodec", fmt::format("the {} encoder is not available", name), install);
    CodecContextPtr ctx(avcodec_alloc_context3(enc));
    if (!ctx) throw LibraryError("libavcodec", "out of memory allocating an encoder");
    ctx->sample_rate = kInputRate;
    av_channel_layout_default(&ctx->ch_layout, 1);
    ctx->time_base = AVRational{1, kInputRate};
    ctx->flags |= AV_CODEC_FLAG_BITEXACT;
    ctx->sample_fmt = AV_SAMPLE_FMT_FLTP;
    return ctx;
}

// Opens the encoder, and checks the delay and frame size the piece arithmetic
// counts on (at 24 kHz).
void open_encoder(const CodecContextPtr& ctx, int delay, int frame, const char* library) {
    check_av(avcodec_open2(ctx.get(), ctx->codec, nullptr), "opening an encoder");
    if (ctx->initial_padding != delay || ctx->frame_size != frame)
        throw LibraryError("libavcodec",
                           fmt::format("the {} encoder has delay {} and frame size {}; turncast needs {} and {}",
                                       ctx->codec->name, ctx->initial_padding, ctx->frame_size, delay, frame),
                           fmt::format("this {} version joins pieces differently; please report it", library));
}

// FFmpeg's native AAC encoder.
CodecContextPtr open_aac(const Settings& settings) {
    CodecContextPtr ctx = new_encoder("aac", "install FFmpeg's libavcodec (Debian: libavcodec59)");
    if (settings.aac_bitrate > 0) {
        ctx->bit_rate = settings.aac_bitrate;
    } else {
        ctx->flags |= AV_CODEC_FLAG_QSCALE;
        ctx->global_quality = int(std::lround(settings.aac_quality * FF_QP2LAMBDA));
    }
    check_av(av_opt_set(ctx->priv_data, "aac_coder", settings.aac_fast_coder ? "fast" : "twoloop", 0), "aac_coder");
    // No perceptual noise substitution: a PNS band is noise the decoder makes
    // up from its own random state, which runs on from one piece to the next
    // in a player but starts afresh in the decoded-peak check, so the peaks a
    // player decodes could not be checked (one piece of the sample decoded
    // 0.5 dB over the ceiling in the joined stream, under it alone); and every
    // decoder's noise differs. On espeak speech at this quality it saves
    // ~0.3 kbit/s and no time.
    check_av(av_opt_set_int(ctx->priv_data, "aac_pns", 0, 0), "aac_pns");
    open_encoder(ctx, kAacFrame, kAacFrame, "libavcodec");
    return ctx;
}

// LAME through libavcodec, at a constant bitrate (a player finds a time in a
// CBR file from its size, so a chapter jump lands where it should in every
// app, with or without a seek table), mono, without the bit reservoir (see
// the top of this file).
CodecContextPtr open_mp3(const Settings& settings) {
    CodecContextPtr ctx = new_encoder(
        "libmp3lame", "install FFmpeg's libavcodec built with LAME (Debian: libavcodec59, libmp3lame0)");
    ctx->bit_rate = settings.mp3_bitrate;
    ctx->compression_level = settings.mp3_quality;
    check_av(av_opt_set_int(ctx->priv_data, "reservoir", 0, 0), "reservoir");
    open_encoder(ctx, kMp3Delay, kMp3Frame, "LAME");
    return ctx;
}

// Moves every packet the encoder has ready into `out`, but LAME's last
// frames, which are padding only (see the top of this file). libavcodec's
// libmp3lame wrapper marks its first packet with the encoder's delay as
// samples to skip (the muxer writes it into the LAME header); any packet
// marked with samples to discard at its end would make a piece shorter
// than its span.
void drain(AVCodecContext* ctx, AVPacket* pkt, Codec codec, std::vector<Packet>& out) {
    for (;;) {
        int ret = avcodec_receive_packet(ctx, pkt);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return;
        check_av(ret, "receiving an encoded packet");
        if (codec == Codec::Mp3 && pkt->duration == 0) {
            av_packet_unref(pkt);
            continue;
        }
        std::size_t size = 0;
        const std::uint8_t* skip = av_packet_get_side_data(pkt, AV_PKT_DATA_SKIP_SAMPLES, &size);
        const bool start_skip_only = skip && size >= 8 && codec == Codec::Mp3 && out.empty() &&
                                     AV_RL32(skip) == std::uint32_t(ctx->initial_padding) && AV_RL32(skip + 4) == 0;
        if (skip && !start_skip_only)
            throw LibraryError("libavcodec", "the encoder trimmed a packet inside a piece",
                               "the piece length is not a whole number of frames; please report it");
        Packet p;
        p.data.assign(pkt->data, pkt->data + pkt->size);
        p.duration = pkt->duration * kAacScale;
        out.push_back(std::move(p));
        av_packet_unref(pkt);  // pkt is blank again, ready for the next receive
    }
}

// Decodes a piece's packets one at a time, on the piece alone, with
// libavcodec's decoders (for Opus FFmpeg's own, which decodes the sample's
// Opus output to within 1e-6 of libopus in two thirds of its time), and
// measures the true peak of what a player outputs (the decoder leaves out
// Opus' pre-skip, as players do).
class PeakDecoder {
public:
    PeakDecoder(Codec codec, const std::vector<std::uint8_t>& extradata, double above)
        : meter_(above, stream_rate(codec)) {
        const AVCodec* dec = codec == Codec::Opus ? avcodec_find_decoder_by_name("opus")
                             : codec == Codec::Aac ? avcodec_find_decoder(AV_CODEC_ID_AAC)
                                                   : avcodec_find_decoder_by_name("mp3float");
        if (!dec) throw LibraryError("libavcodec", "no decoder for the piece's codec", "install FFmpeg's libavcodec (Debian: libavcodec59)");
        ctx_.reset(avcodec_alloc_context3(dec));
        if (!ctx_) throw LibraryError("libavcodec", "cannot allocate a decoder");
        ctx_->sample_rate = stream_rate(codec);
        ctx_->pkt_timebase = AVRational{1, kTimelineRate};  // packet pts below count timeline samples
        av_channel_layout_default(&ctx_->ch_layout, 1);
        if (!extradata.empty()) {
            ctx_->extradata = static_cast<std::uint8_t*>(av_mallocz(extradata.size() + AV_INPUT_BUFFER_PADDING_SIZE));
            if (!ctx_->extradata) throw LibraryError("libavcodec", "cannot allocate decoder extradata");
            std::memcpy(ctx_->extradata, extradata.data(), extradata.size());
            ctx_->extradata_size = int(extradata.size());
        }
        check_av(avcodec_open2(ctx_.get(), dec, nullptr), "opening a decoder");
        pkt_.reset(av_packet_alloc());
        frame_.reset(av_frame_alloc());
        if (!pkt_ || !frame_) throw LibraryError("libavcodec", "cannot allocate a packet or frame");
    }

    void add(const Packet& p) {
        check_av(av_new_packet(pkt_.get(), int(p.data.size())), "allocating a packet");
        std::memcpy(pkt_->data, p.data.data(), p.data.size());
        pkt_->pts = pts_;  // so the decoder can account for the samples it skips
        pts_ += p.duration;
        check_av(avcodec_send_packet(ctx_.get(), pkt_.get()), "decoding a piece");
        av_packet_unref(pkt_.get());
        receive();
    }

    double finish() {
        avcodec_send_packet(ctx_.get(), nullptr);
        receive();
        return meter_.finish();
    }

private:
    void receive() {
        while (avcodec_receive_frame(ctx_.get(), frame_.get()) == 0) {
            const AVFrame* f = frame_.get();
            // FFmpeg's AAC, Opus and MP3 (mp3float) decoders output planar float.
            if (f->format != AV_SAMPLE_FMT_FLTP && f->format != AV_SAMPLE_FMT_FLT)
                throw LibraryError("libavcodec", "the decoder gave samples that are not float");
            meter_.add(reinterpret_cast<const float*>(f->extended_data[0]), std::size_t(f->nb_samples));
            av_frame_unref(frame_.get());
        }
    }

    CodecContextPtr ctx_;
    std::int64_t pts_ = 0;
    PacketPtr pkt_;
    FramePtr frame_;
    master::TruePeakMeter meter_;
};

}  // namespace

int rate(Codec) { return kInputRate; }
int stream_rate(Codec codec) { return codec == Codec::Opus ? kOpusRate : kAacRate; }
std::int64_t delay(Codec codec) {
    return codec == Codec::Opus ? 312 : codec == Codec::Aac ? kAacFrame * kAacScale : kMp3Delay * kAacScale;
}
std::int64_t frame(Codec codec) {
    return codec == Codec::Opus ? kOpusFrame : codec == Codec::Aac ? kAacFrame * kAacScale : kMp3Frame * kAacScale;
}
std::int64_t codec_samples(Codec codec, std::int64_t timeline_samples) {
    return timeline_samples / (kTimelineRate / rate(codec));
}
std::int64_t stream_samples(Codec codec, std::int64_t timeline_samples) {
    return timeline_samples / (kTimelineRate / stream_rate(codec));
}
std::int64_t input_samples(Codec codec, std::int64_t span) { return codec_samples(codec, span - delay(codec)); }

std::int64_t unit(Codec codec) { return codec == Codec::Opus ? kCeltFrame : frame(codec); }

std::int64_t span_for(Codec codec, std::int64_t content_samples) {
    const std::int64_t u = unit(codec), need = std::max<std::int64_t>(content_samples, 0) + delay(codec);
    const std::int64_t span = (need + u - 1) / u * u;
    return span > delay(codec) ? span : span + u;  // an encoder takes at least one sample
}

double quieter(Codec codec, double above, double true_peak) {
    return std::clamp(above / true_peak * 0.99, 0.89, codec == Codec::Opus ? 0.97 : 0.94);
}

double decoded_true_peak(const Piece& piece, double above) {
    PeakDecoder dec(piece.codec, piece.extradata, above);
    for (const auto& p : piece.packets) dec.add(p);
    return dec.finish();
}

Piece encode_piece(Codec codec, const Settings& settings, const std::vector<float>& input) {
    return encode_piece(codec, settings, input.data(), static_cast<std::int64_t>(input.size()), 0,
                        static_cast<std::int64_t>(input.size()));
}

Piece encode_piece(Codec codec, const Settings& settings, const float* content, std::int64_t content_samples,
                   std::int64_t lead, std::int64_t input_samples, PeakCheck* peak) {
    std::int64_t at = 0;
    const Pull pull = [&](float* out, std::int64_t count) {
        std::copy(content + at, content + at + count, out);
        at += count;
    };
    return encode_piece(codec, settings, pull, content_samples, lead, input_samples, peak);
}

Piece encode_under(Codec codec, const Settings& settings, const float* content, std::int64_t content_samples,
                   std::int64_t lead, std::int64_t span, double ceiling, double ceiling_dbtp) {
    PeakCheck check;
    check.above = ceiling;
    auto encode_at = [&](float gain) {
        std::int64_t at = 0;
        const Pull pull = [&](float* out, std::int64_t n) {
            const float* from = content + at;
            if (gain == 1.0f) std::copy(from, from + n, out);
            else for (std::int64_t j = 0; j < n; ++j) out[j] = from[j] * gain;
            at += n;
        };
        return encode_piece(codec, settings, pull, content_samples, lead, input_samples(codec, span), &check);
    };
    float gain = 1.0f;
    auto piece = encode_at(gain);
    // Every step lowers the gain by 0.25-1 dB, so this ends within a few.
    for (int attempt = 0; check.true_peak > check.above; ++attempt) {
        if (attempt == 8)
            throw LibraryError(codec == Codec::Opus ? "libopus" : codec == Codec::Aac ? "libavcodec" : "LAME",
                               fmt::format("encoded audio keeps passing the {:.1f} dBTP ceiling", ceiling_dbtp),
                               "render with a lower --loudness target");
        gain *= float(quieter(codec, check.above, check.true_peak));
        piece = encode_at(gain);
    }
    return piece;
}

namespace {

// Writes input samples [at, at + count): `lead` zeros, the content, zeros.
using Fill = std::function<void(float* dst, std::int64_t at, std::int64_t count)>;

// Finds speech onsets, packet by packet: does a 2.5 ms block of this packet
// (or of the last 10 ms of the one before, which its first frame's window
// overlaps: 156 samples of look-ahead plus 60 of overlap) carry more than
// `rise` times the mean energy of the 20 ms before it, and more than -60 dBFS?
// Such a packet is where long MDCT blocks smear coding noise ahead of the
// onset, into silence that does not mask it.
class OnsetWatch {
public:
    explicit OnsetWatch(double rise_db) : rise_(std::pow(10.0, rise_db / 10.0)) {}

    // Whether a 20 ms frame of input (kCeltInputFrame samples), or the last
    // 10 ms of the one before (which its window reaches back into, with the
    // encoder's look-ahead), holds an onset.
    bool onset_in(const float* pcm) {
        // energy_[0, kBack) are the previous frames' last blocks.
        std::copy(energy_.end() - kBack, energy_.end(), energy_.begin());
        for (int b = 0; b < kBlocks; ++b) {
            double e = 0.0;
            for (int i = 0; i < kBlock; ++i) e += double(pcm[b * kBlock + i]) * pcm[b * kBlock + i];
            energy_[std::size_t(kBack + b)] = e;
        }
        for (int b = kBack - kLookBack; b < kBack + kBlocks; ++b) {
            double before = 0.0;
            for (int k = 1; k <= kHistory; ++k) before += energy_[std::size_t(b - k)];
            const double e = energy_[std::size_t(b)];
            if (e > kFloor && e * kHistory > rise_ * before) return true;
        }
        return false;
    }

private:
    static constexpr int kBlock = 60;                         // 2.5 ms at 24 kHz
    static constexpr int kBlocks = kCeltInputFrame / kBlock;  // 8 a frame
    static constexpr int kHistory = 8;                        // 20 ms
    static constexpr int kLookBack = 4;                       // 10 ms of the previous frame
    static constexpr int kBack = kHistory + kLookBack;
    static constexpr double kFloor = 1e-6 * kBlock;           // mean square of -60 dBFS
    static_assert(kBlocks * kBlock == kCeltInputFrame);
    double rise_;
    std::array<double, kBack + kBlocks> energy_{};  // the piece starts after silence
};

struct RepacketizerDeleter {
    void operator()(OpusRepacketizer* r) const { opus_repacketizer_destroy(r); }
};

// The n input samples, then silence while the encoder's look-ahead drains:
// span timeline samples in all, span / kOpusFrame packets. Each 20 ms frame is
// encoded on its own, at the complexity its onset rule asks for, and every
// four are joined into one 80 ms packet (libopus codes an 80 ms call as four
// 20 ms frames in the same way); where the complexity is the same for every
// frame, the whole packet is encoded in one call.
void encode_opus(const Settings& settings, const Fill& fill, std::int64_t n, Piece& piece, PeakDecoder* peaks) {
    OpusEncoderPtr enc = open_opus(settings);
    std::unique_ptr<OpusRepacketizer, RepacketizerDeleter> joiner(opus_repacketizer_create());
    if (!joiner) throw LibraryError("libopus", "out of memory creating a repacketizer");
    std::vector<float> pcm(kOpusInputFrame);
    std::vector<unsigned char> frames(std::size_t(kCeltFrames) * kOpusMaxFrame), bytes(kOpusMaxPacket);
    OnsetWatch onsets(settings.opus_onset_rise_db);
    const bool per_frame = settings.opus_complexity != settings.opus_steady_complexity;
    int complexity = settings.opus_complexity;
    auto set_complexity = [&](int want) {
        if (want == complexity) return;
        check_opus(opus_encoder_ctl(enc.get(), OPUS_SET_COMPLEXITY(want)), "setting the complexity");
        complexity = want;
    };
    // 80 ms packets; the last one holds the 20 ms frames left (1-4).
    const std::int64_t end = codec_samples(Codec::Opus, piece.span);
    for (std::int64_t at = 0; at < end; at += kOpusInputFrame) {
        const int celt_frames = int(std::min<std::int64_t>(kCeltFrames, (end - at) / kCeltInputFrame));
        const int input_frame = celt_frames * kCeltInputFrame;
        const std::int64_t count = std::clamp<std::int64_t>(n - at, 0, input_frame);
        fill(pcm.data(), at, count);
        std::fill(pcm.begin() + count, pcm.end(), 0.0f);
        int size = 0;
        if (!per_frame) {
            size = check_opus(
                opus_encode_float(enc.get(), pcm.data(), input_frame, bytes.data(), opus_int32(bytes.size())),
                "encoding a frame");
        } else {
            opus_repacketizer_init(joiner.get());
            for (int f = 0; f < celt_frames; ++f) {
                const float* frame = pcm.data() + f * kCeltInputFrame;
                set_complexity(onsets.onset_in(frame) ? settings.opus_complexity : settings.opus_steady_complexity);
                unsigned char* out = frames.data() + std::size_t(f) * kOpusMaxFrame;
                const int got = check_opus(opus_encode_float(enc.get(), frame, kCeltInputFrame, out, kOpusMaxFrame),
                                           "encoding a frame");
                check_opus(opus_repacketizer_cat(joiner.get(), out, got), "joining frames into a packet");
            }
            size = check_opus(opus_repacketizer_out(joiner.get(), bytes.data(), opus_int32(bytes.size())),
                              "joining frames into a packet");
        }
        Packet p;
        p.data.assign(bytes.begin(), bytes.begin() + size);
        p.duration = std::int64_t(celt_frames) * kCeltFrame;
        if (peaks) peaks->add(p);
        piece.packets.push_back(std::move(p));
    }
}

// The n input samples through libavcodec's frame queue (AAC or MP3), which
// adds the priming in front and pads the last frame; the flush drains the
// look-ahead.
void encode_lavc(const CodecContextPtr& ctx, const Fill& fill, std::int64_t n, Piece& piece, PeakDecoder* peaks) {
    FramePtr frm(av_frame_alloc());
    PacketPtr pkt(av_packet_alloc());
    if (!frm || !pkt) throw LibraryError("libavcodec", "out of memory allocating a frame");
    std::size_t checked = 0;  // packets already decoded
    auto drain_all = [&] {
        drain(ctx.get(), pkt.get(), piece.codec, piece.packets);
        for (; peaks && checked < piece.packets.size(); ++checked) peaks->add(piece.packets[checked]);
    };

    const int fs = ctx->frame_size;
    frm->format = ctx->sample_fmt;
    frm->sample_rate = ctx->sample_rate;
    check_av(av_channel_layout_copy(&frm->ch_layout, &ctx->ch_layout), "frame channel layout");
    frm->nb_samples = fs;
    check_av(av_frame_get_buffer(frm.get(), 0), "allocating a frame");

    std::int64_t pts = 0;
    for (std::int64_t at = 0; at < n; at += fs) {
        const int count = static_cast<int>(std::min<std::int64_t>(fs, n - at));
        // The encoder may still hold a reference to the previous frame's buffer.
        check_av(av_frame_make_writable(frm.get()), "making a frame writable");
        frm->nb_samples = count;  // a short last frame: the encoder pads it with silence
        fill(reinterpret_cast<float*>(frm->data[0]), at, count);
        frm->pts = pts;
        pts += count;
        check_av(avcodec_send_frame(ctx.get(), frm.get()), "sending audio to the encoder");
        drain_all();
    }
    check_av(avcodec_send_frame(ctx.get(), nullptr), "flushing the encoder");
    drain_all();

    const char* name = ctx->codec->name;
    std::int64_t total = 0;
    for (const auto& p : piece.packets) {
        if (p.duration != frame(piece.codec))
            throw LibraryError("libavcodec", fmt::format("the {} encoder produced a {}-sample packet; expected {}", name,
                                                         p.duration, frame(piece.codec)));
        total += p.duration;
    }
    if (total != piece.span)
        throw LibraryError("libavcodec",
                           fmt::format("the {} encoder produced {} samples for a {}-sample piece", name, total, piece.span),
                           "please report it: pieces would drift against the chapter marks");
}

}  // namespace

Piece encode_piece(Codec codec, const Settings& settings, const Pull& content, std::int64_t content_samples,
                   std::int64_t lead, std::int64_t input_samples, PeakCheck* peak) {
    const std::int64_t n = input_samples;
    if (lead < 0 || content_samples < 0 || lead + content_samples > n)
        throw std::invalid_argument(fmt::format("encode_piece: {} samples of content after {} of lead do not fit in {}",
                                                content_samples, lead, n));
    const std::int64_t span = n * (kTimelineRate / rate(codec)) + delay(codec);
    if (n <= 0 || span % unit(codec) != 0)
        throw std::invalid_argument(fmt::format("encode_piece: {} input samples at {} Hz is not a piece of a multiple of {}",
                                                n, rate(codec), unit(codec)));

    Piece piece;
    piece.codec = codec;
    piece.span = span;
    piece.packets.reserve(static_cast<std::size_t>(span / frame(codec)));
    const Fill fill = [&](float* dst, std::int64_t at, std::int64_t count) {
        const std::int64_t from = std::clamp<std::int64_t>(lead - at, 0, count);
        const std::int64_t to = std::clamp<std::int64_t>(lead + content_samples - at, from, count);
        std::fill(dst, dst + from, 0.0f);
        if (to > from) content(dst + from, to - from);
        std::fill(dst + to, dst + count, 0.0f);
    };

    CodecContextPtr lavc;
    if (codec == Codec::Opus) {
        piece.extradata = opus_head();
    } else {
        lavc = codec == Codec::Aac ? open_aac(settings) : open_mp3(settings);
        if (lavc->extradata) piece.extradata.assign(lavc->extradata, lavc->extradata + lavc->extradata_size);
    }
    std::unique_ptr<PeakDecoder> peaks;
    if (peak) peaks = std::make_unique<PeakDecoder>(codec, piece.extradata, peak->above);
    if (codec == Codec::Opus) encode_opus(settings, fill, n, piece, peaks.get());
    else encode_lavc(lavc, fill, n, piece, peaks.get());
    if (peaks) peak->true_peak = peaks->finish();
    return piece;
}

// LAME's version: libavcodec links LAME and does not say which, and LAME is
// a package of its own that can change under it. Asked from the loaded
// library itself, so turncast needs no LAME headers.
namespace {
std::string lame_version() {
    using Version = const char* (*)();
    const auto get = reinterpret_cast<Version>(::dlsym(RTLD_DEFAULT, "get_lame_version"));
    return get ? get() : "unknown";
}
}  // namespace

// Every field of Settings shapes the bytes, so every field is in the
// fingerprint: a new field changes the struct's size and stops the build here
// until it is added below (and this size updated).
// LP64: three ints (padded to 16), two doubles, an int and a bool (padded to
// 8), two ints.
static_assert(sizeof(Settings) == 48, "a new encoder setting must go into fingerprint()");

std::string fingerprint(Codec codec, const Settings& settings) {
    if (codec == Codec::Opus)
        return fmt::format("turncast-encode/{} {} bitrate={} complexity={} steady={} onset={}dB/2.5ms/20ms-frame "
                           "application=audio vbr=constrained frame={} bandwidth=superwideband input={}",
                           kFormatVersion, opus_get_version_string(), settings.opus_bitrate, settings.opus_complexity,
                           settings.opus_steady_complexity, settings.opus_onset_rise_db, kOpusFrame, kInputRate);
    if (codec == Codec::Mp3)
        return fmt::format("turncast-encode/{} mp3 lavc={} ({}) lame={} cbr={} q={} reservoir=0 frames={}/{}",
                           kFormatVersion, LIBAVCODEC_IDENT, avcodec_version(), lame_version(), settings.mp3_bitrate,
                           settings.mp3_quality, kMp3Frame, kInputRate);
    return fmt::format("turncast-encode/{} aac lavc={} ({}) {} coder={} pns=0", kFormatVersion, LIBAVCODEC_IDENT,
                       avcodec_version(),
                       settings.aac_bitrate > 0 ? fmt::format("bitrate={}", settings.aac_bitrate)
                                                : fmt::format("quality={}", std::lround(settings.aac_quality * FF_QP2LAMBDA)),
                       settings.aac_fast_coder ? "fast" : "twoloop");
}

}  // namespace turncast::encode
