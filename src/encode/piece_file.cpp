// The cache format of an encoded piece: a checksummed little-endian file
// that serialise() writes and deserialise() reads back, refusing a truncated,
// damaged or foreign one.
#include <cstring>
#include <string>

#include <fmt/format.h>
#include <xxhash.h>

#include "core/error.hpp"
#include "encode/encode.hpp"

namespace turncast::encode {

namespace {

// Little-endian, explicit widths.

constexpr char kMagic[4] = {'T', 'C', 'E', 'P'};  // TurnCast Encoded Piece
constexpr std::size_t kHeaderSize = 4 + 4 + 8;   // magic, version, payload length
constexpr std::size_t kTrailerSize = 8;          // XXH3-64 of the payload

std::uint64_t checksum(const std::uint8_t* p, std::size_t n) { return XXH3_64bits(p, n); }

template <typename T>
void put(std::vector<std::uint8_t>& out, T v) {
    auto u = static_cast<std::uint64_t>(v);
    for (std::size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<std::uint8_t>(u >> (8 * i)));
}

[[noreturn]] void corrupt(const std::string& where, const std::string& what) {
    throw IoError(where, "encoded piece is corrupt: " + what, "delete it; the next render rebuilds it");
}

// Bounds-checked little-endian reads; running off the end is a corrupt file.
class Reader {
public:
    Reader(const std::uint8_t* p, std::size_t n, const std::string& where) : p_(p), n_(n), where_(where) {}
    template <typename T>
    T get() {
        need(sizeof(T));
        std::uint64_t u = 0;
        for (std::size_t i = 0; i < sizeof(T); ++i) u |= std::uint64_t(p_[pos_ + i]) << (8 * i);
        pos_ += sizeof(T);
        return static_cast<T>(u);
    }
    void bytes(std::vector<std::uint8_t>& out, std::size_t n) {
        need(n);
        out.assign(p_ + pos_, p_ + pos_ + n);
        pos_ += n;
    }
    bool done() const { return pos_ == n_; }

private:
    void need(std::size_t k) {
        if (k > n_ - pos_) corrupt(where_, "the payload ends early");
    }
    const std::uint8_t* p_;
    std::size_t n_;
    std::size_t pos_ = 0;
    const std::string& where_;
};

}  // namespace

// Layout: "TCEP" u32 version, u64 payload length, payload, u64 XXH3-64(payload).
// Payload: u8 codec (0 Opus, 1 AAC, 2 MP3: Codec's values), i64 span, u32 extradata length, extradata, u32 packet
// count, then per packet u32 duration, u32 size, bytes.
std::vector<std::uint8_t> serialise(const Piece& piece) {
    std::size_t payload = 1 + 8 + 4 + piece.extradata.size() + 4;
    for (const auto& p : piece.packets) payload += 8 + p.data.size();
    std::vector<std::uint8_t> out;
    out.reserve(kHeaderSize + payload + kTrailerSize);
    for (char c : kMagic) out.push_back(std::uint8_t(c));
    put<std::uint32_t>(out, kFormatVersion);
    put<std::uint64_t>(out, payload);
    put<std::uint8_t>(out, std::uint8_t(piece.codec));
    put<std::int64_t>(out, piece.span);
    put<std::uint32_t>(out, static_cast<std::uint32_t>(piece.extradata.size()));
    out.insert(out.end(), piece.extradata.begin(), piece.extradata.end());
    put<std::uint32_t>(out, static_cast<std::uint32_t>(piece.packets.size()));
    for (const auto& p : piece.packets) {
        put<std::uint32_t>(out, static_cast<std::uint32_t>(p.duration));
        put<std::uint32_t>(out, static_cast<std::uint32_t>(p.data.size()));
        out.insert(out.end(), p.data.begin(), p.data.end());
    }
    if (out.size() != kHeaderSize + payload) throw std::logic_error("serialise: payload size miscounted");
    put<std::uint64_t>(out, checksum(out.data() + kHeaderSize, payload));
    return out;
}

Piece deserialise(const std::vector<std::uint8_t>& bytes, const std::string& where) {
    return deserialise(bytes.data(), bytes.size(), where);
}

Piece deserialise(const std::uint8_t* data, std::size_t size, const std::string& where) {
    if (size < kHeaderSize + kTrailerSize) corrupt(where, fmt::format("only {} bytes", size));
    if (std::memcmp(data, kMagic, 4) != 0) corrupt(where, "not a turncast encoded piece");
    Reader head(data + 4, kHeaderSize - 4, where);
    const auto version = head.get<std::uint32_t>();
    if (version != kFormatVersion) corrupt(where, fmt::format("format version {} (expected {})", version, kFormatVersion));
    const auto length = head.get<std::uint64_t>();
    if (length != size - kHeaderSize - kTrailerSize)
        corrupt(where, fmt::format("{} payload bytes declared, {} present", length, size - kHeaderSize - kTrailerSize));
    const std::uint8_t* payload = data + kHeaderSize;
    Reader tail(payload + length, kTrailerSize, where);
    if (tail.get<std::uint64_t>() != checksum(payload, length)) corrupt(where, "checksum mismatch");

    // The checksum matched, so the structure below was written by serialise();
    // the bounds checks still guard against a colliding or hand-made file.
    Reader r(payload, length, where);
    Piece piece;
    const auto codec = r.get<std::uint8_t>();
    if (codec > std::uint8_t(Codec::Mp3)) corrupt(where, fmt::format("unknown codec {}", codec));
    piece.codec = Codec(codec);
    piece.span = r.get<std::int64_t>();
    r.bytes(piece.extradata, r.get<std::uint32_t>());
    const auto count = r.get<std::uint32_t>();
    if (count > length / 8) corrupt(where, fmt::format("{} packets cannot fit", count));
    piece.packets.resize(count);
    std::int64_t total = 0;
    for (auto& p : piece.packets) {
        p.duration = r.get<std::uint32_t>();
        r.bytes(p.data, r.get<std::uint32_t>());
        total += p.duration;
    }
    if (!r.done()) corrupt(where, "trailing bytes after the packets");
    if (piece.span <= 0 || piece.span % unit(piece.codec) != 0 || total != piece.span)
        corrupt(where, fmt::format("packets cover {} samples of a {}-sample piece", total, piece.span));
    return piece;
}


}  // namespace turncast::encode
