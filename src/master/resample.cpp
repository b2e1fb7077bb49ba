// Streaming resampling (libswresample) of 22050 Hz speech, and the
// 16-bit-to-float conversion.
#include <algorithm>
#include <cstring>
#include <fmt/format.h>

extern "C" {
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
}

#include "core/error.hpp"
#include "core/memory.hpp"
#include "io/av.hpp"
#include "master/master.hpp"

namespace turncast::master {

namespace {

constexpr std::size_t kTailPad = 128;  // > the 64-tap filter's reach

void check_av(int ret, const char* what) {
    if (ret >= 0) return;
    throw LibraryError("libswresample", std::string(what) + ": " + io::av_error_text(ret));
}

}  // namespace

void to_float(const std::vector<std::int16_t>& pcm, std::vector<float>& out) {
    resize_large(out, pcm.size());
    for (std::size_t i = 0; i < pcm.size(); ++i) out[i] = float(pcm[i]) * (1.0f / 32768.0f);
}

std::vector<float> to_float(const std::vector<std::int16_t>& pcm) {
    std::vector<float> out;
    to_float(pcm, out);
    return out;
}

std::int64_t resampled_length(std::int64_t n22050, int out_rate) {
    // ceil(n * out_rate / 22050): every output instant k * 22050 / out_rate
    // that falls before the end of the input.
    if (n22050 <= 0) return 0;
    return (n22050 * out_rate + kSpeechRate - 1) / kSpeechRate;
}

struct Resampler::State {
    io::SwrPtr swr;
    std::vector<float> out;  // resampled, not yet read: out[pos, out.size())
    std::size_t pos = 0;
    bool tail_fed = false, flushed = false;
};

Resampler::Resampler(const float* in, std::int64_t n, int out_rate, float gain)
    : st_(std::make_unique<State>()), in_(in), n_(std::max<std::int64_t>(n, 0)), size_(resampled_length(n, out_rate)),
      gain_(gain) {
    SwrContext* raw = nullptr;
    AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
    check_av(swr_alloc_set_opts2(&raw, &mono, AV_SAMPLE_FMT_FLT, out_rate, &mono, AV_SAMPLE_FMT_FLT, kSpeechRate, 0,
                                 nullptr),
             "configuring the resampler");
    st_->swr.reset(raw);
    // 22050 → 48000 is 147:320: with exact_rational every output sample uses an
    // exact polyphase filter (no coefficient interpolation), so the result is
    // a pure function of the input. A longer filter than the default 32 taps
    // keeps the passband flat to ~10 kHz, where espeak's content ends.
    check_av(av_opt_set_int(st_->swr.get(), "filter_size", kResamplerTaps, 0), "filter_size");
    check_av(av_opt_set_int(st_->swr.get(), "exact_rational", 1, 0), "exact_rational");
    check_av(swr_init(st_->swr.get()), "initialising the resampler");
}

Resampler::~Resampler() = default;

// swr's flush emits too little for inputs shorter than its filter (nothing at
// all below ~40 samples), so the input gets a tail of zeros and the output is
// cut to exactly size(): the same rule for every n. Input goes in small
// chunks: handed a minute at once, swr would allocate and clear internal
// buffers that size.
void Resampler::refill() {
    static const std::vector<float> tail(kTailPad, 0.0f);
    constexpr std::int64_t kChunk = 4096;
    const float* src = nullptr;
    int count = 0;
    if (fed_ < n_) {
        src = in_ + fed_;
        count = int(std::min(kChunk, n_ - fed_));
        fed_ += count;
    } else if (!st_->tail_fed) {
        src = tail.data();
        count = int(tail.size());
        st_->tail_fed = true;
    } else if (st_->flushed) {
        throw LibraryError("libswresample", fmt::format("resampled {} samples to {}, expected {}", n_,
                                                        done_ + std::int64_t(st_->out.size() - st_->pos), size_));
    }
    const int room = swr_get_out_samples(st_->swr.get(), count) + 64;
    st_->out.erase(st_->out.begin(), st_->out.begin() + std::ptrdiff_t(st_->pos));
    st_->pos = 0;
    const std::size_t had = st_->out.size();
    st_->out.resize(had + std::size_t(room));
    auto* dst = reinterpret_cast<std::uint8_t*>(st_->out.data() + had);
    const auto* in = reinterpret_cast<const std::uint8_t*>(src);
    const int got = swr_convert(st_->swr.get(), &dst, room, src ? &in : nullptr, count);
    check_av(got, src ? "resampling" : "flushing the resampler");
    st_->out.resize(had + std::size_t(got));
    if (!src && got == 0) st_->flushed = true;
}

void Resampler::read(float* out, std::int64_t count) {
    if (count < 0 || count > remaining())
        throw std::invalid_argument(fmt::format("Resampler::read: {} samples asked, {} left", count, remaining()));
    while (count > 0) {
        if (st_->pos == st_->out.size()) {
            refill();
            continue;
        }
        const auto take = std::min<std::int64_t>(count, std::int64_t(st_->out.size() - st_->pos));
        const float* from = st_->out.data() + st_->pos;
        if (gain_ == 1.0f) std::copy(from, from + take, out);
        else for (std::int64_t i = 0; i < take; ++i) out[i] = from[i] * gain_;
        st_->pos += std::size_t(take);
        done_ += take;
        out += take;
        count -= take;
    }
}

}  // namespace turncast::master
