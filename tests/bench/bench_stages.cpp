// Where a cold render's CPU goes, stage by stage, and what the encoder
// settings cost: run by `scripts/bench --stages` (the figures in docs/performance.md).
//
//   bench_stages TRANSCRIPT [ROUNDS]
//
// Speaks every segment of the transcript (forked workers, as a render does),
// then runs each later stage over all segments on one thread, the way the
// renderer's workers run them, and prints CPU seconds per stage and per
// encoder setting as a Markdown table. Figures are CPU time (this process,
// plus the synthesis children), so they hold on a busy machine better than
// wall time does; wall time of a render is about their sum over the cores.
// The whole measurement runs ROUNDS times (default 3), every stage and
// setting once a round, and each row shows the median and the range: one
// measurement of a row moves by ±10% on a virtual machine, enough to turn a
// 5% difference between two settings either way.
extern "C" {
#include <libavutil/log.h>
}

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "art/card.hpp"
#include "core/cpu_time.hpp"
#include "encode/encode.hpp"
#include "master/master.hpp"
#include "master/policy.hpp"
#include "render/render.hpp"
#include "support/libopus_decode.hpp"
#include "synth/synth.hpp"

using namespace turncast;

namespace {

double cpu_of(const std::function<void()>& work) {
    const double t0 = process_cpu_seconds();
    work();
    return process_cpu_seconds() - t0;
}

// CPU seconds per row, one per round, in the order the rows first appear.
class Rows {
public:
    void add(const std::string& what, double seconds) {
        auto it = std::find_if(rows_.begin(), rows_.end(), [&](const auto& r) { return r.first == what; });
        if (it == rows_.end()) it = rows_.insert(rows_.end(), {what, {}});
        it->second.push_back(seconds);
    }
    // "| what | median | min–max | × real time |" and `more`.
    // The row measured as `what`, shown as `label` if one is given.
    void print(const std::string& what, double audio_seconds, const std::string& more = "",
               const std::string& label = "") const {
        auto it = std::find_if(rows_.begin(), rows_.end(), [&](const auto& r) { return r.first == what; });
        if (it == rows_.end()) throw std::logic_error("no row " + what);
        auto v = it->second;
        std::sort(v.begin(), v.end());
        const double median = v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
        std::printf("| %s | %.2f | %.2f–%.2f | %.0f× |%s\n", (label.empty() ? what : label).c_str(), median, v.front(), v.back(),
                    audio_seconds / median, more.c_str());
    }

private:
    std::vector<std::pair<std::string, std::vector<double>>> rows_;
};

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
    if (argc != 2 && argc != 3) {
        std::fprintf(stderr, "usage: %s TRANSCRIPT [ROUNDS]\n", argv[0]);
        return 2;
    }
    const int rounds = argc == 3 ? std::atoi(argv[2]) : 3;
    if (rounds < 1 || rounds > 100) {
        std::fprintf(stderr, "%s: ROUNDS must be 1 to 100, not '%s'\n", argv[0], argv[2]);
        return 2;
    }
    av_log_set_level(AV_LOG_ERROR);  // not the encoders' statistics
    const auto plan = render::make_plan(argv[1], {});
    const Script& script = plan.script;
    synth::Engine engine;
    std::vector<synth::Request> requests;
    for (const auto& seg : script.segments) requests.push_back({seg.text, script.voice(seg.voice)});

    // Levelled as the renderer does for lossy pieces (render.cpp master_speech).
    const auto lossy = master::for_output(master::LoudnessTarget{}, true);
    const double ceiling = master::decoded_peak_limit(master::LoudnessTarget{});
    const encode::Settings chosen;

    const std::string kSynth = "synthesis (espeak-ng, forked workers)";
    const std::string kLevel = "levelling at 22050 Hz (libebur128 + limiter)";
    const std::string kResample = "resampling to 24 kHz (once, for every encoder)";
    const std::string kOpus = "Opus encode (chosen settings)";
    const std::string kOpusCheck = "Opus decoded-peak check";
    const std::string kAac = "AAC encode (chosen settings)";
    const std::string kAacCheck = "AAC decoded-peak check";
    const std::string kCard = fmt::format("title card ({0} and {1} px PNGs: Cairo, Pango, libpng)", art::kCardSize,
                                          render::kEmbeddedCardSize);
    const std::string kMp3 = "MP3 encode (chosen settings)";
    const std::string kMp3Check = "MP3 decoded-peak check";
    const std::string kMp3Fast = "MP3 64 kbit/s CBR, LAME quality 7";
    auto opus_every = [&](int c) {
        return fmt::format("Opus {} kbit/s, complexity {} on every packet", chosen.opus_bitrate / 1000, c);
    };
    const std::string kOpusChosen = fmt::format("Opus {} kbit/s, complexity {} at onsets, {} elsewhere (chosen)",
                                                chosen.opus_bitrate / 1000, chosen.opus_complexity,
                                                chosen.opus_steady_complexity);
    const std::string kOpusEveryCheck =
        fmt::format("Opus decoded-peak check, complexity {} on every packet", chosen.opus_complexity);
    auto aac_quality = [&](double q) {
        return fmt::format("AAC fast coder, quality {}{}", q, q == chosen.aac_quality ? " (chosen)" : "");
    };
    const std::string kAacCbr = "AAC fast coder, 48 kbit/s CBR";

    Rows rows;
    std::map<std::string, std::string> pre_echoes;  // by row: encoders are repeatable, so from the first round
    double audio = 0;
    for (int round = 0; round < rounds; ++round) {
        std::vector<std::vector<float>> speech(requests.size());
        const double s0 = process_cpu_seconds(), c0 = children_cpu_seconds();
        engine.synthesize(requests, int(std::max(1u, std::thread::hardware_concurrency())),
                          [&](std::size_t i, synth::Speech s) { speech[i] = master::to_float(s.pcm); });
        rows.add(kSynth, (process_cpu_seconds() - s0) + (children_cpu_seconds() - c0));
        audio = 0;
        for (const auto& s : speech) audio += double(s.size()) / master::kSpeechRate;

        rows.add(kCard, cpu_of([&] { render::draw_title_card(render::card_text(plan)); }));

        std::vector<float> work;  // reused from segment to segment, as the renderer's threads do
        rows.add(kLevel, cpu_of([&] {
                     for (auto& s : speech) master::level(s, lossy.target, lossy.limiter, master::kSpeechRate, work);
                 }));

        // Resampled once to the encoders' common input rate (24 kHz).
        std::vector<std::vector<float>> input(speech.size());
        rows.add(kResample, cpu_of([&] {
                     for (std::size_t i = 0; i < speech.size(); ++i) {
                         master::Resampler r(speech[i].data(), std::int64_t(speech[i].size()), encode::kInputRate);
                         input[i].resize(std::size_t(r.size()));
                         r.read(input[i].data(), r.size());
                     }
                 }));
        speech.clear();

        // Every segment as one piece, timed under `what`; with `check`, the
        // renderer's check of what the pieces decode to is timed on its own
        // (encode_piece does the same decoding packet by packet as they come
        // out); with `echo`, the pre-echo figures of the first round.
        auto encode_all = [&](const std::string& what, encode::Codec codec, const encode::Settings& settings,
                              const std::string& check = "", bool echo = false) {
            const std::int64_t scale = master::kSampleRate / encode::rate(codec);
            std::vector<encode::Piece> pieces;
            pieces.reserve(input.size());
            rows.add(what, cpu_of([&] {
                         for (const auto& s : input) {
                             const auto span = encode::span_for(codec, std::int64_t(s.size()) * scale);
                             pieces.push_back(encode::encode_piece(codec, settings, s.data(), std::int64_t(s.size()),
                                                                   0, encode::input_samples(codec, span)));
                         }
                     }));
            if (!check.empty())
                rows.add(check, cpu_of([&] {
                             for (const auto& p : pieces) encode::decoded_true_peak(p, ceiling);
                         }));
            if (echo && round == 0) pre_echoes[what] = pre_echo(input, pieces);
        };
        auto with = [&](const std::function<void(encode::Settings&)>& change) {
            encode::Settings s;
            change(s);
            return s;
        };
        // One job a row; each round starts one further along the list, so a
        // drift in the machine's speed during a round does not fall on the
        // same rows every time.
        std::vector<std::function<void()>> jobs = {
            [&] { encode_all(kOpus, encode::Codec::Opus, chosen, kOpusCheck, true); },
            [&] { encode_all(kAac, encode::Codec::Aac, chosen, kAacCheck); },
            [&] {
                encode_all(opus_every(0), encode::Codec::Opus,
                           with([](auto& s) { s.opus_complexity = s.opus_steady_complexity = 0; }), "", true);
            },
            [&] {
                encode_all(opus_every(3), encode::Codec::Opus,
                           with([](auto& s) { s.opus_complexity = s.opus_steady_complexity = 3; }), kOpusEveryCheck,
                           true);
            },
            [&] {
                encode_all(opus_every(5), encode::Codec::Opus,
                           with([](auto& s) { s.opus_complexity = s.opus_steady_complexity = 5; }), "", true);
            },
            [&] { encode_all(aac_quality(1.0), encode::Codec::Aac, with([](auto& s) { s.aac_quality = 1.0; })); },
            [&] { encode_all(kAacCbr, encode::Codec::Aac, with([](auto& s) { s.aac_bitrate = 48000; })); },
            [&] { encode_all(kMp3, encode::Codec::Mp3, chosen, kMp3Check); },
            [&] { encode_all(kMp3Fast, encode::Codec::Mp3, with([](auto& s) { s.mp3_quality = 7; })); },
        };
        for (std::size_t j = 0; j < jobs.size(); ++j) jobs[(j + std::size_t(round)) % jobs.size()]();
        std::fprintf(stderr, "bench_stages: round %d of %d done\n", round + 1, rounds);
    }

    std::printf("%zu segments, %.1f min of speech; CPU seconds on one thread (synthesis: all workers), "
                "median and range of %d rounds\n\n",
                requests.size(), audio / 60, rounds);
    std::printf("| stage | CPU (s) | range | × real time |\n|---|---:|---:|---:|\n");
    for (const auto* what : {&kSynth, &kLevel, &kResample, &kOpus, &kOpusCheck, &kAac, &kAacCheck, &kMp3, &kMp3Check, &kCard})
        rows.print(*what, audio);

    std::printf("\n| encoder setting | CPU (s) | range | × real time | pre-echo: median (dB under the onset) "
                "| 90%% of onsets at least |\n|---|---:|---:|---:|---:|---:|\n");
    for (int c : {0, 3, 5}) rows.print(opus_every(c), audio, pre_echoes.at(opus_every(c)));
    rows.print(kOpus, audio, pre_echoes.at(kOpus), kOpusChosen);
    rows.print(kOpusEveryCheck, audio, " | |");
    rows.print(kAac, audio, " | |", aac_quality(chosen.aac_quality));
    rows.print(aac_quality(1.0), audio, " | |");
    rows.print(kAacCbr, audio, " | |");
    rows.print(kMp3, audio, " | |",
               fmt::format("MP3 {} kbit/s CBR, LAME quality {} (chosen)", chosen.mp3_bitrate / 1000, chosen.mp3_quality));
    rows.print(kMp3Fast, audio, " | |");
    return 0;
}
