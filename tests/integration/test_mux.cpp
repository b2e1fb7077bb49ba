// mux: pieces encoded separately, joined into .opus / .m4a / .m4b / .mp3, then
// reopened with libavformat, decoded with libavcodec and read by independent
// tools (ffprobe, opusinfo, mediainfo). The chirp bursts prove the join
// arithmetic: each must sit at its exact timeline sample in every file.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
}

#include "core/error.hpp"
#include "encode/encode.hpp"
#include "io/av.hpp"
#include "mux/mux.hpp"

using namespace turncast;

namespace {
constexpr std::int64_t kSpan = 30720;     // 640 ms: whole frames of Opus and AAC
constexpr std::int64_t kMp3Span = 32256;  // 672 ms: 28 MP3 frames
}
using encode::Codec;
using mux::Container;
namespace fs = std::filesystem;

namespace {

// ---- the test programme: pieces with a chirp at a known place each ----

// 100 ms, 300 Hz → 3 kHz: a sharp correlation peak. At the codec's rate (the
// AAC pieces are coded at 24 kHz).
std::vector<float> chirp(int rate) {
    const int n = rate / 10, edge = n / 50;
    std::vector<float> c(static_cast<std::size_t>(n));
    const double T = 0.1, f0 = 300, f1 = 3000;
    for (int i = 0; i < n; ++i) {
        const double t = double(i) / rate;
        double env = 1.0;
        if (i < edge) env = 0.5 - 0.5 * std::cos(M_PI * i / edge);
        if (i >= n - edge) env = 0.5 - 0.5 * std::cos(M_PI * (n - 1 - i) / edge);
        c[std::size_t(i)] = float(0.5 * env * std::sin(2 * M_PI * (f0 * t + (f1 - f0) * t * t / (2 * T))));
    }
    return c;
}

struct Programme {
    // In grains of whole frames of the codec's.
    explicit Programme(Codec codec = Codec::Opus) {
        const std::int64_t grain = codec == Codec::Mp3 ? kMp3Span : kSpan;
        spans = {2 * grain, 3 * grain, 1 * grain, 2 * grain};
    }
    std::vector<std::int64_t> spans;
    std::vector<std::int64_t> offsets{4000, 9100, 3334, 20002};  // chirp start inside each piece (even: whole AAC samples)
    std::vector<std::int64_t> starts() const {
        std::vector<std::int64_t> s;
        std::int64_t at = 0;
        for (auto span : spans) {
            s.push_back(at);
            at += span;
        }
        return s;
    }
    std::int64_t total() const {
        std::int64_t t = 0;
        for (auto s : spans) t += s;
        return t;
    }
    std::vector<mux::ChapterMark> chapters() const {
        const auto s = starts();
        const char* titles[] = {"Opening remarks", "Question 1: Über Städte, «quotes» & more",
                                "Question 2: short", "Closing remarks"};
        std::vector<mux::ChapterMark> c;
        for (std::size_t i = 0; i < spans.size(); ++i) c.push_back({titles[i], s[i], s[i] + spans[i]});
        return c;
    }
    std::vector<encode::Piece> pieces(Codec codec) const {
        const auto c = chirp(encode::rate(codec));
        const std::int64_t scale = 48000 / encode::rate(codec);
        std::vector<encode::Piece> out;
        for (std::size_t i = 0; i < spans.size(); ++i) {
            std::vector<float> in(std::size_t(encode::input_samples(codec, spans[i])), 0.0f);
            std::copy(c.begin(), c.end(), in.begin() + offsets[i] / scale);
            out.push_back(encode::encode_piece(codec, {}, in));
        }
        return out;
    }
};

mux::Tags test_tags() {
    mux::Tags t;
    t.title = "Press conference, 30 August 2021";
    t.artist = "Sergey Lavrov; Questioners";
    t.album = "turncast tests";
    t.date = "2021-08-30";
    t.description = "A test edition";
    return t;
}

// Encoding is the slow part: share the pieces between test cases.
const std::vector<encode::Piece>& pieces(Codec codec) {
    static const auto opus = Programme{}.pieces(Codec::Opus);
    static const auto aac = Programme{}.pieces(Codec::Aac);
    static const auto mp3 = Programme(Codec::Mp3).pieces(Codec::Mp3);
    return codec == Codec::Opus ? opus : codec == Codec::Aac ? aac : mp3;
}

struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "turncast-mux-XXXXXX").string();
        if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

void write_file(const fs::path& path, Container container, Codec codec, const mux::Tags& tags) {
    const auto& ps = pieces(codec);
    mux::Muxer m(path.string(), container, ps.front(), Programme(codec).chapters(), tags);
    for (const auto& p : ps) m.write(p);
    m.finish();
}

std::vector<std::uint8_t> read_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// ---- reading back with libavformat / libavcodec ----

using InputPtr = io::InputFormatPtr;

InputPtr open_input(const fs::path& path) {
    AVFormatContext* raw = nullptr;
    REQUIRE(avformat_open_input(&raw, path.c_str(), nullptr, nullptr) == 0);
    InputPtr in(raw);
    REQUIRE(avformat_find_stream_info(in.get(), nullptr) >= 0);
    return in;
}

std::string tag(const AVDictionary* d, const char* key) {
    const AVDictionaryEntry* e = av_dict_get(d, key, nullptr, 0);
    return e ? e->value : "";
}

struct Decoded {
    AVCodecID codec = AV_CODEC_ID_NONE;
    int rate = 0, channels = 0;
    std::vector<float> pcm;
};

// Decodes the audio stream the way a player does: libavformat attaches the
// pre-skip / edit-list trim as skip-samples side data and libavcodec honours it.
Decoded decode(const fs::path& path) {
    auto in = open_input(path);
    const int idx = av_find_best_stream(in.get(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
    REQUIRE(idx >= 0);
    const AVCodecParameters* par = in->streams[idx]->codecpar;
    const AVCodec* dec = avcodec_find_decoder(par->codec_id);
    REQUIRE(dec);
    io::CodecContextPtr ctx(avcodec_alloc_context3(dec));
    REQUIRE(avcodec_parameters_to_context(ctx.get(), par) >= 0);
    ctx->pkt_timebase = in->streams[idx]->time_base;
    REQUIRE(avcodec_open2(ctx.get(), dec, nullptr) == 0);

    Decoded out;
    out.codec = par->codec_id;
    out.rate = par->sample_rate;
    out.channels = par->ch_layout.nb_channels;
    io::PacketPtr pkt(av_packet_alloc());
    io::FramePtr frm(av_frame_alloc());
    auto drain = [&] {
        while (avcodec_receive_frame(ctx.get(), frm.get()) == 0) {
            REQUIRE((frm->format == AV_SAMPLE_FMT_FLT || frm->format == AV_SAMPLE_FMT_FLTP));
            const auto* s = reinterpret_cast<const float*>(frm->data[0]);
            out.pcm.insert(out.pcm.end(), s, s + frm->nb_samples);
            av_frame_unref(frm.get());
        }
    };
    while (av_read_frame(in.get(), pkt.get()) >= 0) {
        if (pkt->stream_index == idx) {
            REQUIRE(avcodec_send_packet(ctx.get(), pkt.get()) == 0);
            drain();
        }
        av_packet_unref(pkt.get());
    }
    REQUIRE(avcodec_send_packet(ctx.get(), nullptr) == 0);
    drain();
    return out;
}

// Where the chirp lies near `expected` in audio at `rate`: the lag of the best
// normalised correlation within ±search samples.
std::int64_t locate(const std::vector<float>& pcm, int rate, std::int64_t expected, int search = 1500) {
    const auto ref = chirp(rate);
    const auto n = std::int64_t(ref.size());
    double best = -1;
    std::int64_t best_at = -1;
    for (std::int64_t at = expected - search; at <= expected + search; ++at) {
        if (at < 0 || at + n > std::int64_t(pcm.size())) continue;
        double dot = 0, energy = 0;
        for (std::int64_t k = 0; k < n; ++k) {
            const double x = pcm[std::size_t(at + k)];
            dot += ref[std::size_t(k)] * x;
            energy += x * x;
        }
        const double score = energy > 0 ? dot / std::sqrt(energy) : 0;
        if (score > best) {
            best = score;
            best_at = at;
        }
    }
    return best_at;
}

// Runs a command; returns its exit status and fills stdout and stderr.
int run(const std::string& cmd, std::string& out, std::string& err, const fs::path& dir) {
    const fs::path err_file = dir / "stderr.txt";
    FILE* p = popen((cmd + " 2>'" + err_file.string() + "'").c_str(), "r");
    REQUIRE(p);
    char buf[4096];
    out.clear();
    for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    const int status = pclose(p);
    const auto e = read_bytes(err_file);
    err.assign(e.begin(), e.end());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Top-level and nested MP4 boxes by path, e.g. "moov/udta/chpl".
void boxes(const std::vector<std::uint8_t>& d, std::size_t off, std::size_t end, const std::string& prefix,
           std::vector<std::string>& out) {
    static const std::vector<std::string> containers{"moov", "trak", "mdia", "minf", "stbl", "udta", "tref", "edts", "ilst"};
    while (off + 8 <= end) {
        std::uint64_t size = std::uint64_t(d[off]) << 24 | d[off + 1] << 16 | d[off + 2] << 8 | d[off + 3];
        const std::string type(d.begin() + std::ptrdiff_t(off + 4), d.begin() + std::ptrdiff_t(off + 8));
        if (size == 0) size = end - off;
        if (size < 8 || off + size > end) break;
        const std::string path = prefix.empty() ? type : prefix + "/" + type;
        out.push_back(path);
        for (const auto& c : containers)
            if (type == c) boxes(d, off + 8, off + std::size_t(size), path, out);
        if (type == "meta") boxes(d, off + 12, off + std::size_t(size), path, out);
        off += std::size_t(size);
    }
}

std::vector<std::string> mp4_boxes(const fs::path& p) {
    const auto d = read_bytes(p);
    std::vector<std::string> out;
    boxes(d, 0, d.size(), "", out);
    return out;
}

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

// The OpusTags comments in file order (the header packet fits one page here).
std::vector<std::string> opus_comments(const fs::path& p) {
    const auto d = read_bytes(p);
    const std::string s(d.begin(), d.end());
    std::size_t at = s.find("OpusTags");
    REQUIRE(at != std::string::npos);
    auto u32 = [&](std::size_t o) { return std::uint32_t(d[o]) | d[o + 1] << 8 | d[o + 2] << 16 | std::uint32_t(d[o + 3]) << 24; };
    at += 8;
    at += 4 + u32(at);  // vendor
    const std::uint32_t n = u32(at);
    at += 4;
    std::vector<std::string> out;
    for (std::uint32_t i = 0; i < n; ++i) {
        const std::uint32_t len = u32(at);
        out.push_back(s.substr(at + 4, len));
        at += 4 + len;
    }
    return out;
}

// Granule position of the last Ogg page (the end-of-stream page).
std::int64_t last_granule(const fs::path& p) {
    const auto d = read_bytes(p);
    const std::string s(d.begin(), d.end());
    const std::size_t at = s.rfind("OggS");
    REQUIRE(at != std::string::npos);
    CHECK((d[at + 5] & 4) != 0);  // EOS flag
    std::int64_t g = 0;
    for (int i = 7; i >= 0; --i) g = g << 8 | d[at + 6 + std::size_t(i)];
    return g;
}

std::int64_t ms_floor(std::int64_t samples) { return samples / 48; }

std::uint32_t be32(const std::vector<std::uint8_t>& d, std::size_t at) {
    return std::uint32_t(d[at]) << 24 | std::uint32_t(d[at + 1]) << 16 | std::uint32_t(d[at + 2]) << 8 | d[at + 3];
}

// The frames of an ID3v2.3 tag (id, payload), as a tag reader sees them;
// `end` is where the tag ends and the audio begins.
struct Id3 {
    int version = 0;
    std::size_t end = 0;
    std::vector<std::pair<std::string, std::vector<std::uint8_t>>> frames;
};

Id3 id3_frames(const std::vector<std::uint8_t>& d, std::size_t from, std::size_t to) {
    Id3 tag;
    for (std::size_t at = from; at + 10 <= to && d[at] != 0;) {
        const std::size_t size = be32(d, at + 4);  // ID3v2.3: a plain 32-bit size
        REQUIRE(at + 10 + size <= to);
        tag.frames.emplace_back(std::string(d.begin() + std::ptrdiff_t(at), d.begin() + std::ptrdiff_t(at + 4)),
                                std::vector<std::uint8_t>(d.begin() + std::ptrdiff_t(at + 10),
                                                          d.begin() + std::ptrdiff_t(at + 10 + size)));
        at += 10 + size;
    }
    return tag;
}

Id3 read_id3(const std::vector<std::uint8_t>& d) {
    REQUIRE(d.size() > 10);
    REQUIRE(std::string(d.begin(), d.begin() + 3) == "ID3");
    const std::size_t size = std::size_t(d[6] & 0x7f) << 21 | std::size_t(d[7] & 0x7f) << 14 |
                             std::size_t(d[8] & 0x7f) << 7 | (d[9] & 0x7f);  // sync-safe
    Id3 tag = id3_frames(d, 10, 10 + size);
    tag.version = d[3];
    tag.end = 10 + size;
    return tag;
}

// A NUL-terminated string at `at`; `at` moves past it.
std::string cstring(const std::vector<std::uint8_t>& d, std::size_t& at) {
    std::string s;
    while (at < d.size() && d[at] != 0) s += char(d[at++]);
    ++at;
    return s;
}

}  // namespace

TEST_CASE("mux: ogg_chapter_time is HH:MM:SS.mmm rounded down from samples", "[av]") {
    CHECK(mux::ogg_chapter_time(0) == "00:00:00.000");
    CHECK(mux::ogg_chapter_time(47) == "00:00:00.000");
    CHECK(mux::ogg_chapter_time(48) == "00:00:00.001");
    CHECK(mux::ogg_chapter_time(124800) == "00:00:02.600");  // FFmpeg 5.1 would write 00:00:03.600
    CHECK(mux::ogg_chapter_time(124799) == "00:00:02.599");
    CHECK(mux::ogg_chapter_time(48LL * 3723456) == "01:02:03.456");
    CHECK(mux::ogg_chapter_time(48LL * 3600000 * 27 + 5) == "27:00:00.000");
}

TEST_CASE("mux: separately encoded pieces join exactly in .opus, .m4a, .m4b and .mp3", "[av]") {
    TempDir dir;
    const Programme prog;
    const auto tags = test_tags();
    const fs::path opus = dir.path / "book.opus", m4a = dir.path / "book.m4a", m4b = dir.path / "book.m4b",
                   mp3 = dir.path / "book.mp3";
    write_file(opus, Container::Ogg, Codec::Opus, tags);
    write_file(m4a, Container::M4a, Codec::Aac, tags);
    write_file(m4b, Container::M4b, Codec::Aac, tags);
    write_file(mp3, Container::Mp3, Codec::Mp3, tags);
    const auto codec_of = [&](const fs::path& p) {
        return p == opus ? Codec::Opus : p == mp3 ? Codec::Mp3 : Codec::Aac;
    };

    SECTION("the audio decodes to the exact length, every chirp at its timeline sample") {
        // Opus: 48 kHz, 312 pre-skip; AAC: 24 kHz, 1024 priming (2048 timeline
        // samples); MP3: 24 kHz, 1105 samples of LAME's and the decoder's delay
        // (2210), which the LAME header tells the reader to skip.
        struct Case { fs::path path; AVCodecID codec; int rate; std::int64_t delay; };
        for (const auto& c : {Case{opus, AV_CODEC_ID_OPUS, 48000, 312}, Case{m4a, AV_CODEC_ID_AAC, 24000, 2048},
                              Case{m4b, AV_CODEC_ID_AAC, 24000, 2048}, Case{mp3, AV_CODEC_ID_MP3, 24000, 2210}}) {
            INFO(c.path.filename().string());
            const Programme prog(codec_of(c.path));
            const auto starts = prog.starts();
            const auto d = decode(c.path);
            const std::int64_t scale = 48000 / c.rate;
            CHECK(d.codec == c.codec);
            CHECK(d.rate == c.rate);
            CHECK(d.channels == 1);
            // The stream's single pre-skip / priming is removed; nothing else.
            CHECK(std::int64_t(d.pcm.size()) == (prog.total() - c.delay) / scale);
            for (std::size_t i = 0; i < starts.size(); ++i) {
                const std::int64_t expected = (starts[i] + prog.offsets[i]) / scale;
                INFO("chirp " << i << " expected at " << expected);
                CHECK(std::llabs(locate(d.pcm, c.rate, expected) - expected) <= 2 / scale);
            }
            // The silence before the first chirp stays silent: no stray delay.
            float peak = 0;
            for (std::int64_t k = 0; k < (prog.offsets[0] - 200) / scale; ++k) peak = std::max(peak, std::fabs(d.pcm[std::size_t(k)]));
            CHECK(peak < 0.01f);
        }
    }

    SECTION("container durations agree within one AAC frame") {
        auto o = open_input(opus);
        auto a = open_input(m4a);
        const auto& os = *o->streams[0];
        const std::int64_t opus_dur = av_rescale_q(os.duration, os.time_base, AVRational{1, 48000});
        const std::int64_t m4a_dur = av_rescale_q(a->duration, AV_TIME_BASE_Q, AVRational{1, 48000});
        CHECK(std::llabs(m4a_dur - (prog.total() - 2048)) <= 48);  // AV_TIME_BASE rounding
        CHECK(std::llabs(opus_dur - m4a_dur) <= 2048);
        // The Ogg granule ends exactly at the total: pre-skip + playable samples.
        CHECK(last_granule(opus) == prog.total());
        // MP3: libavformat gives the Info frame's frame count as the duration
        // and starts the stream at the LAME header's delay: what plays
        // between is the sum of the spans less the delay.
        auto m = open_input(mp3);
        const auto& ms = *m->streams[0];
        const std::int64_t mp3_dur = av_rescale_q(m->duration, AV_TIME_BASE_Q, AVRational{1, 48000});
        const std::int64_t mp3_start = av_rescale_q(ms.start_time, ms.time_base, AVRational{1, 48000});
        CHECK(std::llabs(mp3_dur - Programme(Codec::Mp3).total()) <= 48);
        CHECK(std::llabs(mp3_start - 2210) <= 1);
    }

    SECTION("chapters: same count, titles and millisecond starts in all four files") {
        for (const auto& path : {opus, m4a, m4b, mp3}) {
            INFO(path.filename().string());
            const auto marks = Programme(codec_of(path)).chapters();
            auto in = open_input(path);
            REQUIRE(in->nb_chapters == marks.size());
            for (unsigned i = 0; i < in->nb_chapters; ++i) {
                const AVChapter* ch = in->chapters[i];
                INFO("chapter " << i);
                CHECK(tag(ch->metadata, "title") == marks[i].title);
                const std::int64_t ms = av_rescale_q(ch->start, ch->time_base, AVRational{1, 1000});
                CHECK(std::llabs(ms - ms_floor(marks[i].start)) <= 1);
            }
        }
        const auto marks = prog.chapters();
        // Ogg: the convention's comment order, time entry first, times exact to the ms.
        const auto comments = opus_comments(opus);
        std::vector<std::string> chapter_comments;
        for (const auto& c : comments)
            if (c.rfind("CHAPTER", 0) == 0) chapter_comments.push_back(c);
        REQUIRE(chapter_comments.size() == 2 * marks.size());
        for (std::size_t i = 0; i < marks.size(); ++i) {
            char key[32];
            std::snprintf(key, sizeof key, "CHAPTER%03zu", i);
            CHECK(chapter_comments[2 * i] == std::string(key) + "=" + mux::ogg_chapter_time(marks[i].start));
            CHECK(chapter_comments[2 * i + 1] == std::string(key) + "NAME=" + marks[i].title);
        }
        CHECK(chapter_comments[2] == "CHAPTER001=00:00:01.280");  // two 640 ms grains
        // MP4: both the QuickTime chapter track (tref/chap) and the Nero chpl box,
        // with the index before the media (+faststart).
        for (const auto& path : {m4a, m4b}) {
            const auto b = mp4_boxes(path);
            CHECK(has(b, "moov/trak/tref/chap"));
            CHECK(has(b, "moov/udta/chpl"));
            CHECK(has(b, "moov/trak/edts/elst"));
            const auto moov = std::find(b.begin(), b.end(), "moov");
            const auto mdat = std::find(b.begin(), b.end(), "mdat");
            REQUIRE(mdat != b.end());
            CHECK(moov < mdat);
        }
    }

    SECTION("tags in Vorbis comments, iTunes atoms and ID3v2 frames; the .m4b is flagged as an audiobook") {
        auto o = open_input(opus);
        const AVDictionary* om = o->streams[0]->metadata;
        CHECK(tag(om, "TITLE") == tags.title);
        CHECK(tag(om, "ARTIST") == tags.artist);
        CHECK(tag(om, "ALBUM") == tags.album);
        CHECK(tag(om, "DATE") == tags.date);
        CHECK(tag(om, "GENRE") == "Speech");
        CHECK(tag(om, "comment") == tags.description);  // libavformat reads DESCRIPTION as "comment"
        for (const auto& path : {m4a, m4b}) {
            INFO(path.filename().string());
            auto a = open_input(path);
            CHECK(tag(a->metadata, "title") == tags.title);
            CHECK(tag(a->metadata, "artist") == tags.artist);
            CHECK(tag(a->metadata, "album") == tags.album);
            CHECK(tag(a->metadata, "date") == tags.date);
            CHECK(tag(a->metadata, "genre") == "Speech");
            CHECK(tag(a->metadata, "description") == tags.description);
        }
        auto m = open_input(mp3);
        CHECK(tag(m->metadata, "title") == tags.title);
        CHECK(tag(m->metadata, "artist") == tags.artist);
        CHECK(tag(m->metadata, "album_artist") == tags.artist);
        CHECK(tag(m->metadata, "album") == tags.album);
        CHECK(tag(m->metadata, "date").rfind("2021", 0) == 0);  // ID3v2.3: TYER and TDAT
        CHECK(tag(m->metadata, "genre") == "Speech");
        CHECK(tag(m->metadata, "description") == tags.description);  // TXXX: ID3v2 has no frame for it
        auto b = open_input(m4b);
        CHECK(tag(b->metadata, "media_type") == "2");
        CHECK(tag(b->metadata, "major_brand") == "M4B ");
        auto a = open_input(m4a);
        CHECK(tag(a->metadata, "media_type").empty());
        CHECK(tag(a->metadata, "major_brand") == "M4A ");
        CHECK(has(mp4_boxes(m4b), "moov/udta/meta/ilst/stik"));
    }

    SECTION("the MP3's ID3v2.3 tag: a CTOC listing every CHAP, each titled at its mark; CBR frames after an Info frame") {
        const auto marks = Programme(Codec::Mp3).chapters();
        const auto bytes = read_bytes(mp3);
        const auto tag = read_id3(bytes);
        CHECK(tag.version == 3);
        std::vector<std::string> ids;
        for (const auto& [id, payload] : tag.frames) ids.push_back(id);
        for (const char* want : {"TIT2", "TPE1", "TPE2", "TALB", "TYER", "TCON"}) CHECK(has(ids, want));
        REQUIRE(std::count(ids.begin(), ids.end(), "CTOC") == 1);
        REQUIRE(std::size_t(std::count(ids.begin(), ids.end(), "CHAP")) == marks.size());
        std::vector<std::string> children, chapter_ids;
        for (const auto& [id, payload] : tag.frames) {
            std::size_t at = 0;
            if (id == "CTOC") {
                cstring(payload, at);                 // its element id
                CHECK((payload[at] & 0x03) == 0x03);  // top-level, ordered: what apps list
                const int count = payload[at + 1];
                at += 2;
                for (int k = 0; k < count; ++k) children.push_back(cstring(payload, at));
            } else if (id == "CHAP") {
                const std::size_t i = chapter_ids.size();
                chapter_ids.push_back(cstring(payload, at));
                INFO("chapter " << i);
                CHECK(be32(payload, at) == std::uint32_t((marks[i].start + 24) / 48));  // ms, rounded
                CHECK(be32(payload, at + 4) == std::uint32_t((marks[i].end + 24) / 48));
                const auto sub = id3_frames(payload, at + 16, payload.size());
                REQUIRE(sub.frames.size() == 1);
                CHECK(sub.frames[0].first == "TIT2");
            }
        }
        CHECK(children == chapter_ids);
        // The first frame after the tag is the muxer's Info frame (Xing for
        // CBR): the number of frames, and LAME's delay for players to skip.
        std::size_t at = tag.end;
        REQUIRE(bytes[at] == 0xFF);
        const std::size_t info = at + 4 + 9;  // MPEG-2 mono: side information is 9 bytes
        REQUIRE(std::string(bytes.begin() + std::ptrdiff_t(info), bytes.begin() + std::ptrdiff_t(info + 4)) == "Info");
        const std::uint32_t frames = be32(bytes, info + 8);
        CHECK(frames == std::uint32_t(Programme(Codec::Mp3).total() / encode::frame(Codec::Mp3)));
        // After flags, frames, bytes, the seek table and a quality field: the
        // encoder's name, then the LAME header's delay and padding at +21.
        const std::size_t lame = info + 16 + 100 + 4;
        const std::uint32_t delay_padding = std::uint32_t(bytes[lame + 21]) << 16 | bytes[lame + 22] << 8 | bytes[lame + 23];
        CHECK((delay_padding >> 12) == 576);     // LAME's delay (the decoder adds its own 529)
        CHECK((delay_padding & 0xFFF) == 529);   // the decoder's delay: nothing past the last frame
        // Every audio frame has the Info frame's bitrate (64 kbit/s: 192 bytes).
        const std::size_t info_size = 192;
        at += info_size;
        CHECK(bytes.size() - at == std::size_t(frames) * 192);
        for (std::uint32_t f = 0; f < frames && at + 4 <= bytes.size(); ++f, at += 192) {
            CHECK(bytes[at] == 0xFF);
            CHECK(bytes[at + 2] >> 4 == 8);  // 64 kbit/s
        }
    }

    SECTION("ffprobe, opusinfo and mediainfo read the files without complaint") {
        std::string out, err;
        for (const auto& path : {opus, m4a, m4b, mp3}) {
            INFO(path.filename().string());
            REQUIRE(run("ffprobe -v error -show_chapters -show_format '" + path.string() + "'", out, err, dir.path) == 0);
            CHECK(err.empty());
            CHECK(out.find("TAG:title=Question 2: short") != std::string::npos);
            // At warning level the one expected line is ffprobe's own note that
            // it has no decoder for the QuickTime chapter (text) track, which the
            // mov demuxer exposes as bin_data: every MP4 with a chapter track,
            // Apple's included, gets it. Anything else is a real complaint.
            REQUIRE(run("ffprobe -v warning -show_chapters '" + path.string() + "'", out, err, dir.path) == 0);
            const std::string known = "Unsupported codec with id " + std::to_string(AV_CODEC_ID_BIN_DATA) +
                                      " for input stream 1\n";
            if (path != opus && err.find(known) == 0) err.erase(0, known.size());
            INFO(err);
            CHECK(err.empty());
            CHECK(out.find("TAG:title=Question 2: short") != std::string::npos);
        }
        REQUIRE(run("opusinfo '" + opus.string() + "'", out, err, dir.path) == 0);
        CHECK(err.empty());
        CHECK(out.find("WARNING") == std::string::npos);
        CHECK(out.find("Note:") == std::string::npos);
        CHECK(out.find("Pre-skip: 312") != std::string::npos);
        CHECK(out.find("CHAPTER003NAME=Closing remarks") != std::string::npos);
        // Playable length is the total minus the pre-skip: 245448 samples = 5.1135 s.
        CHECK(out.find("Playback length: 0m:05.113s") != std::string::npos);

        REQUIRE(run("mediainfo '" + m4a.string() + "'", out, err, dir.path) == 0);
        CHECK(err.empty());
        CHECK(out.find("AAC") != std::string::npos);
        CHECK(out.find("00:00:01.280") != std::string::npos);
        CHECK(out.find("Question 1: Über Städte") != std::string::npos);
        // The total minus AAC's priming: 243712 samples = 5.0773 s.
        CHECK(out.find("Duration                                 : 5 s 77 ms") != std::string::npos);
        CHECK(out.find("Sampling rate                            : 24.0 kHz") != std::string::npos);
    }
}

TEST_CASE("mux: an MP3 ends where end_at says: the LAME header's padding drops the rest", "[av]") {
    TempDir dir;
    const Programme prog(Codec::Mp3);
    const auto& ps = pieces(Codec::Mp3);
    const std::int64_t plays = prog.total() - 2210 - 3001 * 2;  // 3001 samples at 24 kHz short of the frames
    const fs::path path = dir.path / "short.mp3";
    {
        mux::Muxer m(path.string(), Container::Mp3, ps.front(), prog.chapters(), test_tags());
        m.end_at(plays);
        for (const auto& p : ps) m.write(p);
        m.finish();
    }
    CHECK(std::int64_t(decode(path).pcm.size()) == plays / 2);
    const auto bytes = read_bytes(path);
    const std::size_t lame = read_id3(bytes).end + 4 + 9 + 16 + 100 + 4;  // as above
    const std::uint32_t delay_padding = std::uint32_t(bytes[lame + 21]) << 16 | bytes[lame + 22] << 8 | bytes[lame + 23];
    CHECK((delay_padding >> 12) == 576);
    CHECK((delay_padding & 0xFFF) == 529 + 3001);
}

TEST_CASE("mux: the same pieces give byte-identical files", "[av]") {
    TempDir dir;
    const auto tags = test_tags();
    for (auto [container, codec, ext] : {std::tuple{Container::Ogg, Codec::Opus, ".opus"},
                                         std::tuple{Container::M4a, Codec::Aac, ".m4a"},
                                         std::tuple{Container::Mp3, Codec::Mp3, ".mp3"}}) {
        INFO(ext);
        write_file(dir.path / (std::string("a") + ext), container, codec, tags);
        write_file(dir.path / (std::string("b") + ext), container, codec, tags);
        CHECK(read_bytes(dir.path / (std::string("a") + ext)) == read_bytes(dir.path / (std::string("b") + ext)));
    }
}

// Two pieces of noise-like content (a fricative's), the second one's starting
// `lead` timeline samples into it, joined into one file and the second also
// alone; the largest difference between its samples in the two, over all of it.
double joined_vs_alone(Container container, Codec codec, const char* ext, std::int64_t lead, const fs::path& dir) {
    const auto tags = test_tags();
    const std::int64_t span = 2 * (codec == Codec::Mp3 ? kMp3Span : kSpan);
    std::vector<encode::Piece> ps;
    std::uint32_t seed = 7;
    for (int k = 0; k < 2; ++k) {
        std::vector<float> in(std::size_t(encode::input_samples(codec, span)), 0.0f);
        const auto from = std::size_t(encode::codec_samples(codec, lead)), to = in.size() * 9 / 10;
        float prev = 0.0f;
        for (std::size_t i = from; i < to; ++i) {
            seed = seed * 1664525u + 1013904223u;
            const float white = float(seed >> 8) / float(1 << 24) - 0.5f;
            in[i] = 0.5f * (white - prev);  // tilted up, as a fricative
            prev = white;
        }
        ps.push_back(encode::encode_piece(codec, {}, in));
    }
    const std::vector<mux::ChapterMark> chapters{{"One", 0, span}, {"Two", span, 2 * span}};
    const auto joined_path = dir / (std::string("joined") + ext);
    const auto alone_path = dir / (std::string("alone") + ext);
    {
        mux::Muxer m(joined_path.string(), container, ps[0], chapters, tags);
        for (const auto& p : ps) m.write(p);
        m.finish();
    }
    {
        mux::Muxer m(alone_path.string(), container, ps[1], {{"Two", 0, span}}, tags);
        m.write(ps[1]);
        m.finish();
    }
    const auto joined = decode(joined_path), alone = decode(alone_path);
    const std::size_t offset = std::size_t(encode::stream_samples(codec, span));
    REQUIRE(joined.pcm.size() >= offset + alone.pcm.size());
    double worst = 0.0, peak = 0.0;
    for (std::size_t i = 0; i < alone.pcm.size(); ++i) {
        worst = std::max(worst, double(std::fabs(joined.pcm[offset + i] - alone.pcm[i])));
        peak = std::max(peak, double(std::fabs(alone.pcm[i])));
    }
    REQUIRE(peak > 0.1);
    return worst;
}

TEST_CASE("mux: a piece decodes to the same samples inside the joined stream as alone", "[av]") {
    // What the decoded-peak check (each piece decoded alone) says of a piece
    // must hold for a player decoding the joined stream, from the piece's first
    // sample: no decoder-made noise (AAC's perceptual noise substitution draws
    // it from the decoder's running random state) and no decoder state carried
    // over from the piece before may change a piece by where it sits. The
    // renderer starts every piece's speech at least encode::kMinLead into it.
    TempDir dir;
    for (auto [container, codec, ext] : {std::tuple{Container::Ogg, Codec::Opus, ".opus"},
                                         std::tuple{Container::M4a, Codec::Aac, ".m4a"},
                                         std::tuple{Container::Mp3, Codec::Mp3, ".mp3"}}) {
        INFO(ext);
        CHECK(joined_vs_alone(container, codec, ext, encode::kMinLead, dir.path) < 1e-6);
    }
    // Why the lead: an Opus piece whose first frame is not silent decodes
    // differently after another piece (the decoder predicts its band energies
    // from the frame before) than from a fresh decoder's reset state.
    CHECK(joined_vs_alone(Container::Ogg, Codec::Opus, ".opus", 0, dir.path) > 0.01);
}

TEST_CASE("mux: a cover image is embedded in every file", "[av]") {
    TempDir dir;
    for (const char* ext : {"png", "jpg"}) {
        const fs::path cover = dir.path / (std::string("cover.") + ext);
        std::string out, err;
        REQUIRE(run("ffmpeg -v error -f lavfi -i testsrc=s=64x48 -frames:v 1 '" + cover.string() + "'", out, err,
                    dir.path) == 0);
        const auto image = read_bytes(cover);
        auto tags = test_tags();
        tags.cover.assign(image.begin(), image.end());
        const fs::path opus = dir.path / (std::string("c-") + ext + ".opus");
        const fs::path m4a = dir.path / (std::string("c-") + ext + ".m4a");
        const fs::path mp3 = dir.path / (std::string("c-") + ext + ".mp3");
        write_file(opus, Container::Ogg, Codec::Opus, tags);
        write_file(m4a, Container::M4a, Codec::Aac, tags);
        write_file(mp3, Container::Mp3, Codec::Mp3, tags);
        const AVCodecID want = std::string(ext) == "png" ? AV_CODEC_ID_PNG : AV_CODEC_ID_MJPEG;
        for (const auto& path : {opus, m4a, mp3}) {
            INFO(path.filename().string());
            auto in = open_input(path);
            const AVStream* pic = nullptr;
            for (unsigned i = 0; i < in->nb_streams; ++i)
                if (in->streams[i]->disposition & AV_DISPOSITION_ATTACHED_PIC) pic = in->streams[i];
            REQUIRE(pic);
            CHECK(pic->codecpar->codec_id == want);
            CHECK(pic->codecpar->width == 64);
            CHECK(pic->codecpar->height == 48);
            CHECK(std::vector<std::uint8_t>(pic->attached_pic.data, pic->attached_pic.data + pic->attached_pic.size) == image);
            CHECK(in->nb_chapters == 4);
            // The MP3's APIC frame says it is the front cover.
            if (path == mp3) CHECK(tag(pic->metadata, "comment") == "Cover (front)");
        }
        CHECK(has(mp4_boxes(m4a), "moov/udta/meta/ilst/covr"));
        // The audio is unaffected by the picture.
        CHECK(std::int64_t(decode(m4a).pcm.size()) == (Programme{}.total() - 2048) / 2);
        CHECK(std::int64_t(decode(mp3).pcm.size()) == (Programme(Codec::Mp3).total() - 2210) / 2);
    }
}

TEST_CASE("mux: bad arguments and unwritable paths fail with the right error", "[av]") {
    TempDir dir;
    const auto& opus = pieces(Codec::Opus);
    const auto& aac = pieces(Codec::Aac);
    const auto chapters = Programme{}.chapters();
    const auto tags = test_tags();

    CHECK_THROWS_AS(mux::Muxer((dir.path / "x.m4a").string(), Container::M4a, opus[0], chapters, tags), std::invalid_argument);
    CHECK_THROWS_AS(mux::Muxer((dir.path / "x.opus").string(), Container::Ogg, aac[0], chapters, tags), std::invalid_argument);
    {
        mux::Muxer m((dir.path / "y.opus").string(), Container::Ogg, opus[0], chapters, tags);
        CHECK_THROWS_AS(m.write(aac[0]), std::invalid_argument);
    }  // destroyed unfinished: frees only

    const std::string missing = (dir.path / "no-such-folder" / "x.opus").string();
    try {
        mux::Muxer m(missing, Container::Ogg, opus[0], chapters, tags);
        FAIL("expected IoError");
    } catch (const IoError& e) {
        CHECK(std::string(e.what()).find(missing) != std::string::npos);
    }

    auto bad_cover = tags;
    bad_cover.cover = "not an image";
    CHECK_THROWS_AS(mux::Muxer((dir.path / "z.m4a").string(), Container::M4a, aac[0], chapters, bad_cover), InputError);

    std::vector<mux::ChapterMark> many(1001);
    for (std::size_t i = 0; i < many.size(); ++i) many[i] = {"c", std::int64_t(i), std::int64_t(i + 1)};
    CHECK_THROWS_AS(mux::Muxer((dir.path / "many.opus").string(), Container::Ogg, opus[0], many, tags), InputError);
    // An MP3's table of contents counts its chapters in one byte.
    const auto& mp3 = pieces(Codec::Mp3);
    CHECK_THROWS_AS(mux::Muxer((dir.path / "x.mp3").string(), Container::Mp3, aac[0], chapters, tags), std::invalid_argument);
    many.resize(256);
    CHECK_THROWS_AS(mux::Muxer((dir.path / "many.mp3").string(), Container::Mp3, mp3[0], many, tags), InputError);
    many.resize(255);
    CHECK_NOTHROW(mux::Muxer((dir.path / "most.mp3").string(), Container::Mp3, mp3[0], many, tags));
}

