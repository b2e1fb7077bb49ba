// What a render writes: the audio files (muxed from the cached pieces, or
// lossless from the mastered speech), the sidecars and the manifest, staged
// beside the output folder and switched in at once.
#include <malloc.h>

#include <ctime>

#include <filesystem>
#include <future>
#include <set>

#include "core/counted.hpp"
#include "core/error.hpp"
#include "core/stop.hpp"
#include "io/sndfile.hpp"
#include "master/policy.hpp"
#include "mux/mux.hpp"
#include "render/renderer.hpp"
#include "sidecar/feed.hpp"
#include "sidecar/manifest.hpp"
#include "sidecar/sidecar.hpp"

namespace fs = std::filesystem;

namespace turncast::render {

namespace {

// Today's date in UTC, YYYY-MM-DD.
std::string utc_date() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

}  // namespace

bool lossless(const std::string& format) { return format == "flac" || format == "wav"; }

// The codec of an encoded (not lossless) format: Opus in Ogg, AAC in M4A/M4B, MP3.
encode::Codec codec_of(const std::string& format) {
    return format == "opus" ? encode::Codec::Opus : format == "mp3" ? encode::Codec::Mp3 : encode::Codec::Aac;
}

std::vector<encode::Codec> codecs_for(const std::vector<std::string>& formats) {
    std::vector<encode::Codec> out;
    for (auto c : {encode::Codec::Opus, encode::Codec::Aac, encode::Codec::Mp3})
        if (std::any_of(formats.begin(), formats.end(),
                        [&](const std::string& f) { return !lossless(f) && codec_of(f) == c; }))
            out.push_back(c);
    return out;
}


// Every output is written into a fresh folder beside the output folder, and
// the two change places in one atomic rename at the end: a render that fails
// or is killed (a full disk, a damaged cache, SIGKILL) leaves the previous
// outputs as they were, never a mix of new and old. The captions, chapters,
// transcript and player page need only the timeline: they are written while
// the encoder threads work, on this thread, which would otherwise wait.
void Renderer::write_outputs(const std::string& key, Result& r) {
    io::StagingDir staging(r.dir);
    const std::string& out_dir = staging.path();
    for (const char* f : {"opus", "m4a", "m4b", "mp3", "flac", "wav", "vtt", "srt", "chapters.json", "transcript.json"})
        staging.own(plan_.slug + "." + f);
    for (const char* f : {"index.html", "manifest.json", "cover.jpg", "cover.png"}) staging.own(f);
    auto sidecars = stage_sidecars(out_dir);

    finish_encoding();
    // The encoders' buffers are free now but still mapped: hand them back
    // before muxing, whose index grows with the audio's length (libavformat's
    // MP4 muxer keeps ~64 bytes per AAC frame until it writes the moov).
    inputs_.clear();
    ::malloc_trim(0);
    // The title card after the encoders, not beside them: its 3000 px canvas
    // (36 MB) would add to their peak; drawing it costs ≈0.15 s here.
    if (card_) draw_card();
    if (!cover_.file.empty()) sidecars.push_back(stage_cover(out_dir));

    progress_.stage("writing", int(opt_.formats.size()) + 1);
    auto files = write_audio_files(out_dir);
    for (auto& sc : sidecars) files.push_back(std::move(sc));

    auto manifest = sidecar::make_manifest(s_, timeline_, names());
    manifest.files.clear();  // the files as written, with their sizes
    manifest.render_key = key;
    manifest.source_id = plan_.source_id;
    // The episode keeps the GUID of its first render; a render that changes
    // its audio says when it was corrected.
    manifest.guid = previous_ && !previous_->guid.empty()
                        ? previous_->guid
                        : "urn:uuid:" + sidecar::uuid_v5(sidecar::kPodcastNamespace,
                                                         "turncast:" + plan_.source_id + ":" + plan_.slug);
    if (previous_) manifest.corrected = previous_->render_key != key ? utc_date() : previous_->corrected;
    for (const auto& f : files)
        if (f.kind == "cover") manifest.cover = f.name;
    std::vector<std::unique_ptr<io::AtomicFile>> staged;
    for (auto& f : files) {
        std::error_code ec;
        manifest.files.push_back({f.kind, f.name, f.type, fs::file_size(f.file->temp_path(), ec)});
        r.files.push_back(r.dir + "/" + f.name);
        staged.push_back(std::move(f.file));
    }
    // The manifest goes last: it vouches for the files above.
    staged.push_back(io::stage_file(out_dir + "/manifest.json", sidecar::to_json(manifest)));
    r.files.push_back(r.dir + "/manifest.json");
    io::commit_all(staged);
    staging.commit();
}

// Captions, chapters, transcript and player page, one at a time: for a long
// transcript each of these is megabytes.
sidecar::Names Renderer::names() const {
    sidecar::Names n;
    n.slug = plan_.slug;
    n.audio_m4a = std::count(opt_.formats.begin(), opt_.formats.end(), "m4a") ? plan_.slug + ".m4a" : "";
    n.audio_opus = std::count(opt_.formats.begin(), opt_.formats.end(), "opus") ? plan_.slug + ".opus" : "";
    // As stage_cover names it; the page is written before the card is drawn,
    // and a card is always a PNG.
    n.cover = card_ ? "cover.png" : cover_.file.empty() ? "" : cover_file_name(cover_.file);
    return n;
}

std::vector<Renderer::Output> Renderer::stage_sidecars(const std::string& out_dir) const {
    std::vector<Output> sidecars;
    auto stage = [&](const char* kind, const std::string& name, const std::string& bytes) {
        sidecars.push_back({kind, name, sidecar::media_type(kind), io::stage_file(out_dir + "/" + name, bytes)});
    };
    stage("vtt", plan_.slug + ".vtt", sidecar::webvtt(s_, timeline_));
    stage("srt", plan_.slug + ".srt", sidecar::srt(s_, timeline_));
    stage("chapters", plan_.slug + ".chapters.json", sidecar::chapters_json(s_, timeline_));
    stage("transcript", plan_.slug + ".transcript.json", sidecar::transcript_json(s_, timeline_));
    stage("html", "index.html", sidecar::web_player(s_, timeline_, names()));
    return sidecars;
}

// The title card, drawn once the encoders are done: the muxers embed it,
// stage_cover writes it.
void Renderer::draw_card() {
    cover_ = draw_title_card(*card_);
    if (cover_.missing_glyphs > 0 && !opt_.quiet)
        std::fprintf(stderr, "turncast: %s: warning: the title card shows %s as boxes (no installed font has them); "
                             "give --cover an image\n", plan_.source.c_str(),
                     counted(std::size_t(cover_.missing_glyphs), "character").c_str());
}

// The cover beside the audio, for the feed and the page.
Renderer::Output Renderer::stage_cover(const std::string& out_dir) const {
    const std::string name = cover_file_name(cover_.file);
    return {"cover", name, name == "cover.png" ? "image/png" : "image/jpeg",
            io::stage_file(out_dir + "/" + name, cover_.file)};
}

// The encoded formats are muxed side by side (one thread each: the encoders
// are done and the cores free); one with a damaged piece is written again
// after, on this thread, where repairing may fork. Then the lossless ones.
std::vector<Renderer::Output> Renderer::write_audio_files(const std::string& out_dir) {
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
    std::vector<Output> files;
    for (const auto& format : opt_.formats) {
        const std::string name = plan_.slug + "." + format;
        auto file = lossless(format) ? write_lossless(format, out_dir + "/" + name)
                    : muxed.count(format) ? std::move(muxed[format])
                                          : write_audio(format, out_dir + "/" + name);
        files.push_back({format, name, sidecar::media_type(format), std::move(file)});
        progress_.step();
    }
    return files;
}

std::optional<std::size_t> Renderer::mux_pieces(const std::string& format, io::AtomicFile& out) const {
    const auto codec = codec_of(format);
    const auto container = format == "opus"  ? mux::Container::Ogg
                           : format == "m4b" ? mux::Container::M4b
                           : format == "mp3" ? mux::Container::Mp3
                                             : mux::Container::M4a;
    std::vector<mux::ChapterMark> marks;
    for (std::size_t i = 0; i < s_.chapters.size(); ++i) {
        auto end = i + 1 < s_.chapters.size() ? timeline_.chapter_starts[i + 1] : timeline_.total;
        marks.push_back({s_.chapters[i].title, timeline_.chapter_starts[i], end});
    }
    mux::Tags tags;
    tags.title = sidecar::tag_text(s_.meta.title.empty() ? plan_.slug : s_.meta.title);
    tags.artist = sidecar::named_speakers(s_);
    tags.album = tags.title;
    tags.date = s_.meta.date;
    tags.description = sidecar::describe(s_);
    tags.comment = tags.description;  // the same description in every file and app
    tags.cover = cover_.for_audio();

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
        if (!m) {
            m.emplace(out.temp_path(), container, piece, marks, tags);
            m->end_at(timeline_.total);  // every format as long as the timeline
        }
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
    io::PcmWriter f(out->temp_path(), path, kTimelineRate,
                    format == "flac" ? io::PcmWriter::Flac24 : io::PcmWriter::WavFloat);
    std::vector<float> block(1 << 16);
    std::int64_t written = 0;
    Scratch scratch;
    // Writes `count` samples: zeros, or the next ones from `content`.
    auto put = [&](std::int64_t count, master::Resampler* content) {
        while (count > 0 && written < timeline_.total) {
            const auto n = std::min({count, std::int64_t(block.size()), timeline_.total - written});
            if (content) content->read(block.data(), n);
            else std::fill(block.begin(), block.begin() + n, 0.0f);
            f.write(block.data(), n);
            written += n;
            count -= n;
        }
    };
    for (std::size_t i = 0; i < keys_.size() && written < timeline_.total; ++i) {
        throw_if_stopped();
        put(layout_.starts[i] - written, nullptr);
        if (!cache_->load_speech(keys_[i].speech, scratch.speech))
            throw IoError(cache_->dir(), "a speech entry failed verification", "render again");
        master::LoudnessTarget loudness = opt_.loudness;
        loudness.integrated_lufs = target_lufs(opt_, s_.voice(s_.segments[i].voice));
        master::master_speech(scratch.speech.pcm, master::for_output(loudness, false), scratch.pcm, scratch.work);
        const auto& mastered = scratch.pcm;
        master::Resampler content(mastered.data(), std::int64_t(mastered.size()), kTimelineRate);
        put(content.size(), &content);
    }
    put(timeline_.total - written, nullptr);
    f.close();
    return out;
}

}  // namespace turncast::render
