// Where a cold render's CPU goes, stage by stage, and what the encoder
// settings cost: run by `scripts/bench --stages` (the README's figures).
//
//   bench_stages TRANSCRIPT
//
// Speaks every segment of the transcript once (forked workers, as a render
// does), then runs each later stage over all segments on one thread, the way
// the renderer's workers run them, and prints CPU seconds per stage and per
// encoder setting as a Markdown table. Figures are CPU time (this process,
// plus the synthesis children), so they hold on a busy machine better than
// wall time does; wall time of a render is about their sum over the cores.
#include <sys/resource.h>
#include <time.h>

extern "C" {
#include <libavutil/log.h>
}

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fmt/format.h>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "encode/encode.hpp"
#include "master/master.hpp"
#include "render/render.hpp"
#include "support/libopus_decode.hpp"
#include "synth/synth.hpp"

using namespace turncast;

namespace {

double cpu_self() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
}

double cpu_children() {
    rusage r{};
    getrusage(RUSAGE_CHILDREN, &r);
    return double(r.ru_utime.tv_sec + r.ru_stime.tv_sec) + double(r.ru_utime.tv_usec + r.ru_stime.tv_usec) * 1e-6;
}

double cpu_of(const std::function<void()>& work) {
    const double t0 = cpu_self();
    work();
    return cpu_self() - t0;
}

void row(const char* what, double seconds, double audio_seconds, const std::string& more = "") {
    std::printf("| %s | %.2f | %.0f× |%s\n", what, seconds, audio_seconds / seconds, more.c_str());
}

// Pre-echo: at every onset after silence in the encoders' input (a 2.5 ms block
// above -50 dBFS whose 20 ms before are at least 50 dB quieter), how far the
// decoded 20 ms before it lie under the onset block (dB, mean squares). Long
// transform blocks spread coding noise over the silence before an onset,
// where nothing masks it. Returns "| median | 90% of onsets at least |".
std::string pre_echo(const std::vector<std::vector<float>>& input, const std::vector<encode::Piece>& pieces) {
    constexpr std::size_t kBlock = 60, kBefore = 8;  // 2.5 ms and 20 ms at 24 kHz
    auto mean_square = [](const float* x) {
        double e = 0.0;
        for (std::size_t i = 0; i < kBlock; ++i) e += double(x[i]) * x[i];
        return e / kBlock;
    };
    std::vector<double> under;
    for (std::size_t k = 0; k < input.size(); ++k) {
        const auto& in = input[k];
        const auto out = testing::libopus_decode(pieces[k], encode::kInputRate);  // aligned with the input
        const std::size_t blocks = std::min(in.size(), out.size()) / kBlock;
        for (std::size_t b = kBefore; b < blocks; ++b) {
            const double onset = mean_square(&in[b * kBlock]);
            if (onset < 1e-5) continue;
            double before = 0.0, decoded = 0.0;
            for (std::size_t j = b - kBefore; j < b; ++j) {
                before += mean_square(&in[j * kBlock]) / kBefore;
                decoded += mean_square(&out[j * kBlock]) / kBefore;
            }
            if (before * 1e5 > onset) continue;
            under.push_back(10.0 * std::log10(onset / std::max(decoded, 1e-20)));
            b += kBefore;  // the next onset after another stretch of silence
        }
    }
    if (under.empty()) return " – | – |";
    std::sort(under.begin(), under.end());
    return fmt::format(" {:.1f} | {:.1f} |", under[under.size() / 2], under[under.size() / 10]);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s TRANSCRIPT\n", argv[0]);
        return 2;
    }
    av_log_set_level(AV_LOG_ERROR);  // not the encoders' statistics
    const auto plan = render::make_plan(argv[1], {});
    const Script& script = plan.script;
    synth::Engine engine;

    std::vector<synth::Request> requests;
    for (const auto& seg : script.segments) requests.push_back({seg.text, script.voice(seg.voice)});
    std::vector<std::vector<float>> speech(requests.size());
    const double s0 = cpu_self(), c0 = cpu_children();
    engine.synthesize(requests, int(std::max(1u, std::thread::hardware_concurrency())),
                      [&](std::size_t i, synth::Speech s) { speech[i] = master::to_float(s.pcm); });
    const double synth_cpu = (cpu_self() - s0) + (cpu_children() - c0);

    double audio = 0;
    for (const auto& s : speech) audio += double(s.size()) / master::kSpeechRate;

    // Levelled as the renderer does for lossy pieces (render.cpp master_speech).
    const auto lossy = render::lossy_mastering(master::LoudnessTarget{});
    const auto& target = lossy.target;
    const auto& limiter = lossy.limiter;
    std::vector<float> work;  // reused from segment to segment, as the renderer's threads do
    const double level_cpu = cpu_of([&] {
        for (auto& s : speech) master::level(s, target, limiter, master::kSpeechRate, work);
    });

    // Resampled once to the encoders' common input rate (24 kHz).
    std::vector<std::vector<float>> input(speech.size());
    const double resample_cpu = cpu_of([&] {
        for (std::size_t i = 0; i < speech.size(); ++i) {
            master::Resampler r(speech[i].data(), std::int64_t(speech[i].size()), encode::kInputRate);
            input[i].resize(std::size_t(r.size()));
            r.read(input[i].data(), r.size());
        }
    });

    // Every segment as one piece; `kept` (if given) receives the pieces, for
    // the decoded-peak check and the pre-echo figures.
    auto encode_all = [&](encode::Codec codec, const encode::Settings& settings,
                          std::vector<encode::Piece>* kept = nullptr) {
        const std::int64_t scale = master::kSampleRate / encode::rate(codec);
        if (kept) kept->reserve(input.size());
        return cpu_of([&] {
            for (const auto& s : input) {
                const auto span = encode::span_for(std::int64_t(s.size()) * scale);
                auto piece = encode::encode_piece(codec, settings, s.data(), std::int64_t(s.size()), 0,
                                                  encode::input_samples(codec, span));
                if (kept) kept->push_back(std::move(piece));
            }
        });
    };
    // The renderer's check of what the pieces decode to, timed on its own
    // (encode_piece does the same decoding packet by packet as they come out).
    const double ceiling = render::decoded_peak_limit(master::LoudnessTarget{});
    auto check_all = [&](const std::vector<encode::Piece>& pieces) {
        return cpu_of([&] {
            for (const auto& p : pieces) encode::decoded_true_peak(p, ceiling);
        });
    };
    const encode::Settings chosen;
    std::vector<encode::Piece> chosen_pieces, aac_pieces;
    const double opus_cpu = encode_all(encode::Codec::Opus, chosen, &chosen_pieces);
    const double opus_check = check_all(chosen_pieces);
    const double aac_cpu = encode_all(encode::Codec::Aac, chosen, &aac_pieces);
    const double aac_check = check_all(aac_pieces);
    aac_pieces.clear();

    std::printf("%zu segments, %.1f min of speech; CPU seconds on one thread (synthesis: all workers)\n\n",
                speech.size(), audio / 60);
    std::printf("| stage | CPU (s) | × real time |\n|---|---:|---:|\n");
    row("synthesis (espeak-ng, forked workers)", synth_cpu, audio);
    row("levelling at 22050 Hz (libebur128 + limiter)", level_cpu, audio);
    row("resampling to 24 kHz (once, for both encoders)", resample_cpu, audio);
    row("Opus encode (chosen settings)", opus_cpu, audio);
    row("Opus decoded-peak check", opus_check, audio);
    row("AAC encode (chosen settings)", aac_cpu, audio);
    row("AAC decoded-peak check", aac_check, audio);

    std::printf("\n| encoder setting | CPU (s) | × real time | pre-echo: median (dB under the onset) | 90%% of onsets at least |\n"
                "|---|---:|---:|---:|---:|\n");
    std::optional<double> every_packet_check;  // at the chosen onset complexity, if it is one of these
    for (int complexity : {0, 3, 5}) {
        encode::Settings s;
        s.opus_complexity = s.opus_steady_complexity = complexity;
        const std::string what = fmt::format("Opus {} kbit/s, complexity {} on every packet", s.opus_bitrate / 1000, complexity);
        std::vector<encode::Piece> pieces;
        const double cpu = encode_all(encode::Codec::Opus, s, &pieces);
        if (complexity == chosen.opus_complexity) every_packet_check = check_all(pieces);
        row(what.c_str(), cpu, audio, pre_echo(input, pieces));
    }
    {
        const std::string what = fmt::format("Opus {} kbit/s, complexity {} at onsets, {} elsewhere (chosen)",
                                             chosen.opus_bitrate / 1000, chosen.opus_complexity,
                                             chosen.opus_steady_complexity);
        row(what.c_str(), opus_cpu, audio, pre_echo(input, chosen_pieces));
    }
    if (every_packet_check)
        row(fmt::format("Opus decoded-peak check, complexity {} on every packet", chosen.opus_complexity).c_str(),
            *every_packet_check, audio, " | |");
    for (double quality : {0.8, 1.0}) {
        encode::Settings s;
        s.aac_quality = quality;
        const std::string what = fmt::format("AAC fast coder, quality {}{}", quality,
                                             quality == chosen.aac_quality ? " (chosen)" : "");
        row(what.c_str(), quality == chosen.aac_quality ? aac_cpu : encode_all(encode::Codec::Aac, s), audio,
            " | |");
    }
    {
        encode::Settings s;
        s.aac_bitrate = 48000;
        row("AAC fast coder, 48 kbit/s CBR", encode_all(encode::Codec::Aac, s), audio, " | |");
    }
    return 0;
}
