// Encoded pieces → .opus / .m4a / .m4b / .mp3 with libavformat (FFmpeg 5.1), in the
// style of FFmpeg's doc/examples/mux.c: one helper per step, every handle owned.
//
// Timestamps: the packets of all pieces form one stream whose first packet has
// pts = -delay (Opus 312, AAC 1024); each packet follows the previous one.
//  * Ogg: the muxer sets granule = pts + duration + initial_padding, so the
//    last granule is exactly the sum of the spans, and OpusHead's pre-skip
//    (312, from the encoder's extradata) trims the stream's single delay.
//  * MP4: a negative first dts makes movenc write an edit list that starts
//    1024 samples into the media, which trims the AAC priming.
//  * MP3: the muxer's Xing/Info frame counts the frames and its LAME header
//    gives the delay players skip (LAME's 576, plus the decoder's own 529)
//    and the padding they drop at the end (what lies past end_at, plus the
//    decoder's 529), see write_packet.
// Either way piece i's content starts at the sum of the previous spans.
#include "mux/mux.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/base64.h>
#include <libavutil/channel_layout.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/intreadwrite.h>
#include <libavutil/mem.h>
}

#include "core/error.hpp"
#include "io/av.hpp"

namespace turncast::mux {

namespace {

constexpr int kRate = 48000;
using io::av_error_text;

// The error boundary for libavformat: I/O failures (a missing folder, a full
// disk) are IoError naming the file; everything else is a LibraryError.
int check_av(int ret, const std::string& path, const char* what) {
    if (ret >= 0) return ret;
    const std::string text = fmt::format("{}: {}", what, av_error_text(ret));
    switch (ret) {
    case AVERROR(ENOENT): case AVERROR(EACCES): case AVERROR(ENOSPC): case AVERROR(EIO):
    case AVERROR(EROFS): case AVERROR(EDQUOT): case AVERROR(ENOTDIR): case AVERROR(EISDIR):
        throw IoError(path, text, "check that the folder exists, is writable and has free space");
    default:
        throw LibraryError(path, fmt::format("libavformat: {}", text));
    }
}

// An output AVFormatContext owns its AVIOContext; AVStreams and AVChapters
// belong to the context and go with it.
using FormatPtr = io::OutputFormatPtr;
using io::PacketPtr;

// Owns an AVDictionary of muxer options; libav functions take &dict.
struct Options {
    AVDictionary* dict = nullptr;
    Options() = default;
    Options(const Options&) = delete;
    Options& operator=(const Options&) = delete;
    ~Options() { av_dict_free(&dict); }
};

void set(AVDictionary** d, const char* key, const std::string& value) {
    if (!value.empty() && av_dict_set(d, key, value.c_str(), 0) < 0)
        throw LibraryError("libavutil", "out of memory setting metadata");
}

// ---- cover art ----

struct Cover {
    const std::uint8_t* data = nullptr;  // borrowed: the caller's Tags::cover
    std::size_t size = 0;
    AVCodecID codec = AV_CODEC_ID_NONE;
    const char* mime = "";
    std::uint32_t width = 0, height = 0, depth = 24;
};

std::uint32_t be32(const std::uint8_t* p) {
    return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3];
}

// The image and its dimensions (PNG IHDR, or a JPEG SOFn marker): the FLAC
// picture block wants them, and players show a cover without them badly.
// `path` is the file being written, for messages.
Cover read_cover(const std::string& bytes, const std::string& path) {
    Cover c;
    c.data = reinterpret_cast<const std::uint8_t*>(bytes.data());
    c.size = bytes.size();
    const std::uint8_t* d = c.data;
    const std::size_t n = c.size;
    static const std::uint8_t png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (n >= 33 && std::memcmp(d, png, 8) == 0 && std::memcmp(d + 12, "IHDR", 4) == 0) {
        c.codec = AV_CODEC_ID_PNG;
        c.mime = "image/png";
        c.width = be32(&d[16]);
        c.height = be32(&d[20]);
        const int channels[] = {1, 0, 3, 1, 2, 0, 4};  // by PNG colour type
        const int type = d[25];
        c.depth = std::uint32_t(d[24]) * (type <= 6 && channels[type] ? channels[type] : 1);
        return c;
    }
    if (n >= 4 && d[0] == 0xff && d[1] == 0xd8) {
        c.codec = AV_CODEC_ID_MJPEG;
        c.mime = "image/jpeg";
        for (std::size_t i = 2; i + 9 < n;) {
            if (d[i] != 0xff) break;
            const std::uint8_t m = d[i + 1];
            if (m == 0xff) { ++i; continue; }
            const std::size_t len = std::size_t(d[i + 2]) << 8 | d[i + 3];
            const bool sof = m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
            if (sof) {
                c.height = std::uint32_t(d[i + 5]) << 8 | d[i + 6];
                c.width = std::uint32_t(d[i + 7]) << 8 | d[i + 8];
                c.depth = std::uint32_t(d[i + 4]) * d[i + 9];
                return c;
            }
            i += 2 + len;
        }
        throw InputError(path, "the JPEG cover image has no frame header", "save it again as a baseline JPEG");
    }
    throw InputError(path, "the cover image is neither PNG nor JPEG", "convert it to PNG or JPEG");
}

// METADATA_BLOCK_PICTURE: a FLAC picture block (type 3, front cover), base64.
std::string flac_picture_comment(const Cover& c) {
    std::vector<std::uint8_t> b;
    auto put32 = [&b](std::uint32_t v) {
        for (int s = 24; s >= 0; s -= 8) b.push_back(std::uint8_t(v >> s));
    };
    const std::size_t mime_len = std::strlen(c.mime);
    put32(3);
    put32(std::uint32_t(mime_len));
    b.insert(b.end(), c.mime, c.mime + mime_len);
    put32(0);  // no description
    put32(c.width);
    put32(c.height);
    put32(c.depth);
    put32(0);  // not indexed
    put32(std::uint32_t(c.size));
    b.insert(b.end(), c.data, c.data + c.size);
    std::string out(AV_BASE64_SIZE(b.size()), '\0');
    if (!av_base64_encode(out.data(), int(out.size()), b.data(), int(b.size())))
        throw LibraryError("libavutil", "base64 encoding of the cover failed");
    out.resize(std::strlen(out.c_str()));
    return out;
}

const char* format_name(Container c) {
    return c == Container::Ogg ? "opus" : c == Container::Mp3 ? "mp3" : "ipod";
}

encode::Codec codec_of(Container c) {
    return c == Container::Ogg ? encode::Codec::Opus : c == Container::Mp3 ? encode::Codec::Mp3 : encode::Codec::Aac;
}

// The bitrate of an MPEG-2 Layer III frame, from its header: the muxer's
// Info frame is written at it, and a player that takes a constant bitrate
// from the file's first frame then counts time right. 0 when it is not one.
std::int64_t mp3_bitrate(const std::vector<encode::Packet>& packets) {
    static const int kbps[16] = {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0};
    if (packets.empty() || packets[0].data.size() < 4) return 0;
    const auto& h = packets[0].data;
    if (h[0] != 0xFF || (h[1] & 0xFE) != 0xF2) return 0;  // sync, MPEG-2, Layer III
    return std::int64_t(kbps[h[2] >> 4]) * 1000;
}


}  // namespace

void check_chapter_count(Container container, std::size_t count, const std::string& where) {
    if (container == Container::Ogg && count > 1000)
        throw InputError(where, fmt::format("{} chapters; Ogg chapter comments allow at most 1000", count),
                         "merge some questions into one chapter");
    // ID3v2 gives a table of contents one byte for its number of chapters.
    if (container == Container::Mp3 && count > 255)
        throw InputError(where, fmt::format("{} chapters; an MP3's table of contents (ID3v2 CTOC) lists at most 255", count),
                         "merge some questions into one chapter, or leave mp3 out of --formats");
}

std::string ogg_chapter_time(std::int64_t samples) {
    if (samples < 0) samples = 0;
    const std::int64_t ms = samples / (kRate / 1000);  // rounded down
    return fmt::format("{:02}:{:02}:{:02}.{:03}", ms / 3600000, ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
}

struct Muxer::Impl {
    std::string path;
    Container container;
    encode::Codec codec;
    std::vector<std::uint8_t> extradata;
    FormatPtr fmt;
    PacketPtr pkt;
    AVStream* audio = nullptr;  // owned by fmt
    std::int64_t next_pts = 0;  // of the next audio packet, in 1/48000
    std::int64_t end = INT64_MAX;  // the audio's length, in 1/48000 (end_at)
    std::vector<ChapterMark> chapters;  // MP4 only: added at finish()
    bool finished = false;

    void add_audio_stream(const encode::Piece& first);
    void add_cover_stream(const Cover& cover);
    void set_chapters(const std::vector<ChapterMark>& chapters);
    void set_tags(const Tags& tags, const std::vector<ChapterMark>& chapters, const Cover* cover);
    void write_packet(AVStream* st, const std::uint8_t* data, std::size_t size, std::int64_t pts,
                      std::int64_t duration, bool key);
};

void Muxer::Impl::add_audio_stream(const encode::Piece& first) {
    audio = avformat_new_stream(fmt.get(), nullptr);
    if (!audio) throw LibraryError(path, "libavformat: cannot add the audio stream");
    AVCodecParameters* par = audio->codecpar;
    par->codec_type = AVMEDIA_TYPE_AUDIO;
    par->codec_id = codec == encode::Codec::Opus  ? AV_CODEC_ID_OPUS
                    : codec == encode::Codec::Aac ? AV_CODEC_ID_AAC
                                                  : AV_CODEC_ID_MP3;
    if (codec == encode::Codec::Mp3) par->bit_rate = mp3_bitrate(first.packets);
    // Lengths in the pieces are timeline samples (48 kHz); the stream counts
    // in its codec's own (Opus 48 kHz, AAC and MP3 24 kHz).
    par->sample_rate = encode::stream_rate(codec);
    av_channel_layout_default(&par->ch_layout, 1);
    par->frame_size = int(encode::stream_samples(codec, encode::frame(codec)));
    par->initial_padding = int(encode::stream_samples(codec, encode::delay(codec)));
    if (!first.extradata.empty()) {
        // codecpar owns its extradata (freed with the stream): libav memory, padded.
        par->extradata = static_cast<std::uint8_t*>(av_mallocz(first.extradata.size() + AV_INPUT_BUFFER_PADDING_SIZE));
        if (!par->extradata) throw LibraryError(path, "out of memory copying the codec header");
        std::memcpy(par->extradata, first.extradata.data(), first.extradata.size());
        par->extradata_size = int(first.extradata.size());
    }
    audio->time_base = AVRational{1, encode::stream_rate(codec)};
}

void Muxer::Impl::add_cover_stream(const Cover& cover) {
    AVStream* st = avformat_new_stream(fmt.get(), nullptr);
    if (!st) throw LibraryError(path, "libavformat: cannot add the cover stream");
    st->disposition |= AV_DISPOSITION_ATTACHED_PIC;
    st->codecpar->codec_type = AVMEDIA_TYPE_VIDEO;
    st->codecpar->codec_id = cover.codec;
    st->codecpar->width = int(cover.width);
    st->codecpar->height = int(cover.height);
    st->time_base = AVRational{1, kRate};
    // ID3v2's APIC picture type: the front cover (the default is "other").
    if (container == Container::Mp3) set(&st->metadata, "comment", "Cover (front)");
}

void Muxer::Impl::set_chapters(const std::vector<ChapterMark>& chapters) {
    if (chapters.empty()) return;
    // AVChapters belong to the context: avformat_free_context frees the array,
    // each chapter and its metadata, so they are allocated with libav's allocator.
    fmt->chapters = static_cast<AVChapter**>(av_calloc(chapters.size(), sizeof(AVChapter*)));
    if (!fmt->chapters) throw LibraryError(path, "out of memory adding chapters");
    for (std::size_t i = 0; i < chapters.size(); ++i) {
        auto* ch = static_cast<AVChapter*>(av_mallocz(sizeof(AVChapter)));
        if (!ch) throw LibraryError(path, "out of memory adding chapters");
        fmt->chapters[fmt->nb_chapters++] = ch;
        ch->id = std::int64_t(i);
        ch->time_base = AVRational{1, kRate};
        ch->start = chapters[i].start;
        ch->end = chapters[i].end;
        set(&ch->metadata, "title", chapters[i].title);
    }
}

void Muxer::Impl::set_tags(const Tags& tags, const std::vector<ChapterMark>& chapters, const Cover* cover) {
    if (container == Container::Ogg) {
        // Vorbis comments in the OpusTags packet, in this order: tags, then each
        // chapter's time and name (the time entry first, as the convention
        // asks), then the picture. AVDictionary keeps insertion order.
        AVDictionary** m = &audio->metadata;
        set(m, "TITLE", tags.title);
        set(m, "ARTIST", tags.artist);
        set(m, "ALBUMARTIST", tags.artist);
        set(m, "ALBUM", tags.album);
        set(m, "DATE", tags.date);
        set(m, "GENRE", tags.genre);
        // libavformat maps COMMENT onto DESCRIPTION (its generic "comment"
        // key), so the two cannot both be written: the description wins.
        set(m, "DESCRIPTION", tags.description.empty() ? tags.comment : tags.description);
        for (std::size_t i = 0; i < chapters.size(); ++i) {
            set(m, fmt::format("CHAPTER{:03}", i).c_str(), ogg_chapter_time(chapters[i].start));
            // An empty name would drop the key and leave an unnamed chapter.
            set(m, fmt::format("CHAPTER{:03}NAME", i).c_str(),
                chapters[i].title.empty() ? fmt::format("Chapter {}", i + 1) : chapters[i].title);
        }
        if (cover) set(m, "METADATA_BLOCK_PICTURE", flac_picture_comment(*cover));
        return;
    }
    // movenc maps these keys to ©nam ©ART ©alb ©day ©gen desc ©cmt and stik;
    // the ID3v2.3 writer to TIT2 TPE1 TPE2 TALB TYER/TDAT TCON, and the
    // description and comment, which it has no frame for, to TXXX frames.
    AVDictionary** m = &fmt->metadata;
    set(m, "title", tags.title);
    set(m, "artist", tags.artist);
    set(m, "album_artist", tags.artist);
    set(m, "album", tags.album);
    set(m, "date", tags.date);
    set(m, "genre", tags.genre);
    set(m, "description", tags.description);
    set(m, "comment", tags.comment);
    if (container == Container::M4b) set(m, "media_type", "2");  // stik 2: audiobook
}

void Muxer::Impl::write_packet(AVStream* st, const std::uint8_t* data, std::size_t size, std::int64_t pts,
                               std::int64_t duration, bool key) {
    // Not reference-counted: av_write_frame writes it (the Ogg muxer copies it
    // into its page) before returning, so the piece's bytes are used as they are.
    pkt->data = const_cast<std::uint8_t*>(data);
    pkt->size = int(size);
    pkt->stream_index = st->index;
    pkt->pts = pkt->dts = av_rescale_q(pts, AVRational{1, kRate}, st->time_base);
    pkt->duration = av_rescale_q(duration, AVRational{1, kRate}, st->time_base);
    if (key) pkt->flags |= AV_PKT_FLAG_KEY;
    if (codec == encode::Codec::Mp3 && st == audio) {
        // The mp3 muxer writes the LAME header's delay from the first packet's
        // samples to skip (less the decoder's 529: LAME's 576), and its
        // padding from the last packet's samples to discard (plus the
        // decoder's 529). Each packet says how much of the stream up to its
        // end lies past the audio's end (end_at), so a player plays exactly
        // the timeline: the last one's frames less the delay and that excess.
        std::uint8_t* skip = av_packet_new_side_data(pkt.get(), AV_PKT_DATA_SKIP_SAMPLES, 10);
        if (!skip) throw LibraryError(path, "out of memory marking a packet's delay");
        const bool first = pts == -encode::delay(codec);
        const std::int64_t stop = pts + encode::frame(codec);
        const std::int64_t past = stop > end ? stop - end : 0;  // `end` may be INT64_MAX: no subtraction then
        AV_WL32(skip, first ? std::uint32_t(encode::stream_samples(codec, encode::delay(codec))) : 0u);
        AV_WL32(skip + 4, std::uint32_t(encode::stream_samples(codec, past)));
    }
    // Packets arrive in order on one audio stream, so no interleaving is
    // needed. av_write_frame does not take the packet's reference (unlike
    // av_interleaved_write_frame): unref it here, so pkt is blank again.
    const int ret = av_write_frame(fmt.get(), pkt.get());
    av_packet_unref(pkt.get());
    check_av(ret, path, "writing a packet");
}

Muxer::Muxer(const std::string& path, Container container, const encode::Piece& first,
             const std::vector<ChapterMark>& chapters, const Tags& tags)
    : impl_(std::make_unique<Impl>()) {
    Impl& m = *impl_;
    m.path = path;
    m.container = container;
    m.codec = first.codec;
    m.extradata = first.extradata;
    if (first.codec != codec_of(container))
        throw std::invalid_argument(container == Container::Ogg   ? "mux: Ogg files carry Opus pieces"
                                    : container == Container::Mp3 ? "mux: MP3 files carry MP3 pieces"
                                                                  : "mux: M4A/M4B files carry AAC pieces");
    for (std::size_t i = 1; i < chapters.size(); ++i)
        if (chapters[i].start < chapters[i - 1].start)
            throw std::invalid_argument("mux: chapter starts must not decrease");
    check_chapter_count(container, chapters.size(), path);

    Cover cover;
    const bool has_cover = !tags.cover.empty();
    if (has_cover) cover = read_cover(tags.cover, path);

    AVFormatContext* raw = nullptr;
    check_av(avformat_alloc_output_context2(&raw, nullptr, format_name(container), path.c_str()), path,
             "creating the output context");
    m.fmt.reset(raw);
    // Byte-identical files for identical input: fixed Ogg serial numbers, no
    // "encoder" tag with a library version.
    m.fmt->flags |= AVFMT_FLAG_BITEXACT;
    m.pkt.reset(av_packet_alloc());
    if (!m.pkt) throw LibraryError(path, "out of memory allocating a packet");

    m.add_audio_stream(first);
    if (container == Container::Ogg) {
        // FFmpeg 5.1's Ogg muxer writes AVChapters with wrong times: the
        // chapters go into our own comments instead (see set_tags).
    } else if (container == Container::Mp3) {
        // The ID3v2 tag, chapters included, goes before the audio: it is
        // written with the header.
        m.set_chapters(chapters);
    } else {
        // AVChapters are added in finish(): movenc then writes the chapter
        // track and chpl with the trailer, when the last chapter's end can be
        // clamped to the audio's true length.
        m.chapters = chapters;
    }
    if (has_cover && container != Container::Ogg) m.add_cover_stream(cover);
    m.set_tags(tags, chapters, has_cover ? &cover : nullptr);

    check_av(avio_open(&m.fmt->pb, path.c_str(), AVIO_FLAG_WRITE), path, "opening the output file");

    Options opts;
    if (container == Container::Ogg) {
        // BITEXACT alone gives serial number 0, which opusinfo warns about.
        av_dict_set(&opts.dict, "serial_offset", "1953656419", 0);  // "trnc"
    } else if (container == Container::Mp3) {
        // ID3v2.3, which every app reads, and whose frame sizes FFmpeg 5.1
        // writes right in CHAP and CTOC frames (plain 32-bit, as 2.3 has them;
        // 2.4 wants them sync-safe, and a chapter of 128 bytes or more would be
        // misread).
        av_dict_set(&opts.dict, "id3v2_version", "3", 0);
    } else {
        // faststart moves the index to the front (podcast apps can play while
        // downloading); the trailer reopens `path` to do it.
        av_dict_set(&opts.dict, "movflags", "+faststart", 0);
        if (container == Container::M4b) av_dict_set(&opts.dict, "brand", "M4B ", 0);
    }
    check_av(avformat_write_header(m.fmt.get(), &opts.dict), path, "writing the file header");
    if (opts.dict) {  // what the muxer did not consume
        const AVDictionaryEntry* e = av_dict_get(opts.dict, "", nullptr, AV_DICT_IGNORE_SUFFIX);
        throw std::logic_error(fmt::format("mux: option {} not recognised by the {} muxer", e->key, format_name(container)));
    }

    if (has_cover && container != Container::Ogg)
        m.write_packet(m.fmt->streams[1], cover.data, cover.size, 0, 0, true);
    m.next_pts = -encode::delay(m.codec);
}

Muxer::~Muxer() = default;  // frees only; an unfinished file is left for the caller to remove

void Muxer::write(const encode::Piece& piece) {
    Impl& m = *impl_;
    if (m.finished) throw std::logic_error("mux: write() after finish()");
    if (piece.codec != m.codec || piece.extradata != m.extradata)
        throw std::invalid_argument("mux: a piece was encoded with different codec settings than the first one");
    std::int64_t total = 0;
    for (const auto& p : piece.packets) total += p.duration;
    if (total != piece.span || piece.span % encode::unit(piece.codec) != 0)
        throw std::invalid_argument(fmt::format("mux: piece packets cover {} samples of a {}-sample span", total, piece.span));
    for (const auto& p : piece.packets) {
        // Compared before subtracting: `end` is INT64_MAX until end_at.
        const std::int64_t heard =
            m.next_pts + p.duration <= m.end ? p.duration : std::max<std::int64_t>(m.end - m.next_pts, 0);
        m.write_packet(m.audio, p.data.data(), p.data.size(), m.next_pts, heard, true);
        m.next_pts += p.duration;
    }
}

void Muxer::end_at(std::int64_t samples) {
    if (samples < 0) throw std::invalid_argument("mux: a negative length");
    impl_->end = samples;
}

void Muxer::finish() {
    Impl& m = *impl_;
    if (m.finished) return;
    m.finished = true;
    if (m.container == Container::M4a || m.container == Container::M4b) {
        // Keep chapters inside the audio (the total minus the AAC priming), so
        // the chapter track does not make the file look longer than it plays.
        const std::int64_t last = std::min(m.next_pts, m.end);
        for (auto& c : m.chapters) {
            c.start = std::min(c.start, last);
            c.end = std::max(c.start, std::min(c.end, last));
        }
        m.set_chapters(m.chapters);
    }
    check_av(av_write_trailer(m.fmt.get()), m.path, "writing the file trailer");
    check_av(avio_closep(&m.fmt->pb), m.path, "closing the output file");
}

}  // namespace turncast::mux
