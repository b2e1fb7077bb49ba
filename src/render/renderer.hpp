// The renderer's own parts (private to src/render): the cache keys of a
// segment's speech and pieces, and the Renderer, whose run() is the pipeline
// (render.cpp), with its encoder pool (encoder_pool.cpp) and its outputs
// (outputs.cpp) in files of their own.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <fmt/format.h>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "io/file.hpp"
#include "render/cache.hpp"
#include "render/layout.hpp"
#include "render/progress.hpp"
#include "render/render.hpp"
#include "sidecar/manifest.hpp"
#include "sidecar/sidecar.hpp"
#include "synth/synth.hpp"

namespace turncast::render {

// keys.cpp ------------------------------------------------------------------

struct SegmentKeys {
    std::string speech;
    std::map<encode::Codec, std::string> piece;
    std::map<encode::Codec, std::int64_t> span;  // of its speech piece, per codec
    std::int64_t work = 0;  // its speech piece's timeline samples, for progress
};

// What identifies a segment's speech: its text, voice and espeak version.
std::string speech_key(const std::string& engine_version, const Voice& v, const std::string& text);

// The loudness a voice is levelled to.
double target_lufs(const Options& o, const Voice& v);

// Everything that shapes a piece's bytes: its speech, its length, how it is
// mastered (the lossy targets, the limiter and levelling constants, the
// resampler) and encoded. A change to the code behind them that none of these
// records bumps the version.
std::string piece_key(const SegmentKeys& k, const Options& o, const Voice& v, encode::Codec codec);

// encoder_pool.cpp ------------------------------------------------------------

// The buffers a thread masters segments in, kept from one segment to the
// next: fresh memory costs a page fault per 4 KiB (~10 µs on a virtual
// machine, as much as levelling the samples in it), and segments are
// mastered longest first, so only the first one touches new pages.
struct Scratch {
    synth::Speech speech;
    std::vector<float> pcm, work;
};

// Encoder inputs, shared by a segment's encode jobs (which may run on
// different threads) and given back here by the last one to finish: at most
// a few are alive at once, so a few are kept for reuse.
class InputPool {
public:
    std::vector<float> take() {
        std::lock_guard<std::mutex> lock(mutex_);
        if (free_.empty()) return {};
        auto v = std::move(free_.back());
        free_.pop_back();
        return v;
    }
    void clear() {
        std::lock_guard<std::mutex> lock(mutex_);
        free_.clear();
    }
    std::shared_ptr<const std::vector<float>> share(std::vector<float> v) {
        // The deleter gets the pointer as it was made (not const), so its
        // storage can go back to the pool.
        return {new std::vector<float>(std::move(v)), [this](std::vector<float>* p) {
                    std::unique_ptr<std::vector<float>> owned(p);
                    std::lock_guard<std::mutex> lock(mutex_);
                    if (free_.size() < kKept) free_.push_back(std::move(*p));
                }};
    }

private:
    static constexpr std::size_t kKept = 2;  // one a thread
    std::mutex mutex_;
    std::vector<std::vector<float>> free_;
};

// Masters one segment (level it, resample it once to the encoders' 24 kHz
// input) into `out`.
void encoder_input(const synth::Speech& speech, const Options& o, const Voice& v, Scratch& s,
                   std::vector<float>& out);

// outputs.cpp -------------------------------------------------------------------

bool lossless(const std::string& format);
// The codec of an encoded (not lossless) format: Opus in Ogg, AAC in M4A/M4B, MP3.
encode::Codec codec_of(const std::string& format);
std::vector<encode::Codec> codecs_for(const std::vector<std::string>& formats);

// render.cpp ----------------------------------------------------------------------

// A cached speech entry failed verification while encoding.
struct SpeechMissing {};

class Renderer {
public:
    Renderer(const Plan& plan, const Options& opt, synth::Engine& engine)
        : plan_(plan), s_(plan.script), opt_(opt), engine_(engine), progress_(opt.quiet, opt.progress_label) {}
    ~Renderer();

    // The pipeline: speak → lay out → master and encode → mux → sidecars.
    Result run();

private:
    // render.cpp: the pipeline's steps.
    void check_inputs();
    void open_cache();
    void key_speech();
    Result unchanged(Result r);
    void synthesize_missing();
    void plan_segment(std::size_t i, const SpeechInfo& info);
    void plan_pieces();
    bool pieces_missing(std::size_t i) const;
    // The encoder pool: threads that master and encode segments as they are
    // queued, while synthesis is still running and after it.
    void queue_for_encoding(std::vector<std::size_t> segments);
    void encode_worker();
    void finish_encoding();
    struct EncodeJob;
    std::vector<EncodeJob> master_segment(std::size_t i, Scratch& scratch);
    void encode(const EncodeJob& job);
    void encode_again(std::size_t i);
    // Everything not queued while speaking goes to the encoders.
    void queue_remaining();
    std::uint64_t trim_cache();
    std::string render_key() const;
    std::optional<sidecar::Manifest> read_previous(const std::string& dir) const;
    bool up_to_date(const std::string& key, Result& r) const;
    // outputs.cpp: every output into a staging folder beside the output folder
    // (the sidecars while the encoders work), then switched in at once.
    void write_outputs(const std::string& key, Result& r);
    struct Output {  // one staged file and what the manifest says of it
        std::string kind, name, type;
        std::unique_ptr<io::AtomicFile> file;
    };
    std::vector<Output> stage_sidecars(const std::string& out_dir) const;
    void draw_card();
    Output stage_cover(const std::string& out_dir) const;
    sidecar::Names names() const;  // the file names the sidecars link to
    std::vector<Output> write_audio_files(const std::string& out_dir);
    // Each writes one output to a temporary, committed with the others by write_outputs().
    std::unique_ptr<io::AtomicFile> write_audio(const std::string& format, const std::string& path);
    // Muxes the cached pieces into `out`'s temporary; the first piece that
    // failed verification, if any. Repairs nothing (write_audio does), so the
    // formats can be muxed side by side on threads of their own.
    std::optional<std::size_t> mux_pieces(const std::string& format, io::AtomicFile& out) const;
    std::unique_ptr<io::AtomicFile> write_lossless(const std::string& format, const std::string& path);
    // Segment i's place in the transcript, for messages: "FILE:LINE" of its turn.
    std::string where(std::size_t i) const {
        return fmt::format("{}:{}", plan_.source, s_.turns.at(s_.segments[i].turn).pos.line);
    }
    static int cores() { return std::max(1, int(std::thread::hardware_concurrency())); }
    int jobs() const { return opt_.jobs > 0 ? opt_.jobs : cores(); }

    const Plan& plan_;
    const Script& s_;
    const Options& opt_;
    synth::Engine& engine_;
    Progress progress_;
    std::unique_ptr<Cache> cache_;
    std::string private_cache_;  // removed at the end when --no-cache
    std::vector<encode::Codec> codecs_;
    std::vector<SegmentKeys> keys_;
    std::vector<SegmentSpeech> speech_;
    std::map<std::string, SpeechInfo> infos_;  // speech key → what plan_pieces needs, read once
    Layout layout_;
    Timeline timeline_;
    Artwork cover_;  // the --cover image (read first) or the title card (drawn as the outputs are written)
    std::optional<art::CardText> card_;  // what the title card says, when there is one
    std::optional<sidecar::Manifest> previous_;  // the folder's manifest before this render
    std::vector<char> planned_;  // keys_[i] complete (never rewritten after: encode threads read it)
    std::vector<char> queued_;   // handed to the encoder pool
    int synthesized_ = 0;
    std::atomic<int> encoded_{0};
    InputPool inputs_;  // before pool_: outlives the jobs holding its buffers

    struct EncodeJob {  // one missing piece of one mastered segment
        std::size_t segment;
        encode::Codec codec;
        std::shared_ptr<const std::vector<float>> speech;  // mastered, at the encoders' input rate
    };
    struct EncodePool {  // everything but `threads` under `mutex`
        std::mutex mutex;
        std::condition_variable wake;
        std::deque<std::size_t> to_master;
        std::deque<EncodeJob> encodes;
        int mastering = 0;
        bool closed = false;                 // nothing more will be queued
        bool showing = false;                // progress_ is on the "encoding" stage
        int queued = 0, finished = 0;        // segments
        double queued_work = 0.0, finished_work = 0.0;  // their spans
        std::map<std::size_t, int> pending;  // segment → encode jobs not yet finished
        std::exception_ptr failure;
        std::vector<std::size_t> resynth;
        std::vector<std::thread> threads;
        std::chrono::steady_clock::time_point started;  // when the threads started
        RemainingTime eta{1};                // until the last piece is encoded (threads set when they start)
        std::map<std::size_t, double> cpu;   // segment → thread CPU its finished jobs took
        // Speaking beside the encoders: the text to speak and spoken so far,
        // the work queued from that and the workers' CPU (the total's estimate).
        double chars_to_speak = 0.0, chars_spoken = 0.0, work_spoken = 0.0, speaking_cpu = 0.0;
    } pool_;
    // The time left until the encoders finish (with pool_.mutex held).
    std::optional<double> remaining() const {
        const double spoken = pool_.chars_spoken, left = pool_.chars_to_speak - spoken;
        const double work_per_char = spoken > 0.0 ? pool_.work_spoken / spoken : 0.0;
        const double cpu_per_char = spoken > 0.0 ? pool_.speaking_cpu / spoken : 0.0;
        return pool_.eta.at(seconds_now(), pool_.queued_work + left * work_per_char, left * cpu_per_char);
    }
    static double seconds_now() {
        return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    }
};

}  // namespace turncast::render
