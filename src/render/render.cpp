// Rendering one planned transcript: the pipeline (Renderer::run) and its
// steps up to the encoders; the encoder pool and the outputs have files of
// their own.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/cpu_time.hpp"
#include "core/error.hpp"
#include "core/hash.hpp"
#include "core/stop.hpp"
#include "mux/mux.hpp"
#include "render/renderer.hpp"
#include "sidecar/manifest.hpp"

namespace fs = std::filesystem;

namespace turncast::render {

// The pipeline for one transcript, each step a function below:
// speak (the encoders start on the first speech), lay out, master and
// encode what is missing, then write every output and switch them in.
Result Renderer::run() {
    Result r;
    r.dir = opt_.output_dir + "/" + plan_.slug;
    codecs_ = codecs_for(opt_.formats);
    check_inputs();
    open_cache();
    key_speech();
    // One render of a folder at a time: a second waits here, then renders its
    // own text and switches in its own complete set.
    io::FolderLock lock(r.dir, [&] {
        if (!opt_.quiet)
            std::fprintf(stderr, "turncast: %s: another render of this folder is running; waiting for it\n",
                         r.dir.c_str());
    });
    io::remove_stale_temporaries(r.dir);                               // left by a killed render
    io::remove_stale_temporaries(fs::path(r.dir).parent_path().string());  // its staging folders

    previous_ = read_previous(r.dir);
    synthesize_missing();  // speak; each segment is queued for encoding as its speech arrives
    plan_pieces();         // lay out
    r.total_samples = timeline_.total;
    const auto key = render_key();
    if (up_to_date(key, r)) return unchanged(std::move(r));
    queue_remaining();     // master and encode what the cache lacks
    write_outputs(key, r); // sidecars beside the encoders, then mux, manifest, commit

    r.cache_removed = trim_cache();
    progress_.done();
    r.synthesized = synthesized_;
    r.encoded = encoded_;
    r.cache_rejected = cache_->rejected();
    return r;
}

// Voices must exist before anything is spoken or written; paths and the
// cover are checked as early. The cover is read once: its bytes are in the
// render key and every file that carries it. A title card is keyed by what
// it says and drawn only when the outputs are written: drawing it takes more
// CPU (≈0.15 s) than all the rest of an unchanged re-render.
void Renderer::check_inputs() {
    cast::check_espeak_voices(
        plan_.cast, [&](const std::string& v) { return engine_.has_voice(v); },
        [&](const std::string& v) { return engine_.has_variant(v); });
    check_paths(plan_, opt_);
    if (!opt_.cover_path.empty()) cover_.file = check_cover(opt_.cover_path);
    else if (opt_.title_card) card_ = card_text(plan_);
    // Before anything is spoken: a transcript with more chapters than a format holds.
    for (const auto& [format, container] : {std::pair{"opus", mux::Container::Ogg}, std::pair{"mp3", mux::Container::Mp3}})
        if (std::count(opt_.formats.begin(), opt_.formats.end(), format))
            mux::check_chapter_count(container, s_.chapters.size(), plan_.source);
}

void Renderer::open_cache() {
    if (opt_.use_cache) {
        cache_ = std::make_unique<Cache>(opt_.cache_dir.empty() ? opt_.output_dir + "/.cache" : opt_.cache_dir,
                                         opt_.remote);
        return;
    }
    // A fresh private folder (mkdtemp: a name nobody can predict or plant a
    // link at), named with this process's owner tag and PID so that the one
    // a SIGKILL left behind is removed by the next render here; the
    // destructor removes it.
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

void Renderer::key_speech() {
    keys_.resize(s_.segments.size());
    planned_.assign(keys_.size(), 0);
    queued_.assign(keys_.size(), 0);
    const auto version = engine_.version();
    for (std::size_t i = 0; i < s_.segments.size(); ++i)
        keys_[i].speech = speech_key(version, s_.voice(s_.segments[i].voice), s_.segments[i].text);
}

// The outputs are up to date: what was queued while speaking (a pruned
// cache) is encoded and kept, nothing is written.
Result Renderer::unchanged(Result r) {
    finish_encoding();
    r.unchanged = true;
    r.synthesized = synthesized_;
    r.cache_rejected = cache_->rejected();
    r.cache_removed = trim_cache();
    progress_.done();
    return r;
}

void Renderer::queue_remaining() {
    std::vector<std::size_t> to_encode;
    for (std::size_t i = 0; i < keys_.size(); ++i)
        if (!queued_[i] && pieces_missing(i)) to_encode.push_back(i);
    queue_for_encoding(std::move(to_encode));
}

// Speaks every segment whose speech is not in the cache, longest text first
// (so no long one is left for the end). Each segment is queued for encoding
// as soon as its speech is stored: the encoder pool starts with the first,
// once the synthesis templates are forked (never fork with threads running),
// and fills the cores while workers are forked and results stored.
void Renderer::synthesize_missing() {
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
        ++synthesized_;
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
        // Read in synthesize_missing (no second pass over the cache's JSON);
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

std::string Renderer::render_key() const {
    Hasher h;
    h.add("render/1").add(TURNCAST_VERSION).add(plan_.slug).add(s_.meta.title).add(s_.meta.date)
        .add(s_.meta.time).add(s_.meta.place).add(s_.meta.zone);
    for (const auto& f : opt_.formats) h.add(f);
    for (std::size_t i = 0; i < keys_.size(); ++i) {
        h.add(keys_[i].speech).add(layout_.starts[i]);
        for (const auto& [c, key] : keys_[i].piece) h.add(key);
    }
    h.add(layout_.total);
    for (std::size_t i = 0; i < s_.chapters.size(); ++i) h.add(s_.chapters[i].title).add(timeline_.chapter_starts[i]);
    for (const auto& sp : s_.speakers) h.add(sp.id).add(sp.name).add(sp.voice);
    for (const auto& seg : s_.segments) h.add(std::int64_t(seg.speaker)).add(std::int64_t(seg.narration));
    h.add(cover_.file);
    if (card_) h.add(art::drawing_version()).add(card_->title).add(card_->date).add(card_->place).add(card_->speakers);
    return h.hex();
}

// The manifest the folder holds from the last render of this transcript,
// if it is readable (a damaged one is rewritten as if there were none).
std::optional<sidecar::Manifest> Renderer::read_previous(const std::string& dir) const {
    const std::string path = dir + "/manifest.json";
    std::error_code ec;
    if (!fs::exists(path, ec)) return std::nullopt;
    try {
        auto m = sidecar::parse_manifest(io::read_file(path, io::kMaxManifestBytes, "manifest"), path);
        if (!m.source_id.empty() && m.source_id != plan_.source_id) return std::nullopt;
        return m;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

bool Renderer::up_to_date(const std::string& key, Result& r) const {
    if (!previous_ || previous_->render_key != key) return false;
    std::error_code ec;
    std::vector<std::string> files;
    for (const auto& f : previous_->files) {
        auto p = r.dir + "/" + f.name;
        if (!fs::exists(p, ec)) return false;
        if (f.bytes > 0 && fs::file_size(p, ec) != f.bytes) return false;
        files.push_back(p);
    }
    r.files.insert(r.files.end(), files.begin(), files.end());
    r.files.push_back(r.dir + "/manifest.json");
    return true;
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

Timeline build_timeline(const Script& script, const std::vector<SegmentSpeech>& speech) {
    return place_speech(script, speech, lay_out(script, coded_lengths(speech)));
}

Result render(const Plan& plan, const Options& options, synth::Engine& engine) {
    return Renderer(plan, options, engine).run();
}

}  // namespace turncast::render
