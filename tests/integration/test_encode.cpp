// encode: exact piece lengths from the libopus, libavcodec aac and libmp3lame encoders,
// repeatability, fingerprints and the checksummed cache format.
#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "encode/encode.hpp"
#include "master/master.hpp"
#include "support/libopus_decode.hpp"

using namespace turncast;
using encode::Codec;

namespace {

constexpr std::int64_t kSpan = 30720;  // 640 ms: whole 80 ms Opus packets and AAC frames
constexpr std::int64_t kMp3Span = 32256;  // 672 ms: 28 MP3 frames
constexpr Codec kCodecs[] = {Codec::Opus, Codec::Aac, Codec::Mp3};

// A span of whole frames of the codec, about kSpan.
std::int64_t base_span(Codec c) { return c == Codec::Mp3 ? kMp3Span : kSpan; }

// Speech-like test input at the codec's rate for a piece of `span` timeline
// samples: two tones with a slow amplitude wobble, then silence.
std::vector<float> input_for(Codec codec, std::int64_t span) {
    std::vector<float> in(static_cast<std::size_t>(encode::input_samples(codec, span)), 0.0f);
    const std::size_t voiced = in.size() * 2 / 3;
    for (std::size_t i = 0; i < voiced; ++i) {
        const double t = double(i) / encode::rate(codec);
        in[i] = float((0.3 * std::sin(2 * M_PI * 220 * t) + 0.1 * std::sin(2 * M_PI * 1870 * t)) *
                      (0.6 + 0.4 * std::sin(2 * M_PI * 3 * t)));
    }
    return in;
}

const char* name(Codec c) { return c == Codec::Opus ? "opus" : c == Codec::Aac ? "aac" : "mp3"; }

}  // namespace

TEST_CASE("encode: span_for rounds content plus the codec's delay up to whole units", "[av]") {
    CHECK(encode::unit(Codec::Opus) == 960);   // a 20 ms frame
    CHECK(encode::unit(Codec::Aac) == 2048);   // 1024 at 24 kHz
    CHECK(encode::span_for(Codec::Opus, 0) == 960);
    CHECK(encode::span_for(Codec::Opus, 960 - 312) == 960);
    CHECK(encode::span_for(Codec::Opus, 960 - 311) == 1920);
    CHECK(encode::span_for(Codec::Aac, 0) == 4096);  // the encoder takes at least one sample
    CHECK(encode::span_for(Codec::Aac, 1) == 4096);
    CHECK(encode::span_for(Codec::Aac, 2048) == 4096);
    CHECK(encode::span_for(Codec::Aac, 2049) == 6144);
    CHECK(encode::unit(Codec::Mp3) == 1152);  // 576 at 24 kHz
    CHECK(encode::span_for(Codec::Mp3, 0) == 2304);  // 2210 of delay, then at least one sample
    CHECK(encode::span_for(Codec::Mp3, 2304 - 2210) == 2304);
    CHECK(encode::span_for(Codec::Mp3, 2304 - 2209) == 3456);
    for (Codec codec : kCodecs)
        for (std::int64_t content : {0, 1, 959, 960, 12345, 480000}) {
            const auto span = encode::span_for(codec, content);
            CHECK(span % encode::unit(codec) == 0);
            CHECK(span - encode::delay(codec) >= std::max<std::int64_t>(content, 1));
            CHECK(span - encode::unit(codec) - encode::delay(codec) < std::max<std::int64_t>(content, 1));
        }
    CHECK(kSpan % encode::frame(Codec::Opus) == 0);
    CHECK(kSpan % encode::frame(Codec::Aac) == 0);
    // AAC is coded at 24 kHz: its 1024-sample frames and priming are 2048 timeline samples.
    CHECK(encode::rate(Codec::Aac) == 24000);
    CHECK(encode::frame(Codec::Aac) == 2048);
    CHECK(encode::delay(Codec::Aac) == 2048);
    CHECK(encode::input_samples(Codec::Aac, kSpan) == (kSpan - 2048) / 2);
    // Opus takes the same 24 kHz input and codes a 48 kHz stream: 312 pre-skip
    // (156 input samples), 80 ms frames of 3840.
    CHECK(encode::rate(Codec::Opus) == 24000);
    CHECK(encode::stream_rate(Codec::Opus) == 48000);
    CHECK(encode::stream_rate(Codec::Aac) == 24000);
    CHECK(encode::frame(Codec::Opus) == 3840);
    CHECK(encode::delay(Codec::Opus) == 312);
    CHECK(encode::input_samples(Codec::Opus, kSpan) == (kSpan - 312) / 2);
    CHECK(encode::stream_samples(Codec::Opus, encode::delay(Codec::Opus)) == 312);
    // MP3 is MPEG-2 Layer III at 24 kHz: 576-sample frames; LAME's delay of 576
    // and the decoder's 529, 1105 samples in all.
    CHECK(encode::rate(Codec::Mp3) == 24000);
    CHECK(encode::stream_rate(Codec::Mp3) == 24000);
    CHECK(encode::frame(Codec::Mp3) == 1152);
    CHECK(encode::delay(Codec::Mp3) == 2210);
    CHECK(kMp3Span % encode::frame(Codec::Mp3) == 0);
    CHECK(encode::input_samples(Codec::Mp3, kMp3Span) == (kMp3Span - 2210) / 2);
}

TEST_CASE("encode: a piece of any whole number of units: Opus ends in a 20-60 ms packet", "[av]") {
    for (std::int64_t units : {1, 2, 3, 5, 7}) {
        const std::int64_t span = units * 960;
        INFO("opus span " << span);
        const auto piece = encode::encode_piece(Codec::Opus, {}, input_for(Codec::Opus, span));
        CHECK(piece.span == span);
        REQUIRE(piece.packets.size() == std::size_t((units + 3) / 4));
        for (std::size_t k = 0; k + 1 < piece.packets.size(); ++k) CHECK(piece.packets[k].duration == 3840);
        CHECK(piece.packets.back().duration == (units % 4 == 0 ? 4 : units % 4) * 960);
        // libavcodec's Opus decoder gives back exactly the span
        std::int64_t total = 0;
        for (const auto& p : piece.packets) total += p.duration;
        CHECK(total == span);
        CHECK(encode::decoded_true_peak(piece) > 0.0);
    }
    for (std::int64_t units : {2, 3, 9}) {
        const auto piece = encode::encode_piece(Codec::Aac, {}, input_for(Codec::Aac, units * 2048));
        CHECK(piece.packets.size() == std::size_t(units));
    }
    // LAME pads a frame or two more than the span holds: they are left out.
    for (std::int64_t units : {2, 3, 4, 9, 10}) {
        INFO("mp3 units " << units);
        const auto piece = encode::encode_piece(Codec::Mp3, {}, input_for(Codec::Mp3, units * 1152));
        CHECK(piece.packets.size() == std::size_t(units));
    }
}

TEST_CASE("encode: a piece of whole frames is exactly span/frame packets of one frame each", "[av]") {
    for (Codec codec : kCodecs) {
        for (std::int64_t grains : {1, 2, 7}) {
            const std::int64_t span = grains * base_span(codec);
            INFO(name(codec) << " span " << span);
            const auto piece = encode::encode_piece(codec, {}, input_for(codec, span));
            CHECK(piece.codec == codec);
            CHECK(piece.span == span);
            REQUIRE(piece.packets.size() == std::size_t(span / encode::frame(codec)));
            for (const auto& p : piece.packets) {
                CHECK(p.duration == encode::frame(codec));
                CHECK(!p.data.empty());
            }
        }
    }
}

TEST_CASE("encode: extradata is the stream header the muxer needs", "[av]") {
    const auto opus = encode::encode_piece(Codec::Opus, {}, input_for(Codec::Opus, kSpan));
    REQUIRE(opus.extradata.size() >= 19);
    CHECK(std::string(opus.extradata.begin(), opus.extradata.begin() + 8) == "OpusHead");
    CHECK(opus.extradata[9] == 1);                                      // mono
    CHECK((opus.extradata[10] | opus.extradata[11] << 8) == 312);       // pre-skip
    CHECK((opus.extradata[12] | opus.extradata[13] << 8 | opus.extradata[14] << 16) == 48000);

    const auto aac = encode::encode_piece(Codec::Aac, {}, input_for(Codec::Aac, kSpan));
    REQUIRE(aac.extradata.size() >= 2);
    // AudioSpecificConfig: object type 2 (LC), frequency index 6 (24 kHz), 1 channel.
    CHECK((aac.extradata[0] >> 3) == 2);
    CHECK((((aac.extradata[0] & 7) << 1) | (aac.extradata[1] >> 7)) == 6);
    CHECK(((aac.extradata[1] >> 3) & 15) == 1);

    // MP3 needs none: each frame says what it is. MPEG-2 (LSF) Layer III,
    // 24 kHz, 64 kbit/s, mono, constant bitrate, no CRC.
    const auto mp3 = encode::encode_piece(Codec::Mp3, {}, input_for(Codec::Mp3, kMp3Span));
    CHECK(mp3.extradata.empty());
    for (const auto& p : mp3.packets) {
        REQUIRE(p.data.size() == 192);  // 72 * 64000 / 24000 bytes, never padded
        CHECK(p.data[0] == 0xFF);
        CHECK(p.data[1] == 0xF3);           // sync, MPEG-2, Layer III, no CRC
        CHECK((p.data[2] >> 4) == 8);       // 64 kbit/s in MPEG-2's table
        CHECK(((p.data[2] >> 2) & 3) == 1); // 24 kHz
        CHECK((p.data[3] >> 6) == 3);       // single channel
    }
}

TEST_CASE("encode: MP3 frames never reach back into an earlier frame (no bit reservoir)", "[av]") {
    // main_data_begin, the first 8 bits of MPEG-2's side information after the
    // 4-byte header: 0 in every frame, so a piece decodes the same after any
    // other, and a player decodes the first frame it seeks to.
    const auto mp3 = encode::encode_piece(Codec::Mp3, {}, input_for(Codec::Mp3, 4 * kMp3Span));
    for (const auto& p : mp3.packets) CHECK(p.data[4] == 0);
}

TEST_CASE("encode: identical input gives byte-identical packets", "[av]") {
    for (Codec codec : kCodecs) {
        INFO(name(codec));
        const auto in = input_for(codec, 2 * base_span(codec));
        const auto a = encode::encode_piece(codec, {}, in);
        const auto b = encode::encode_piece(codec, {}, in);
        REQUIRE(a.packets.size() == b.packets.size());
        for (std::size_t i = 0; i < a.packets.size(); ++i) CHECK(a.packets[i].data == b.packets[i].data);
        CHECK(a.extradata == b.extradata);
    }
}

TEST_CASE("encode: settings reach the encoder and the fingerprint", "[av]") {
    const auto in = input_for(Codec::Opus, 2 * kSpan);
    encode::Settings fast, best;
    fast.opus_complexity = fast.opus_steady_complexity = 0;
    best.opus_complexity = best.opus_steady_complexity = 10;
    const auto fast_piece = encode::encode_piece(Codec::Opus, fast, in);
    const auto best_piece = encode::encode_piece(Codec::Opus, best, in);
    REQUIRE(fast_piece.packets.size() == std::size_t(2 * kSpan / 3840));  // 80 ms packets
    CHECK(fast_piece.packets[4].data != best_piece.packets[4].data);

    encode::Settings low;
    low.opus_bitrate = 16000;
    std::size_t low_bytes = 0, default_bytes = 0;
    for (const auto& p : encode::encode_piece(Codec::Opus, low, in).packets) low_bytes += p.data.size();
    for (const auto& p : encode::encode_piece(Codec::Opus, {}, in).packets) default_bytes += p.data.size();
    CHECK(low_bytes * 2 < default_bytes);  // 16 vs 48 kbit/s

    const auto ain = input_for(Codec::Aac, 2 * kSpan);
    encode::Settings twoloop;
    twoloop.aac_fast_coder = false;
    CHECK(encode::encode_piece(Codec::Aac, {}, ain).packets[10].data !=
          encode::encode_piece(Codec::Aac, twoloop, ain).packets[10].data);

    const auto fp = encode::fingerprint(Codec::Opus, {});
    CHECK(fp.find("libopus 1.") != std::string::npos);
    CHECK(encode::fingerprint(Codec::Aac, {}).find("Lavc") != std::string::npos);
    CHECK(fp != encode::fingerprint(Codec::Opus, fast));
    encode::Settings steady;
    steady.opus_steady_complexity = 3;
    CHECK(fp != encode::fingerprint(Codec::Opus, steady));
    encode::Settings rise;
    rise.opus_onset_rise_db = 20;
    CHECK(fp != encode::fingerprint(Codec::Opus, rise));
    CHECK(fp != encode::fingerprint(Codec::Opus, low));
    CHECK(fp != encode::fingerprint(Codec::Aac, {}));
    CHECK(encode::fingerprint(Codec::Aac, {}) != encode::fingerprint(Codec::Aac, twoloop));
    encode::Settings aac_rate;
    aac_rate.aac_bitrate = 96000;
    CHECK(encode::fingerprint(Codec::Aac, {}) != encode::fingerprint(Codec::Aac, aac_rate));
    encode::Settings aac_quality;
    aac_quality.aac_quality = 1.0;
    CHECK(encode::fingerprint(Codec::Aac, {}) != encode::fingerprint(Codec::Aac, aac_quality));
    CHECK(fp == encode::fingerprint(Codec::Opus, {}));

    const auto min = input_for(Codec::Mp3, 2 * kMp3Span);
    encode::Settings mp3_low, mp3_fast;
    mp3_low.mp3_bitrate = 32000;
    mp3_fast.mp3_quality = 7;
    CHECK(encode::encode_piece(Codec::Mp3, mp3_low, min).packets[0].data.size() == 96);
    CHECK(encode::encode_piece(Codec::Mp3, {}, min).packets[10].data !=
          encode::encode_piece(Codec::Mp3, mp3_fast, min).packets[10].data);
    const auto mp3 = encode::fingerprint(Codec::Mp3, {});
    CHECK(mp3.find("lame=3.") != std::string::npos);  // LAME's own version, from the library
    CHECK(mp3 != encode::fingerprint(Codec::Aac, {}));
    CHECK(mp3 != encode::fingerprint(Codec::Mp3, mp3_low));
    CHECK(mp3 != encode::fingerprint(Codec::Mp3, mp3_fast));
}

TEST_CASE("encode: input that is not span - delay is refused", "[av]") {
    CHECK_THROWS_AS(encode::encode_piece(Codec::Opus, {}, std::vector<float>(kSpan)), std::invalid_argument);
    CHECK_THROWS_AS(encode::encode_piece(Codec::Aac, {}, std::vector<float>(1000)),
                    std::invalid_argument);  // not a whole number of frames
    CHECK_NOTHROW(encode::encode_piece(Codec::Aac, {}, std::vector<float>((kSpan - 2048) / 2)));
    CHECK_THROWS_AS(encode::encode_piece(Codec::Aac, {}, {}), std::invalid_argument);
    CHECK_THROWS_AS(encode::encode_piece(Codec::Mp3, {}, std::vector<float>(1000)), std::invalid_argument);
    CHECK_NOTHROW(encode::encode_piece(Codec::Mp3, {}, std::vector<float>((kMp3Span - 2210) / 2)));
}

TEST_CASE("encode: serialise/deserialise round trip", "[av]") {
    for (Codec codec : kCodecs) {
        INFO(name(codec));
        const auto piece = encode::encode_piece(codec, {}, input_for(codec, 2 * base_span(codec)));
        const auto bytes = encode::serialise(piece);
        const auto back = encode::deserialise(bytes, "cache/x.piece");
        CHECK(back.codec == piece.codec);
        CHECK(back.span == piece.span);
        CHECK(back.extradata == piece.extradata);
        REQUIRE(back.packets.size() == piece.packets.size());
        for (std::size_t i = 0; i < piece.packets.size(); ++i) {
            CHECK(back.packets[i].data == piece.packets[i].data);
            CHECK(back.packets[i].duration == piece.packets[i].duration);
        }
        CHECK(encode::serialise(back) == bytes);
    }
}

TEST_CASE("encode: truncated or corrupted cache blobs are rejected with IoError naming the file", "[av]") {
    const auto piece = encode::encode_piece(Codec::Opus, {}, input_for(Codec::Opus, kSpan));
    const auto bytes = encode::serialise(piece);
    const std::string where = "cache/ab/cdef.piece";

    auto rejected = [&](const std::vector<std::uint8_t>& blob) {
        try {
            encode::deserialise(blob, where);
        } catch (const IoError& e) {
            return std::string(e.what()).find(where) != std::string::npos;
        }
        return false;
    };

    for (std::size_t keep : {std::size_t(0), std::size_t(3), std::size_t(15), std::size_t(24), bytes.size() / 2,
                             bytes.size() - 8, bytes.size() - 1}) {
        INFO("truncated to " << keep);
        CHECK(rejected(std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + std::ptrdiff_t(keep))));
    }
    auto longer = bytes;
    longer.push_back(0);
    CHECK(rejected(longer));

    // One flipped bit anywhere: magic, version, length, payload, checksum.
    for (std::size_t at : {std::size_t(0), std::size_t(5), std::size_t(9), std::size_t(17), std::size_t(40),
                           bytes.size() / 2, bytes.size() - 9, bytes.size() - 1}) {
        for (int bit : {0, 7}) {
            auto bad = bytes;
            bad[at] ^= std::uint8_t(1u << bit);
            INFO("bit " << bit << " of byte " << at);
            CHECK(rejected(bad));
        }
    }
}

TEST_CASE("encode: pulled content gives the same packets, and the decoded true peak measured on the way", "[av]") {
    for (Codec codec : kCodecs) {
        INFO(name(codec));
        const auto span = 3 * base_span(codec);
        const auto full = input_for(codec, span);
        // The same input as lead zeros + content + trailing zeros.
        const std::int64_t lead = 2000;
        std::vector<float> content(full.begin(), full.begin() + 20000);
        std::vector<float> padded(full.size(), 0.0f);
        std::copy(content.begin(), content.end(), padded.begin() + lead);
        const auto reference = encode::encode_piece(codec, {}, padded);

        std::int64_t pulled = 0;
        encode::PeakCheck exact;  // above = 0: every sample measured
        const auto piece = encode::encode_piece(
            codec, {},
            [&](float* out, std::int64_t n) {
                std::copy(content.begin() + pulled, content.begin() + pulled + n, out);
                pulled += n;
            },
            std::int64_t(content.size()), lead, std::int64_t(full.size()), &exact);
        CHECK(pulled == std::int64_t(content.size()));
        REQUIRE(piece.packets.size() == reference.packets.size());
        for (std::size_t i = 0; i < piece.packets.size(); ++i) REQUIRE(piece.packets[i].data == reference.packets[i].data);
        CHECK(exact.true_peak == encode::decoded_true_peak(piece));
        CHECK(exact.true_peak > 0.2);  // the content's peak is ~0.4: decoded, it is near that
        CHECK(exact.true_peak < 0.6);

        // Against a ceiling: exact above it, and only "at most the ceiling" below.
        const double low = exact.true_peak * 0.9, high = exact.true_peak * 1.1;
        CHECK(encode::decoded_true_peak(piece, low) == exact.true_peak);
        CHECK(encode::decoded_true_peak(piece, high) <= high);
        encode::PeakCheck against_low;
        against_low.above = low;
        encode::encode_piece(codec, {}, padded.data(), std::int64_t(padded.size()), 0, std::int64_t(padded.size()),
                             &against_low);
        CHECK(against_low.true_peak == exact.true_peak);
    }
}

namespace {

// A piece's Opus packets decoded by libopus (what players use) at the stream's
// 48 kHz, without the pre-skip: sample k is input sample k.
std::vector<float> decode_opus(const encode::Piece& piece) {
    return testing::libopus_decode(piece, encode::stream_rate(Codec::Opus));
}

double energy_db(const std::vector<float>& x, std::size_t from, std::size_t to) {
    double e = 1e-20;
    for (std::size_t i = from; i < to; ++i) e += double(x[i]) * x[i];
    return 10.0 * std::log10(e);
}

}  // namespace

TEST_CASE("encode: the decoded-peak check reads an Opus piece as libopus, the players' decoder, does", "[av]") {
    // The check decodes with FFmpeg's own Opus decoder; players use libopus.
    const auto span = 3 * kSpan;
    const auto piece = encode::encode_piece(Codec::Opus, {}, input_for(Codec::Opus, span));
    const auto pcm = decode_opus(piece);
    REQUIRE(std::int64_t(pcm.size()) + encode::delay(Codec::Opus) == span);
    master::TruePeakMeter meter(0.0, encode::stream_rate(Codec::Opus));  // every sample measured
    meter.add(pcm.data(), pcm.size());
    const double libopus = meter.finish();
    CHECK(libopus > 0.2);
    CHECK(encode::decoded_true_peak(piece) == Approx(libopus).epsilon(1e-5));
}


TEST_CASE("encode: Opus frames holding an onset get transient coding, steady ones the cheaper complexity", "[av]") {
    const auto span = 4 * kSpan;
    const std::size_t n = std::size_t(encode::input_samples(Codec::Opus, span));
    const int rate = encode::rate(Codec::Opus);
    auto tone = [&](std::size_t i) {
        const double t = double(i) / rate;
        return 0.3 * std::sin(2 * M_PI * 180 * t) + 0.1 * std::sin(2 * M_PI * 2300 * t);
    };
    // An onset out of silence 1.01 s in (inside a packet and a frame): a 30 ms burst of
    // noise, as a plosive's, then the tones; and the tones faded in at 30 dB/s
    // from -80 dB, never 12 dB over the 20 ms before.
    const std::size_t at = std::size_t(1.01 * rate), burst = std::size_t(0.03 * rate);
    std::vector<float> onset(n, 0.0f), fade(n, 0.0f);
    std::uint32_t seed = 1;
    for (std::size_t i = at; i < at + burst; ++i) {
        seed = seed * 1664525u + 1013904223u;
        onset[i] = 0.4f * (float(seed >> 8) / float(1 << 24) - 0.5f);
    }
    for (std::size_t i = at + burst; i < n * 3 / 4; ++i) onset[i] = float(tone(i));
    for (std::size_t i = 0; i < n * 3 / 4; ++i)
        fade[i] = float(tone(i) * std::min(1.0, std::pow(10.0, (-80.0 + 30.0 * double(i) / rate) / 20.0)));

    encode::Settings adaptive, all_steady, all_onset;  // adaptive: the defaults
    REQUIRE(adaptive.opus_complexity > adaptive.opus_steady_complexity);
    all_steady.opus_complexity = adaptive.opus_steady_complexity;
    all_onset.opus_steady_complexity = adaptive.opus_complexity;
    auto same = [](const encode::Piece& a, const encode::Piece& b) {
        if (a.packets.size() != b.packets.size()) return false;
        for (std::size_t i = 0; i < a.packets.size(); ++i)
            if (a.packets[i].data != b.packets[i].data) return false;
        return true;
    };

    // No onset anywhere: every frame at the steady complexity.
    CHECK(same(encode::encode_piece(Codec::Opus, adaptive, fade), encode::encode_piece(Codec::Opus, all_steady, fade)));
    CHECK_FALSE(same(encode::encode_piece(Codec::Opus, adaptive, fade), encode::encode_piece(Codec::Opus, all_onset, fade)));

    // With one: the packets up to it are silence either way; the onset's
    // frame is coded with transient detection, which keeps the coding noise
    // out of the silence before the onset (pre-echo).
    const auto a = encode::encode_piece(Codec::Opus, adaptive, onset);
    const auto s = encode::encode_piece(Codec::Opus, all_steady, onset);
    const auto o = encode::encode_piece(Codec::Opus, all_onset, onset);
    CHECK_FALSE(same(a, s));
    const std::size_t at48 = at * 2, before = 48 * 10;  // the 10 ms before the onset
    const auto da = decode_opus(a), ds = decode_opus(s), d0 = decode_opus(o);
    const double signal = energy_db(da, at48, at48 + before);
    const double pre_adaptive = energy_db(da, at48 - before, at48) - signal;
    const double pre_steady = energy_db(ds, at48 - before, at48) - signal;
    const double pre_onset = energy_db(d0, at48 - before, at48) - signal;
    INFO("pre-echo (dB under the onset): adaptive " << pre_adaptive << ", steady " << pre_steady << ", onset " << pre_onset);
    CHECK(pre_adaptive < pre_steady - 6.0);
    CHECK(pre_adaptive < pre_onset + 3.0);
}

TEST_CASE("encode: quieter() cuts a piece 0.25-1 dB per attempt (AAC at least 0.5 dB), aiming 1% under the ceiling", "[av]") {
    auto db = [](double f) { return 20.0 * std::log10(f); };
    // A moderate overshoot: 1% under the ceiling, as measured.
    CHECK(encode::quieter(Codec::Opus, 0.8, 0.85) == Approx(0.8 / 0.85 * 0.99));
    CHECK(encode::quieter(Codec::Aac, 0.8, 0.85) == Approx(0.8 / 0.85 * 0.99));
    // A slight one: the smallest step still changes what the codec does.
    CHECK(db(encode::quieter(Codec::Opus, 0.8, 0.801)) == Approx(-0.26).margin(0.01));
    CHECK(db(encode::quieter(Codec::Aac, 0.8, 0.801)) == Approx(-0.54).margin(0.01));
    CHECK(db(encode::quieter(Codec::Mp3, 0.8, 0.801)) == Approx(-0.54).margin(0.01));  // 1.5 dB global gain steps
    // A wild one (a glitch): never more than 1 dB at a time.
    for (Codec codec : kCodecs) CHECK(db(encode::quieter(codec, 0.5, 1.22)) == Approx(-1.01).margin(0.01));
}
