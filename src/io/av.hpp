// The one set of owner types for FFmpeg's handles, and FFmpeg's error text.
// Each frees its handle the way FFmpeg's examples do; code that must report a
// failed close (avio_closep) does it itself before the owner goes.
//
//   turncast::io::CodecContextPtr ctx(avcodec_alloc_context3(codec));
//   if (ret < 0) throw LibraryError("libavcodec", what + ": " + turncast::io::av_error_text(ret));
#pragma once

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
#include <libavutil/hmac.h>
#include <libavutil/mem.h>
#include <libavutil/sha.h>
#include <libswresample/swresample.h>
}

#include <memory>
#include <string>

namespace turncast::io {

struct CodecContextDeleter {
    void operator()(AVCodecContext* c) const noexcept { avcodec_free_context(&c); }
};
struct FrameDeleter {
    void operator()(AVFrame* f) const noexcept { av_frame_free(&f); }
};
struct PacketDeleter {
    void operator()(AVPacket* p) const noexcept { av_packet_free(&p); }
};
// An output context: its file closed if still open, then freed.
struct OutputFormatDeleter {
    void operator()(AVFormatContext* s) const noexcept {
        if (s->pb && !(s->oformat->flags & AVFMT_NOFILE)) avio_closep(&s->pb);
        avformat_free_context(s);
    }
};
// An input context opened with avformat_open_input.
struct InputFormatDeleter {
    void operator()(AVFormatContext* s) const noexcept { avformat_close_input(&s); }
};
// What libavutil allocates with av_malloc (an AVSHA context).
struct AvFreeDeleter {
    void operator()(void* p) const noexcept { av_free(p); }
};
struct SwrDeleter {
    void operator()(SwrContext* s) const noexcept { swr_free(&s); }
};

using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextDeleter>;
using FramePtr = std::unique_ptr<AVFrame, FrameDeleter>;
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;
using OutputFormatPtr = std::unique_ptr<AVFormatContext, OutputFormatDeleter>;
using InputFormatPtr = std::unique_ptr<AVFormatContext, InputFormatDeleter>;
using SwrPtr = std::unique_ptr<SwrContext, SwrDeleter>;
using ShaPtr = std::unique_ptr<AVSHA, AvFreeDeleter>;
struct HmacDeleter {
    void operator()(AVHMAC* h) const { av_hmac_free(h); }
};
using HmacPtr = std::unique_ptr<AVHMAC, HmacDeleter>;

// FFmpeg's message for an error code (AVERROR(...)).
inline std::string av_error_text(int ret) {
    char buf[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(ret, buf, sizeof buf);
    return buf;
}

}  // namespace turncast::io
