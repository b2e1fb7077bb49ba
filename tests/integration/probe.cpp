#include "probe.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
}

namespace turncast::test {

namespace {

struct FormatCloser {
    void operator()(AVFormatContext* f) const { avformat_close_input(&f); }
};
struct CodecFreer {
    void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct PacketFreer {
    void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct FrameFreer {
    void operator()(AVFrame* f) const { av_frame_free(&f); }
};

std::unique_ptr<AVFormatContext, FormatCloser> open(const std::string& path) {
    AVFormatContext* raw = nullptr;
    if (avformat_open_input(&raw, path.c_str(), nullptr, nullptr) < 0) throw std::runtime_error("cannot open " + path);
    std::unique_ptr<AVFormatContext, FormatCloser> f(raw);
    if (avformat_find_stream_info(f.get(), nullptr) < 0) throw std::runtime_error("no stream info in " + path);
    return f;
}

void add_tags(const AVDictionary* d, std::map<std::string, std::string>& out) {
    const AVDictionaryEntry* e = nullptr;
    while ((e = av_dict_get(d, "", e, AV_DICT_IGNORE_SUFFIX))) {
        std::string k = e->key;
        std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) { return std::tolower(c); });
        out[k] = e->value;
    }
}

}  // namespace

Probe probe(const std::string& path) {
    auto f = open(path);
    Probe p;
    p.format = f->iformat->name;
    int si = av_find_best_stream(f.get(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
    if (si < 0) throw std::runtime_error("no audio stream in " + path);
    const AVStream* st = f->streams[si];
    p.codec = avcodec_get_name(st->codecpar->codec_id);
    p.sample_rate = st->codecpar->sample_rate;
    p.channels = st->codecpar->ch_layout.nb_channels;
    p.duration = f->duration > 0 ? double(f->duration) / AV_TIME_BASE : 0;
    if (st->start_time != AV_NOPTS_VALUE) p.start = double(st->start_time) * av_q2d(st->time_base);
    for (unsigned i = 0; i < f->nb_chapters; ++i) {
        const AVChapter* c = f->chapters[i];
        ProbedChapter pc;
        const AVDictionaryEntry* t = av_dict_get(c->metadata, "title", nullptr, 0);
        pc.title = t ? t->value : "";
        pc.start = double(c->start) * av_q2d(c->time_base);
        pc.end = double(c->end) * av_q2d(c->time_base);
        p.chapters.push_back(pc);
    }
    add_tags(f->metadata, p.tags);
    add_tags(st->metadata, p.tags);
    return p;
}

std::vector<float> decode(const std::string& path, int* rate) {
    auto f = open(path);
    int si = av_find_best_stream(f.get(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
    if (si < 0) throw std::runtime_error("no audio stream in " + path);
    AVStream* st = f->streams[si];
    const AVCodec* codec = avcodec_find_decoder(st->codecpar->codec_id);
    std::unique_ptr<AVCodecContext, CodecFreer> c(avcodec_alloc_context3(codec));
    avcodec_parameters_to_context(c.get(), st->codecpar);
    c->pkt_timebase = st->time_base;
    if (avcodec_open2(c.get(), codec, nullptr) < 0) throw std::runtime_error("cannot open decoder");
    if (rate) *rate = c->sample_rate;
    std::vector<float> out;
    std::unique_ptr<AVPacket, PacketFreer> pkt(av_packet_alloc());
    std::unique_ptr<AVFrame, FrameFreer> frame(av_frame_alloc());
    auto drain = [&] {
        while (avcodec_receive_frame(c.get(), frame.get()) == 0) {
            const int n = frame->nb_samples;
            if (frame->format == AV_SAMPLE_FMT_FLTP || frame->format == AV_SAMPLE_FMT_FLT) {
                const float* d = reinterpret_cast<const float*>(frame->extended_data[0]);
                out.insert(out.end(), d, d + n);
            } else if (frame->format == AV_SAMPLE_FMT_S16 || frame->format == AV_SAMPLE_FMT_S16P) {
                const int16_t* d = reinterpret_cast<const int16_t*>(frame->extended_data[0]);
                for (int i = 0; i < n; ++i) out.push_back(d[i] / 32768.0f);
            } else {
                throw std::runtime_error("unexpected sample format");
            }
            av_frame_unref(frame.get());
        }
    };
    while (av_read_frame(f.get(), pkt.get()) >= 0) {
        if (pkt->stream_index == si) {
            avcodec_send_packet(c.get(), pkt.get());
            drain();
        }
        av_packet_unref(pkt.get());
    }
    avcodec_send_packet(c.get(), nullptr);
    drain();
    return out;
}

int run(const std::string& command, std::string* output) {
    std::string out;
    FILE* p = ::popen((command + " 2>&1").c_str(), "r");
    if (!p) return -1;
    std::array<char, 4096> buf;
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
    int status = ::pclose(p);
    if (output) *output = out;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TempDir::TempDir() {
    char tmpl[] = "/tmp/turncast-test-XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
}

}  // namespace turncast::test
