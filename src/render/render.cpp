#include "render/render.hpp"

#include <malloc.h>
#include <unistd.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <future>
#include <filesystem>
#include <fmt/format.h>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "core/cpu_time.hpp"
#include "core/error.hpp"
#include "core/hash.hpp"
#include "core/memory.hpp"
#include "core/stop.hpp"
#include "io/file.hpp"
#include "io/sndfile.hpp"
#include "mux/mux.hpp"
#include "render/cache.hpp"
#include "render/layout.hpp"
#include "render/progress.hpp"
#include "segment/segment.hpp"
#include "sidecar/manifest.hpp"
#include "sidecar/sidecar.hpp"
#include "synth/synth.hpp"

namespace fs = std::filesystem;

namespace turncast::render {

// ---------------------------------------------------------------- planning

Plan make_plan(const std::string& transcript_path, const PlanOptions& options) {
    Plan plan;
    plan.source = transcript_path;
    // Configuration first: a broken cast file or lexicon is reported even
    // before the transcript is read.
    auto rules = parse::load_rules(options.rules_path.empty() ? parse::default_rules_path() : options.rules_path);
    plan.cast = cast::load_cast(options.cast_path.empty() ? cast::default_cast_path() : options.cast_path);
    auto lexicon = cast::default_lexicon(options.lexicon_path);

    const std::string bytes = io::read_file(transcript_path, io::kMaxTranscriptBytes, "transcript");
    plan.doc = parse::parse_transcript(bytes, transcript_path, rules);
    plan.segmentation = segment::segment(plan.doc, rules);
    plan.script = cast::cast(plan.doc, plan.segmentation, plan.cast, lexicon);
    if (plan.script.segments.empty())
        throw InputError(transcript_path, "nothing to speak after removing labels and page clutter",
                         "check that the file is a transcript (turncast plan --show-dropped lists what was removed)");
    plan.slug = parse::slugify(fs::path(transcript_path).stem().string());
    std::error_code ec;
    plan.source_id = short_hash(fs::weakly_canonical(fs::absolute(transcript_path), ec).string());
    return plan;
}

void check_cover(const std::string& path) {
    const std::string bytes = io::read_file(path, io::kMaxCoverBytes, "cover image");
    const bool png = bytes.rfind("\x89PNG\r\n\x1A\n", 0) == 0;
    const bool jpeg = bytes.size() > 3 && static_cast<unsigned char>(bytes[0]) == 0xFF &&
                      static_cast<unsigned char>(bytes[1]) == 0xD8 && static_cast<unsigned char>(bytes[2]) == 0xFF;
    if (!png && !jpeg) throw ConfigError(path, "is not a JPEG or PNG image", "give --cover a .jpg or .png file");
}

void settle_slug(Plan& plan, const Options& options) {
    const std::string manifest = options.output_dir + "/" + plan.slug + "/manifest.json";
    std::error_code ec;
    if (!fs::is_regular_file(manifest, ec)) return;
    try {
        const auto m = sidecar::parse_manifest(io::read_file(manifest, io::kMaxManifestBytes, "manifest"), manifest);
        if (!m.source_id.empty() && m.source_id != plan.source_id) plan.slug += "-" + plan.source_id;
    } catch (const Error&) {
        // A damaged manifest: the render rewrites the folder as before.
    }
}

void check_paths(const Plan& plan, const Options& options) {
    auto canonical = [](const std::string& p) {
        std::error_code ec;
        fs::path c = fs::weakly_canonical(fs::absolute(p), ec);
        return ec ? fs::absolute(p).lexically_normal() : c;
    };
    auto inside = [](const fs::path& a, const fs::path& b) {  // a is b or below it
        auto ai = a.begin(), bi = b.begin();
        for (; bi != b.end() && !bi->empty(); ++ai, ++bi)
            if (ai == a.end() || *ai != *bi) return false;
        return true;
    };
    const fs::path out = canonical(options.output_dir), dir = out / plan.slug;
    const fs::path source = canonical(plan.source);
    if (inside(source, dir))
        throw Error(ExitCode::Usage, plan.source,
                    fmt::format("is inside the output folder {}, which this render writes", dir.string()),
                    "move the transcript elsewhere, or choose another -o");
    if (options.use_cache && !options.cache_dir.empty()) {
        const fs::path cache = canonical(options.cache_dir);
        if (inside(cache, dir) || inside(dir, cache) || cache == out)
            throw Error(ExitCode::Usage, options.cache_dir,
                        fmt::format("the cache folder and the output folder {} must be apart", dir.string()),
                        "choose another --cache-dir (the default is OUTPUT/.cache)");
    }
}

std::vector<std::string> parse_formats(const std::string& list) {
    static const std::set<std::string> known = {"opus", "m4a", "m4b", "flac", "wav"};
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= list.size()) {
        auto comma = list.find(',', start);
        std::string f = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        f.erase(std::remove_if(f.begin(), f.end(), ::isspace), f.end());
        if (!f.empty()) {
            if (!known.count(f))
                throw Error(ExitCode::Usage, "--formats", fmt::format("unknown format '{}'", f),
                            "choose from opus, m4a, m4b, flac, wav");
            if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
        }
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    if (out.empty()) throw Error(ExitCode::Usage, "--formats", "no format given", "e.g. --formats opus,m4a");
    return out;
}

// ---------------------------------------------------------------- timeline

namespace {

// A position in espeak's 22050 Hz speech → 48 kHz, rounded to nearest.
std::int64_t to_48k(std::int64_t s22050) {
    return (s22050 * kTimelineRate + synth::kSampleRate / 2) / synth::kSampleRate;
}

// Timeline samples a segment's speech occupies in the encoded pieces: its
// encoder input counted at 48 kHz (at least its 48 kHz length, one sample
// more at most).
std::int64_t coded_length(std::int64_t samples22050) {
    return master::resampled_length(samples22050, encode::kInputRate) * (kTimelineRate / encode::kInputRate);
}

// Each segment's words and sentences at their places in the layout.
Timeline place_speech(const Script& script, const std::vector<SegmentSpeech>& speech, const Layout& layout) {
    Timeline tl;
    tl.segments.resize(script.segments.size());
    for (std::size_t i = 0; i < script.segments.size(); ++i) {
        auto& ts = tl.segments[i];
        ts.piece_start = i == 0 ? 0 : layout.ends[i - 1];
        ts.speech_start = layout.starts[i];
        ts.speech_end = ts.speech_start + master::resampled_length(speech[i].samples);
        const Segment& seg = script.segments[i];
        // Text positions move from the spoken text to the shown text; a
        // sentence runs to the next one (espeak gives sentences no length).
        auto place = [&](const std::vector<TimedSpan>& in, std::vector<TimedSpan>& out, bool sentences) {
            for (std::size_t k = 0; k < in.size(); ++k) {
                TimedSpan s = in[k];
                std::size_t from = in[k].text_pos;
                std::size_t to = sentences ? (k + 1 < in.size() ? in[k + 1].text_pos : seg.text.size())
                                           : from + in[k].length;
                s.text_pos = std::uint32_t(seg.shown_offset(from));
                std::size_t shown_to = seg.shown_offset(std::max(from, to));
                // A word that is a whole rewrite maps to the rewritten word.
                for (const auto& a : seg.anchors)
                    if (a.replaced && a.spoken == from && !seg.shown.empty()) {
                        auto next = &a + 1;
                        if (next != seg.anchors.data() + seg.anchors.size()) shown_to = std::max<std::size_t>(shown_to, next->shown);
                    }
                s.length = std::uint32_t(std::max(shown_to, std::size_t(s.text_pos)) - s.text_pos);
                s.start = std::min(ts.speech_start + to_48k(in[k].start), ts.speech_end);
                s.end = k + 1 < in.size() ? ts.speech_start + to_48k(in[k + 1].start) : ts.speech_end;
                s.end = std::clamp(s.end, s.start, ts.speech_end);
                out.push_back(s);
            }
        };
        place(speech[i].words, ts.words, false);
        place(speech[i].sentences, ts.sentences, true);
    }
    tl.total = layout.total;
    tl.chapter_starts = layout.chapter_starts;
    return tl;
}

std::vector<std::int64_t> coded_lengths(const std::vector<SegmentSpeech>& speech) {
    std::vector<std::int64_t> out;
    for (const auto& sp : speech) out.push_back(coded_length(sp.samples));
    return out;
}

}  // namespace

Timeline build_timeline(const Script& script, const std::vector<SegmentSpeech>& speech) {
    return place_speech(script, speech, lay_out(script, coded_lengths(speech)));
}

// ---------------------------------------------------------------- rendering

namespace {

struct SegmentKeys {
    std::string speech;
    std::map<encode::Codec, std::string> piece;
    std::map<encode::Codec, std::int64_t> span;  // of its speech piece, per codec
    std::int64_t work = 0;  // its speech piece's timeline samples, for progress
};

std::string speech_key(const std::string& engine_version, const Voice& v, const std::string& text) {
    return Hasher()
        .add("speech/3")
        .add(engine_version)
        .add(v.espeak_voice)
        .add(v.variant)
        .add(std::int64_t(v.rate))
        .add(std::int64_t(v.pitch))
        .add(std::int64_t(v.range))
        .add(std::int64_t(v.volume))
        .add(v.question_tune)
        .add(synth::kRateScale)
        .add(text)
        .hex();
}

double target_lufs(const Options& o, const Voice& v) { return o.loudness.integrated_lufs + v.gain_db; }

// Everything that shapes a piece's bytes: its speech, where it sits, how it is
// mastered (the lossy targets, the limiter and levelling constants, the
// resampler) and encoded. A change to the code behind them that none of these
// records bumps the version.
std::string piece_key(const SegmentKeys& k, const Options& o, const Voice& v, encode::Codec codec) {
    master::LoudnessTarget loudness = o.loudness;
    loudness.integrated_lufs = target_lufs(o, v);
    const auto mastering = lossy_mastering(loudness);
    return Hasher()
        .add("piece/16")
        .add(k.speech)
        .add(kSpeechLead)
        .add(k.span.at(codec))
        .add(mastering.target.integrated_lufs)
        .add(mastering.target.true_peak_dbtp)
        .add(master::fingerprint(mastering.limiter))
        .add(decoded_peak_limit(loudness))
        .add(encode::fingerprint(codec, o.encoder))
        .hex();
}

// Lossy coding overshoots peaks (measured on the sample: Opus 48 kbit/s by up
// to ~3.5 dB over the limiter's sample ceiling, AAC a little less): the
// limiter leaves this much headroom below the ceiling, and the pieces whose
// decoded true peaks still pass it are encoded again a little quieter
// (encode_speech). Every re-encode costs an encode and a decode of a whole
// piece, and long pieces overshoot most: with 2 dB, 14 Opus and 2 AAC pieces
// of the sample (a third of its audio) were encoded twice or more; with 3 dB,
// one Opus and two AAC pieces (5%). The loudness target still holds (the
// limiter works 1 dB harder on the highest peaks).
constexpr double kCodecHeadroomDb = 3.0;
// Each piece is decoded alone, by a fresh decoder, and players decode the
// joined stream with decoders of their own (libopus, FFmpeg's): their true
// peaks differ from the check's by a few hundredths of a dB.
constexpr double kDecoderMarginDb = 0.1;

static_assert(master::kSpeechRate == synth::kSampleRate, "speech is levelled at the rate espeak speaks");

// Mastered speech of one segment, at espeak's 22050 Hz: levelled there (2.2
// times fewer samples than at 48 kHz). For lossy pieces the final true-peak
// trim is left out (their decoded peaks are checked instead) and the
// limiter's sample ceiling sits 1 dB lower, for the peaks that resampling
// finds between 22050 Hz samples (up to ~1.3 dB measured on the sample).
//
// Into `pcm`; `work` is scratch. Both keep their storage for the next segment
// (see Scratch).
void master_speech(const synth::Speech& speech, const Options& o, const Voice& v, bool lossy,
                   std::vector<float>& pcm, std::vector<float>& work) {
    master::to_float(speech.pcm, pcm);
    master::LoudnessTarget loudness = o.loudness;
    loudness.integrated_lufs = target_lufs(o, v);
    const auto m = lossy ? lossy_mastering(loudness) : Mastering{loudness, {}};
    // gain, then a peak limiter: espeak peaks ~19 dB over its loudness
    master::level(pcm, m.target, m.limiter, master::kSpeechRate, work);
}

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

// What both encoders take for one segment: its mastered speech resampled
// once to their common 24 kHz input rate, into `out`.
void encoder_input(const synth::Speech& speech, const Options& o, const Voice& v, Scratch& s,
                   std::vector<float>& out) {
    master_speech(speech, o, v, true, s.pcm, s.work);
    master::Resampler r(s.pcm.data(), std::int64_t(s.pcm.size()), encode::kInputRate);
    resize_large(out, std::size_t(r.size()));
    r.read(out.data(), r.size());
}

// The piece: kSpeechLead of silence, the speech (at the encoders' input
// rate), then silence up to span - delay. Lossy coding overshoots peaks, sometimes by more than the
// headroom left for it: where the decoded piece's true peak passes the
// ceiling, it is encoded again a little quieter. Per piece, so a re-render
// stays local.
encode::Piece encode_speech(const std::vector<float>& input, std::int64_t span, encode::Codec codec,
                            const encode::Settings& settings, const master::LoudnessTarget& loudness) {
    const auto input_samples = encode::input_samples(codec, span);
    encode::PeakCheck check;
    check.above = decoded_peak_limit(loudness);
    auto encode_at = [&](float gain) {
        std::size_t at = 0;
        const encode::Pull content = [&](float* out, std::int64_t n) {
            const float* from = input.data() + at;
            if (gain == 1.0f) std::copy(from, from + n, out);
            else for (std::int64_t j = 0; j < n; ++j) out[j] = from[j] * gain;
            at += std::size_t(n);
        };
        return encode::encode_piece(codec, settings, content, std::int64_t(input.size()),
                                    encode::codec_samples(codec, kSpeechLead), input_samples, &check);
    };
    float gain = 1.0f;
    auto piece = encode_at(gain);
    // A quieter copy overshoots differently, so each copy is checked too; every
    // step (encode::quieter) lowers the gain by 0.25-1 dB, so this ends within a few.
    for (int attempt = 0; check.true_peak > check.above; ++attempt) {
        if (attempt == 8)
            throw LibraryError(codec == encode::Codec::Opus ? "libopus" : "libavcodec",
                               fmt::format("encoded audio keeps passing the {:.1f} dBTP ceiling",
                                           loudness.true_peak_dbtp),
                               "render with a lower --loudness target");
        gain *= float(encode::quieter(codec, check.above, check.true_peak));
        piece = encode_at(gain);
    }
    return piece;
}

bool lossless(const std::string& format) { return format == "flac" || format == "wav"; }

// The codec of an encoded (not lossless) format: Opus in Ogg, AAC in M4A/M4B.
encode::Codec codec_of(const std::string& format) {
    return format == "opus" ? encode::Codec::Opus : encode::Codec::Aac;
}

std::vector<encode::Codec> codecs_for(const std::vector<std::string>& formats) {
    std::vector<encode::Codec> out;
    for (auto c : {encode::Codec::Opus, encode::Codec::Aac})
        if (std::any_of(formats.begin(), formats.end(),
                        [&](const std::string& f) { return !lossless(f) && codec_of(f) == c; }))
            out.push_back(c);
    return out;
}

std::string named_speakers(const Script& s) {
    std::string out;
    for (const auto& sp : s.speakers) {
        if (sp.role == SpeakerRole::Narrator || sp.role == SpeakerRole::Questioner) continue;
        if (!out.empty()) out += ", ";
        out += sp.name;
    }
    return out;
}

std::string description(const Script& s) {
    std::string d = s.meta.title;
    std::string when;
    if (!s.meta.place.empty()) when = s.meta.place;
    if (!s.meta.date.empty()) when += (when.empty() ? "" : ", ") + s.meta.date;
    if (!when.empty()) d += " (" + when + ")";
    auto speakers = named_speakers(s);
    if (!speakers.empty()) d += ". Speakers: " + speakers;
    d += ". " + std::to_string(s.chapters.size()) + " chapters. Synthetic voices by eSpeak NG.";
    return d;
}

// A cached speech entry failed verification while encoding.
struct SpeechMissing {};

class Renderer {
public:
    Renderer(const Plan& plan, const Options& opt, synth::Engine& engine)
        : plan_(plan), s_(plan.script), opt_(opt), engine_(engine), progress_(opt.quiet) {}
    ~Renderer();

    Result run();

private:
    void synthesise_missing();
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
    std::uint64_t trim_cache();
    std::string render_key() const;
    bool up_to_date(const std::string& key, Result& r) const;
    // Each writes one output to a temporary, committed with the others by run().
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
    std::vector<char> planned_;  // keys_[i] complete (never rewritten after: encode threads read it)
    std::vector<char> queued_;   // handed to the encoder pool
    int synthesised_ = 0;
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

// Speaks every segment whose speech is not in the cache, longest text first
// (so no long one is left for the end). Each segment is queued for encoding
// as soon as its speech is stored: the encoder pool starts with the first,
// once the synthesis templates are forked (never fork with threads running),
// and fills the cores while workers are forked and results stored.
void Renderer::synthesise_missing() {
    std::vector<synth::Request> requests;
    std::vector<std::size_t> which;
    std::map<std::string, std::vector<std::size_t>> sharing;  // speech key → segments
    for (std::size_t i = 0; i < s_.segments.size(); ++i) {
        const auto& key = keys_[i].speech;
        if (infos_.count(key)) continue;
        if (auto found = sharing.find(key); found != sharing.end()) {
            found->second.push_back(i);
            continue;
        }
        if (auto info = cache_->speech_info(key)) {
            infos_.emplace(key, std::move(*info));
            continue;
        }
        sharing[key].push_back(i);
        which.push_back(i);
    }
    if (which.empty()) return;
    std::stable_sort(which.begin(), which.end(), [&](std::size_t a, std::size_t b) {
        return s_.segments[a].text.size() > s_.segments[b].text.size();
    });
    double text = 0.0;  // the work: characters to speak
    for (auto i : which) {
        requests.push_back({s_.segments[i].text, s_.voice(s_.segments[i].voice), where(i)});
        text += double(s_.segments[i].text.size());
    }
    {
        std::lock_guard<std::mutex> lock(pool_.mutex);
        pool_.chars_to_speak = text;
    }
    const double children0 = children_cpu_seconds();
    // The remaining time shown is until the encoders finish, not only the
    // speaking; with nothing to encode (lossless formats only) it is the
    // speaking's.
    progress_.stage("speaking", int(requests.size()), text,
                    codecs_.empty() ? Progress::Remaining::Stage : Progress::Remaining::Given);
    engine_.synthesize(requests, jobs(), [&](std::size_t k, synth::Speech speech) {
        const auto& key = keys_[which[k]].speech;
        cache_->store_speech(key, speech);
        const auto& info = infos_[key] = SpeechInfo{std::int64_t(speech.pcm.size()), std::move(speech.events)};
        speech = {};
        ++synthesised_;
        std::vector<std::size_t> ready;
        double work = 0.0;
        for (auto i : sharing.at(key)) {
            plan_segment(i, info);
            if (pieces_missing(i)) {
                ready.push_back(i);
                work += double(keys_[i].work);
            }
        }
        queue_for_encoding(std::move(ready));
        {
            std::lock_guard<std::mutex> lock(pool_.mutex);
            const double chars = double(s_.segments[which[k]].text.size());
            pool_.chars_spoken += chars;
            pool_.work_spoken += work;
            pool_.speaking_cpu = children_cpu_seconds() - children0;
            progress_.step(1, chars, remaining());
        }
        throw_if_stopped();
    });
}

// A segment's pause, span and piece keys, from its speech's length.
void Renderer::plan_segment(std::size_t i, const SpeechInfo& info) {
    if (planned_[i]) return;
    auto& k = keys_[i];
    const auto coded = coded_length(info.samples);
    k.work = kSpeechLead + coded;
    const Voice& v = s_.voice(s_.segments[i].voice);
    for (auto c : codecs_) {
        k.span[c] = speech_span(c, coded);
        k.piece[c] = piece_key(k, opt_, v, c);
    }
    planned_[i] = 1;
}

bool Renderer::pieces_missing(std::size_t i) const {
    return std::any_of(codecs_.begin(), codecs_.end(),
                       [&](encode::Codec c) { return !cache_->has_piece(keys_[i].piece.at(c), c); });
}

void Renderer::plan_pieces() {
    speech_.assign(s_.segments.size(), {});
    for (std::size_t i = 0; i < s_.segments.size(); ++i) {
        // Read in synthesise_missing (no second pass over the cache's JSON);
        // the entry is checked again when its PCM is loaded for encoding.
        auto found = infos_.find(keys_[i].speech);
        auto info = found != infos_.end() ? &found->second : nullptr;
        if (!info) throw IoError(cache_->dir(), "a speech entry vanished from the cache during the render",
                                 "is another process pruning it? render again");
        auto& sp = speech_[i];
        sp.samples = info->samples;
        for (const auto& e : info->events) {
            TimedSpan t{e.sample, e.sample, e.text_pos, e.length};
            (e.kind == synth::Event::Kind::Word ? sp.words : sp.sentences).push_back(t);
        }
        plan_segment(i, *info);
    }
    layout_ = lay_out(s_, coded_lengths(speech_));
    timeline_ = place_speech(s_, speech_, layout_);
}

// Loads segment i's speech and masters it (level it, resample it once to the
// encoders' 24 kHz input): one job per piece still missing. Throws
// SpeechMissing when the cached speech is damaged or pruned.
std::vector<Renderer::EncodeJob> Renderer::master_segment(std::size_t i, Scratch& scratch) {
    const auto& k = keys_[i];
    if (!cache_->load_speech(k.speech, scratch.speech)) throw SpeechMissing{};
    auto input = inputs_.take();
    encoder_input(scratch.speech, opt_, s_.voice(s_.segments[i].voice), scratch, input);
    auto mastered = inputs_.share(std::move(input));
    std::vector<EncodeJob> jobs;
    for (auto c : codecs_)
        if (!cache_->has_piece(k.piece.at(c), c)) jobs.push_back({i, c, mastered});
    return jobs;
}

void Renderer::encode(const EncodeJob& job) {
    const auto& k = keys_[job.segment];
    cache_->store_piece(k.piece.at(job.codec),
                        encode_speech(*job.speech, k.span.at(job.codec), job.codec, opt_.encoder, opt_.loudness));
    ++encoded_;
}

// Two kinds of job: master a segment (load its speech, level it, resample it
// once to the encoders' 24 kHz input), then encode it once per missing
// codec. Mastering yields one encode job per codec, so the two encoders of
// one segment run on two cores — what makes a one-segment re-render fast.
// Workers take encode jobs first, which bounds memory to about one mastered
// segment per worker, and each batch queued is mastered longest first, so no
// long job is left for the end while the other cores idle.
void Renderer::queue_for_encoding(std::vector<std::size_t> segments) {
    if (segments.empty()) return;
    std::stable_sort(segments.begin(), segments.end(),
                     [&](std::size_t a, std::size_t b) { return keys_[a].work > keys_[b].work; });
    std::lock_guard<std::mutex> lock(pool_.mutex);
    for (auto i : segments) {
        if (queued_[i]) continue;
        queued_[i] = 1;
        pool_.to_master.push_back(i);
        ++pool_.queued;
        pool_.queued_work += double(keys_[i].work);
    }
    if (pool_.threads.empty()) {
        pool_.started = std::chrono::steady_clock::now();
        pool_.eta = RemainingTime(jobs(), cores(), jobs());  // as many speaking workers as encoder threads
        for (int t = 0; t < jobs(); ++t) pool_.threads.emplace_back([this] { encode_worker(); });
    }
    pool_.wake.notify_all();
}

void Renderer::encode_worker() {
    auto& p = pool_;
    Scratch scratch;
    auto segment_done = [&](std::size_t i) {  // with the lock held
        const auto work = double(keys_[i].work);
        ++p.finished;
        p.finished_work += work;
        p.eta.segment_done(work, p.cpu[i]);
        p.cpu.erase(i);
        if (p.showing) progress_.step(1, work, remaining());
    };
    auto job_done = [&](std::size_t i, double cpu) {  // with the lock held
        p.cpu[i] += cpu;
        p.eta.job_done(seconds_now(), cpu);
    };
    std::unique_lock<std::mutex> lock(p.mutex);
    for (;;) {
        p.wake.wait(lock, [&] {
            return p.failure || !p.encodes.empty() || !p.to_master.empty() || (p.closed && p.mastering == 0);
        });
        if (p.failure) return;
        if (!p.encodes.empty()) {
            EncodeJob job = std::move(p.encodes.front());
            p.encodes.pop_front();
            lock.unlock();
            try {
                throw_if_stopped();
                const double cpu0 = thread_cpu_seconds();
                encode(job);
                job.speech.reset();  // the last job of a segment frees its PCM here
                const double cpu = thread_cpu_seconds() - cpu0;
                lock.lock();
                job_done(job.segment, cpu);
                if (--p.pending[job.segment] == 0) segment_done(job.segment);
            } catch (...) {
                lock.lock();
                if (!p.failure) p.failure = std::current_exception();
                p.wake.notify_all();
                return;
            }
        } else if (!p.to_master.empty()) {
            const std::size_t i = p.to_master.front();
            p.to_master.pop_front();
            ++p.mastering;
            lock.unlock();
            std::vector<EncodeJob> jobs;
            std::exception_ptr error;
            bool missing = false;
            const double cpu0 = thread_cpu_seconds();
            try {
                throw_if_stopped();
                jobs = master_segment(i, scratch);  // SpeechMissing: spoken again after the pool (finish_encoding)
            } catch (const SpeechMissing&) {
                missing = true;
            } catch (...) {
                error = std::current_exception();
            }
            const double cpu = thread_cpu_seconds() - cpu0;
            lock.lock();
            --p.mastering;
            job_done(i, cpu);
            if (error && !p.failure) p.failure = error;
            if (missing) {
                p.resynth.push_back(i);  // encoded on the main thread after the pool: not counted here
                p.cpu.erase(i);
            } else if (jobs.empty()) {
                segment_done(i);
            }
            p.pending[i] = int(jobs.size());
            for (auto& j : jobs) p.encodes.push_back(std::move(j));
            p.wake.notify_all();
        } else {
            return;  // closed, nothing queued, nothing being mastered: done
        }
    }
}

// Waits for everything queued to be encoded (with progress from here on),
// then speaks again and encodes, on this thread, the segments whose cached
// speech was damaged or pruned meanwhile.
void Renderer::finish_encoding() {
    {
        std::lock_guard<std::mutex> lock(pool_.mutex);
        pool_.closed = true;
        if (pool_.queued > 0) {
            progress_.stage("encoding", pool_.queued, pool_.queued_work, pool_.finished, pool_.finished_work,
                            pool_.started, Progress::Remaining::Given);
            pool_.showing = true;
        }
        pool_.wake.notify_all();
    }
    for (auto& t : pool_.threads) t.join();
    pool_.threads.clear();
    if (pool_.failure) std::rethrow_exception(pool_.failure);
    // All threads are joined: forking for espeak is safe again.
    for (auto i : pool_.resynth) encode_again(i);
    pool_.resynth.clear();
}

// Encodes segment i's missing pieces on this thread (no encoder pool
// running), speaking it again first when its cached speech is damaged.
void Renderer::encode_again(std::size_t i) {
    Scratch scratch;
    std::vector<EncodeJob> jobs;
    try {
        jobs = master_segment(i, scratch);
    } catch (const SpeechMissing&) {
        const auto& seg = s_.segments[i];
        cache_->store_speech(keys_[i].speech, engine_.synthesize_one({seg.text, s_.voice(seg.voice), where(i)}));
        ++synthesised_;
        jobs = master_segment(i, scratch);
    }
    for (const auto& job : jobs) encode(job);
}

Renderer::~Renderer() {
    if (pool_.threads.empty()) return;  // finish_encoding() joined them
    // A failure elsewhere: the encoder pool stops after the jobs in hand.
    std::unique_lock<std::mutex> lock(pool_.mutex);
    if (!pool_.failure) pool_.failure = std::make_exception_ptr(Interrupted());
    pool_.wake.notify_all();
    lock.unlock();
    for (auto& t : pool_.threads) t.join();
}

std::string Renderer::render_key() const {
    Hasher h;
    h.add("render/1").add(TURNCAST_VERSION).add(plan_.slug).add(s_.meta.title).add(s_.meta.date)
        .add(s_.meta.time).add(s_.meta.place);
    for (const auto& f : opt_.formats) h.add(f);
    for (std::size_t i = 0; i < keys_.size(); ++i) {
        h.add(keys_[i].speech).add(layout_.starts[i]);
        for (const auto& [c, key] : keys_[i].piece) h.add(key);
    }
    h.add(layout_.total);
    for (std::size_t i = 0; i < s_.chapters.size(); ++i) h.add(s_.chapters[i].title).add(timeline_.chapter_starts[i]);
    for (const auto& sp : s_.speakers) h.add(sp.id).add(sp.name).add(sp.voice);
    for (const auto& seg : s_.segments) h.add(std::int64_t(seg.speaker)).add(std::int64_t(seg.narration));
    if (!opt_.cover_path.empty()) h.add(io::read_file(opt_.cover_path, io::kMaxCoverBytes, "cover image"));
    return h.hex();
}

bool Renderer::up_to_date(const std::string& key, Result& r) const {
    const std::string manifest_path = r.dir + "/manifest.json";
    std::error_code ec;
    if (!fs::exists(manifest_path, ec)) return false;
    try {
        auto m = sidecar::parse_manifest(io::read_file(manifest_path, io::kMaxManifestBytes, "manifest"), manifest_path);
        if (m.render_key != key) return false;
        for (const auto& f : m.files) {
            auto p = r.dir + "/" + f.name;
            if (!fs::exists(p, ec)) return false;
            if (f.bytes > 0 && fs::file_size(p, ec) != f.bytes) return false;
            r.files.push_back(p);
        }
        r.files.push_back(manifest_path);
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

std::optional<std::size_t> Renderer::mux_pieces(const std::string& format, io::AtomicFile& out) const {
    const auto codec = codec_of(format);
    const auto container = format == "opus" ? mux::Container::Ogg
                           : format == "m4b" ? mux::Container::M4b
                                             : mux::Container::M4a;
    std::vector<mux::ChapterMark> marks;
    for (std::size_t i = 0; i < s_.chapters.size(); ++i) {
        auto end = i + 1 < s_.chapters.size() ? timeline_.chapter_starts[i + 1] : timeline_.total;
        marks.push_back({s_.chapters[i].title, timeline_.chapter_starts[i], end});
    }
    mux::Tags tags;
    tags.title = s_.meta.title.empty() ? plan_.slug : s_.meta.title;
    tags.artist = named_speakers(s_);
    tags.album = tags.title;
    tags.date = s_.meta.date;
    tags.description = description(s_);
    tags.comment = "Rendered by turncast " TURNCAST_VERSION " with eSpeak NG";
    tags.cover_path = opt_.cover_path;

    // Speech from the cache; the silences between, each length encoded once.
    std::map<std::int64_t, encode::Piece> silences;
    auto silence = [&](std::int64_t span) -> const encode::Piece& {
        auto found = silences.find(span);
        if (found == silences.end())
            found = silences.emplace(span, encode::encode_piece(codec, opt_.encoder, [](float*, std::int64_t) {}, 0, 0,
                                                               encode::input_samples(codec, span)))
                        .first;
        return found->second;
    };
    const auto& laid = layout_.pieces.at(codec);
    std::optional<mux::Muxer> m;
    for (const auto& p : laid) {
        throw_if_stopped();
        std::optional<encode::Piece> speech;
        if (p.segment != LaidPiece::kSilence) {
            speech = cache_->load_piece(keys_[p.segment].piece.at(codec), codec);
            if (!speech) return p.segment;
        }
        const encode::Piece& piece = speech ? *speech : silence(p.span);
        if (!m) m.emplace(out.temp_path(), container, piece, marks, tags);
        m->write(piece);
    }
    m->finish();
    return std::nullopt;
}

std::unique_ptr<io::AtomicFile> Renderer::write_audio(const std::string& format, const std::string& path) {
    // A damaged piece found while muxing is encoded again and the file
    // restarted; one that fails again after that is a disk problem.
    const auto codec = codec_of(format);
    std::set<std::size_t> repaired;
    for (;;) {
        auto out = std::make_unique<io::AtomicFile>(path);
        const auto damaged = mux_pieces(format, *out);
        if (!damaged) return out;
        if (!repaired.insert(*damaged).second)
            throw IoError(cache_->dir(), "cache entries keep failing verification", "check the disk, or render with --no-cache");
        cache_->remove_piece(keys_[*damaged].piece.at(codec), codec);
        encode_again(*damaged);
    }
}

std::unique_ptr<io::AtomicFile> Renderer::write_lossless(const std::string& format, const std::string& path) {
    auto out = std::make_unique<io::AtomicFile>(path);
    SF_INFO info{};
    info.samplerate = kTimelineRate;
    info.channels = 1;
    info.format = format == "flac" ? (SF_FORMAT_FLAC | SF_FORMAT_PCM_24) : (SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    io::SndfilePtr f(sf_open(out->temp_path().c_str(), SFM_WRITE, &info));
    if (!f) throw IoError(path, std::string("cannot create: ") + sf_strerror(nullptr));
    sf_command(f.get(), SFC_SET_CLIPPING, nullptr, SF_TRUE);
    std::vector<float> block(1 << 16);
    std::int64_t written = 0;
    Scratch scratch;
    // Writes `count` samples: zeros, or the next ones from `content`.
    auto put = [&](std::int64_t count, master::Resampler* content) {
        while (count > 0 && written < timeline_.total) {
            const auto n = std::min({count, std::int64_t(block.size()), timeline_.total - written});
            if (content) content->read(block.data(), n);
            else std::fill(block.begin(), block.begin() + n, 0.0f);
            if (sf_writef_float(f.get(), block.data(), n) != n)
                throw IoError(path, std::string("cannot write: ") + sf_strerror(f.get()), "free some disk space");
            written += n;
            count -= n;
        }
    };
    for (std::size_t i = 0; i < keys_.size() && written < timeline_.total; ++i) {
        throw_if_stopped();
        put(layout_.starts[i] - written, nullptr);
        if (!cache_->load_speech(keys_[i].speech, scratch.speech))
            throw IoError(cache_->dir(), "a speech entry failed verification", "render again");
        master_speech(scratch.speech, opt_, s_.voice(s_.segments[i].voice), false, scratch.pcm, scratch.work);
        const auto& mastered = scratch.pcm;
        master::Resampler content(mastered.data(), std::int64_t(mastered.size()), kTimelineRate);
        put(content.size(), &content);
    }
    put(timeline_.total - written, nullptr);
    if (sf_close(f.release()) != 0) throw IoError(path, "cannot finish writing");
    return out;
}

Result Renderer::run() {
    Result r;
    r.dir = opt_.output_dir + "/" + plan_.slug;
    codecs_ = codecs_for(opt_.formats);

    // Voices must exist before anything is spoken or written.
    cast::check_espeak_voices(
        plan_.cast, [&](const std::string& v) { return engine_.has_voice(v); },
        [&](const std::string& v) { return engine_.has_variant(v); });
    check_paths(plan_, opt_);
    if (!opt_.cover_path.empty()) check_cover(opt_.cover_path);  // fails early and clearly

    if (opt_.use_cache) {
        cache_ = std::make_unique<Cache>(opt_.cache_dir.empty() ? opt_.output_dir + "/.cache" : opt_.cache_dir);
    } else {
        // A fresh private folder (mkdtemp: a name nobody can predict or plant a
        // link at), named with this process's owner tag and PID so that the one
        // a SIGKILL left behind is removed by the next render here.
        io::remove_stale_temporaries(fs::temp_directory_path().string());
        std::string pattern = (fs::temp_directory_path() /
                               (".turncast-new-" + io::owner_tag() + "-" + std::to_string(::getpid()) + "-nocache-XXXXXX"))
                                  .string();
        if (!::mkdtemp(pattern.data()))
            throw IoError(pattern, std::string("cannot create a temporary folder: ") + std::strerror(errno),
                          "check TMPDIR and free disk space");
        private_cache_ = pattern;
        cache_ = std::make_unique<Cache>(private_cache_);
    }
    struct Cleanup {
        std::string dir;
        ~Cleanup() {
            std::error_code ec;
            if (!dir.empty()) fs::remove_all(dir, ec);
        }
    } cleanup{private_cache_};

    keys_.resize(s_.segments.size());
    planned_.assign(keys_.size(), 0);
    queued_.assign(keys_.size(), 0);
    const auto version = engine_.version();
    for (std::size_t i = 0; i < s_.segments.size(); ++i)
        keys_[i].speech = speech_key(version, s_.voice(s_.segments[i].voice), s_.segments[i].text);

    // One render of a folder at a time: a second waits here, then renders its
    // own text and switches in its own complete set.
    io::FolderLock lock(r.dir, [&] {
        if (!opt_.quiet)
            std::fprintf(stderr, "turncast: %s: another render of this folder is running; waiting for it\n",
                         r.dir.c_str());
    });
    io::remove_stale_temporaries(r.dir);                               // left by a killed render
    io::remove_stale_temporaries(fs::path(r.dir).parent_path().string());  // its staging folders
    synthesise_missing();
    plan_pieces();
    r.total_samples = timeline_.total;

    const auto key = render_key();
    if (up_to_date(key, r)) {
        finish_encoding();  // what was queued while speaking (a pruned cache) is kept
        r.unchanged = true;
        r.synthesised = synthesised_;
        r.cache_rejected = cache_->rejected();
        r.cache_removed = trim_cache();
        progress_.done();
        return r;
    }

    std::vector<std::size_t> to_encode;  // those not queued while speaking
    for (std::size_t i = 0; i < keys_.size(); ++i)
        if (!queued_[i] && pieces_missing(i)) to_encode.push_back(i);
    queue_for_encoding(std::move(to_encode));

    // Every output is written into a fresh folder beside the output folder,
    // and the two change places in one atomic rename at the end: a render that
    // fails or is killed (a full disk, a damaged cache, SIGKILL) leaves the
    // previous outputs as they were, never a mix of new and old. The captions,
    // chapters, transcript and player page need only the timeline: they are
    // written while the encoder threads work, on this thread, which would
    // otherwise wait.
    io::StagingDir staging(r.dir);
    const std::string& out_dir = staging.path();
    for (const char* f : {"opus", "m4a", "m4b", "flac", "wav", "vtt", "srt", "chapters.json", "transcript.json"})
        staging.own(plan_.slug + "." + f);
    staging.own("index.html");
    staging.own("manifest.json");
    sidecar::Names names;
    names.slug = plan_.slug;
    names.audio_m4a = std::count(opt_.formats.begin(), opt_.formats.end(), "m4a") ? plan_.slug + ".m4a" : "";
    names.audio_opus = std::count(opt_.formats.begin(), opt_.formats.end(), "opus") ? plan_.slug + ".opus" : "";
    struct Sidecar {
        std::string kind, name, type;
        std::unique_ptr<io::AtomicFile> file;
    };
    std::vector<Sidecar> sidecars;
    // One at a time: for a long transcript each of these is megabytes.
    auto stage = [&](const char* kind, const std::string& name, const std::string& bytes) {
        sidecars.push_back({kind, name, sidecar::media_type(kind), io::stage_file(out_dir + "/" + name, bytes)});
    };
    stage("vtt", plan_.slug + ".vtt", sidecar::webvtt(s_, timeline_));
    stage("srt", plan_.slug + ".srt", sidecar::srt(s_, timeline_));
    stage("chapters", plan_.slug + ".chapters.json", sidecar::chapters_json(s_, timeline_));
    stage("transcript", plan_.slug + ".transcript.json", sidecar::transcript_json(s_, timeline_));
    stage("html", "index.html", sidecar::web_player(s_, timeline_, names));

    finish_encoding();
    // The encoders' buffers are free now but still mapped: hand them back
    // before muxing, whose index grows with the audio's length (libavformat's
    // MP4 muxer keeps ~64 bytes per AAC frame until it writes the moov).
    inputs_.clear();
    ::malloc_trim(0);

    progress_.stage("writing", int(opt_.formats.size()) + 1);
    sidecar::Manifest manifest;
    std::vector<std::unique_ptr<io::AtomicFile>> staged;
    auto add_file = [&](const std::string& kind, const std::string& name, const std::string& type,
                        std::unique_ptr<io::AtomicFile> file) {
        std::error_code ec;
        sidecar::ManifestFile f;
        f.kind = kind;
        f.name = name;
        f.type = type;
        f.bytes = fs::file_size(file->temp_path(), ec);
        manifest.files.push_back(f);
        r.files.push_back(r.dir + "/" + name);
        staged.push_back(std::move(file));
    };
    // The encoded formats are muxed side by side (one thread each: the
    // encoders are done and the cores free); one with a damaged piece is
    // written again below, on this thread, where repairing may fork.
    std::map<std::string, std::unique_ptr<io::AtomicFile>> muxed;
    {
        std::vector<std::pair<std::string, std::unique_ptr<io::AtomicFile>>> outs;
        for (const auto& f : opt_.formats)
            if (!lossless(f)) outs.emplace_back(f, std::make_unique<io::AtomicFile>(out_dir + "/" + plan_.slug + "." + f));
        std::vector<std::future<std::optional<std::size_t>>> damaged;  // destroyed first: waits for every thread
        for (const auto& [f, out] : outs)
            damaged.push_back(std::async(std::launch::async, [this, &f = f, &out = *out] { return mux_pieces(f, out); }));
        for (std::size_t k = 0; k < outs.size(); ++k)
            if (!damaged[k].get()) muxed[outs[k].first] = std::move(outs[k].second);
    }
    for (const auto& format : opt_.formats) {
        const std::string name = plan_.slug + "." + format;
        auto file = lossless(format) ? write_lossless(format, out_dir + "/" + name)
                    : muxed.count(format) ? std::move(muxed[format])
                                          : write_audio(format, out_dir + "/" + name);
        add_file(format, name, sidecar::media_type(format), std::move(file));
        progress_.step();
    }

    for (auto& sc : sidecars) add_file(sc.kind, sc.name, sc.type, std::move(sc.file));

    manifest.slug = plan_.slug;
    manifest.title = s_.meta.title.empty() ? plan_.slug : s_.meta.title;
    manifest.date = s_.meta.date;
    manifest.time = s_.meta.time;
    manifest.place = s_.meta.place;
    manifest.description = description(s_);
    for (const auto& sp : s_.speakers)
        if (sp.role != SpeakerRole::Narrator) manifest.speakers.push_back(sp.name);
    manifest.duration = seconds(timeline_.total);
    manifest.render_key = key;
    manifest.source_id = plan_.source_id;
    // The manifest goes last: it vouches for the files above.
    staged.push_back(io::stage_file(out_dir + "/manifest.json", sidecar::to_json(manifest)));
    r.files.push_back(r.dir + "/manifest.json");
    io::commit_all(staged);
    staging.commit();
    r.cache_removed = trim_cache();
    progress_.done();

    r.synthesised = synthesised_;
    r.encoded = encoded_;
    r.cache_rejected = cache_->rejected();
    return r;
}

// Keeps a shared cache bounded: what this render used stays (and counts as
// just used); older entries go, least recently used first, once the cache is
// over its size. A render running beside this one trims when it finishes.
std::uint64_t Renderer::trim_cache() {
    if (!opt_.use_cache) return 0;  // the private cache is removed anyway
    std::vector<std::string> keep;
    for (const auto& k : keys_) {
        keep.push_back(k.speech);
        for (const auto& [codec, piece] : k.piece) keep.push_back(piece);
    }
    return cache_->trim(opt_.cache_max_bytes, keep).value_or(0);
}

}  // namespace

Result render(const Plan& plan, const Options& options, synth::Engine& engine) {
    return Renderer(plan, options, engine).run();
}

Mastering lossy_mastering(const master::LoudnessTarget& loudness) {
    Mastering m{loudness, {}};
    m.target.true_peak_dbtp -= kCodecHeadroomDb;
    m.limiter.margin_db = 1.0;
    m.limiter.true_peak_trim = false;
    return m;
}

double decoded_peak_limit(const master::LoudnessTarget& loudness) {
    return std::pow(10.0, (loudness.true_peak_dbtp - kDecoderMarginDb) / 20.0);
}

}  // namespace turncast::render
