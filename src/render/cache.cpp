#include "render/cache.hpp"

#include "io/sndfile.hpp"
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include <cerrno>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <xxhash.h>

extern "C" {
#include <libavutil/mem.h>
#include <libavutil/sha.h>
}

#include "core/error.hpp"
#include "core/memory.hpp"
#include "io/file.hpp"

namespace fs = std::filesystem;

namespace turncast::render {

Hasher::Hasher() : sha_(av_sha_alloc()) {
    if (!sha_) throw LibraryError("libavutil", "cannot allocate a SHA context");
    av_sha_init(sha_, 256);
}

Hasher::~Hasher() { av_free(sha_); }

Hasher& Hasher::add(std::string_view field) {
    // Length-prefixed, so ("ab","c") and ("a","bc") hash differently.
    std::uint64_t n = field.size();
    av_sha_update(sha_, reinterpret_cast<const std::uint8_t*>(&n), sizeof n);
    av_sha_update(sha_, reinterpret_cast<const std::uint8_t*>(field.data()), field.size());
    return *this;
}

Hasher& Hasher::add(std::int64_t value) { return add(std::to_string(value)); }

Hasher& Hasher::add(double value) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", value);
    return add(std::string_view(buf));
}

std::string Hasher::hex() {
    std::uint8_t digest[32];
    av_sha_final(sha_, digest);
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 16; ++i) {
        out += digits[digest[i] >> 4];
        out += digits[digest[i] & 15];
    }
    return out;
}

namespace {

using io::SndfilePtr;

// Damage detection for cached PCM (keys stay SHA-256): XXH3 reads the
// sample's 74 MB of speech in milliseconds, SHA-256 took 0.2 s each way.
std::string pcm_checksum(const std::vector<std::int16_t>& pcm) {
    return fmt::format("{:016x}", XXH3_64bits(pcm.data(), pcm.size() * sizeof(std::int16_t)));
}

const char* codec_ext(encode::Codec c) { return c == encode::Codec::Opus ? "opus" : "aac"; }

// Marks an entry as recently used, for prune().
void touch(const std::string& path) { ::utime(path.c_str(), nullptr); }

std::optional<nlohmann::json> read_json(const std::string& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) return std::nullopt;
    try {
        return nlohmann::json::parse(io::read_file(path, io::kMaxManifestBytes, "cache index"));
    } catch (const std::exception&) {
        return std::nullopt;  // damaged entry: a miss
    }
}

// What a speech entry's index says, if its PCM file is there.
std::optional<SpeechInfo> info_from(const nlohmann::json& j, const std::string& wav) {
    try {
        SpeechInfo info;
        info.samples = j.at("samples").get<std::int64_t>();
        for (const auto& e : j.at("events")) {
            synth::Event ev;
            ev.kind = e.at(0).get<int>() == 0 ? synth::Event::Kind::Word : synth::Event::Kind::Sentence;
            ev.sample = e.at(1).get<std::int64_t>();
            ev.text_pos = e.at(2).get<std::uint32_t>();
            ev.length = e.at(3).get<std::uint32_t>();
            info.events.push_back(ev);
        }
        std::error_code ec;
        if (!fs::exists(wav, ec)) return std::nullopt;
        return info;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

}  // namespace

// Every Cache holds a shared lock on dir/lock for as long as it lives (a
// render's whole run), so renders share the cache and prune() can tell when
// none is using it. Where the file system has no flock, nothing is locked.
Cache::Cache(std::string dir) : dir_(std::move(dir)) {
    io::make_dirs(dir_ + "/speech");
    io::make_dirs(dir_ + "/pieces");
    lock_fd_ = ::open((dir_ + "/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd_ >= 0) {
        int rc;
        do rc = ::flock(lock_fd_, LOCK_SH);  // waits while a prune runs
        while (rc != 0 && errno == EINTR);
        if (rc != 0) {
            ::close(lock_fd_);
            lock_fd_ = -1;
        }
    }
    io::remove_stale_temporaries(dir_ + "/speech");  // left by a killed render
    io::remove_stale_temporaries(dir_ + "/pieces");
}

Cache::~Cache() {
    if (lock_fd_ >= 0) ::close(lock_fd_);
}

std::optional<SpeechInfo> Cache::speech_info(const std::string& key) const {
    auto j = read_json(dir_ + "/speech/" + key + ".json");
    return j ? info_from(*j, dir_ + "/speech/" + key + ".wav") : std::nullopt;
}

bool Cache::load_speech(const std::string& key, synth::Speech& into) const {
    auto j = read_json(dir_ + "/speech/" + key + ".json");
    if (!j) return false;
    const std::string wav = dir_ + "/speech/" + key + ".wav";
    auto info = info_from(*j, wav);
    if (!info) return false;
    SF_INFO sfi{};
    SndfilePtr f(sf_open(wav.c_str(), SFM_READ, &sfi));
    if (!f || sfi.channels != 1 || sfi.samplerate != synth::kSampleRate || sfi.frames != info->samples)
        return false;
    resize_large(into.pcm, std::size_t(sfi.frames));
    if (sf_readf_short(f.get(), into.pcm.data(), sfi.frames) != sfi.frames) return false;
    if (j->value("xxh3", "") != pcm_checksum(into.pcm)) return false;
    into.events = std::move(info->events);
    touch(wav);
    return true;
}

void Cache::store_speech(const std::string& key, const synth::Speech& speech) const {
    const std::string wav = dir_ + "/speech/" + key + ".wav";
    {
        io::AtomicFile out(wav, io::Durability::Verified);
        SF_INFO sfi{};
        sfi.samplerate = synth::kSampleRate;
        sfi.channels = 1;
        sfi.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
        SndfilePtr f(sf_open(out.temp_path().c_str(), SFM_WRITE, &sfi));
        if (!f) throw IoError(wav, std::string("cannot write cache entry: ") + sf_strerror(nullptr));
        auto n = sf_count_t(speech.pcm.size());
        if (sf_writef_short(f.get(), speech.pcm.data(), n) != n)
            throw IoError(wav, std::string("cannot write cache entry: ") + sf_strerror(f.get()),
                          "free some disk space, or render with --no-cache");
        if (sf_close(f.release()) != 0) throw IoError(wav, "cannot finish cache entry");
        out.commit();
    }
    nlohmann::json j;
    j["samples"] = speech.pcm.size();
    j["xxh3"] = pcm_checksum(speech.pcm);
    auto& ev = j["events"] = nlohmann::json::array();
    for (const auto& e : speech.events)
        ev.push_back({e.kind == synth::Event::Kind::Word ? 0 : 1, e.sample, e.text_pos, e.length});
    // The JSON is written last: an entry without it is a miss.
    io::write_file_atomic(dir_ + "/speech/" + key + ".json", j.dump(), io::Durability::Verified);
}

bool Cache::has_piece(const std::string& key, encode::Codec codec) const {
    std::error_code ec;
    return fs::exists(dir_ + "/pieces/" + key + "." + codec_ext(codec), ec);
}

std::optional<encode::Piece> Cache::load_piece(const std::string& key, encode::Codec codec) const {
    const std::string path = dir_ + "/pieces/" + key + "." + codec_ext(codec);
    std::error_code ec;
    if (!fs::exists(path, ec)) return std::nullopt;
    try {
        const std::string bytes = io::read_file(path, io::kMaxCacheEntryBytes, "cache entry");
        auto piece = encode::deserialise(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), path);
        if (piece.codec != codec) return std::nullopt;
        touch(path);
        return piece;
    } catch (const Error&) {
        return std::nullopt;  // truncated or corrupted: encode again
    }
}

void Cache::store_piece(const std::string& key, const encode::Piece& piece) const {
    auto bytes = encode::serialise(piece);
    io::write_file_atomic(dir_ + "/pieces/" + key + "." + codec_ext(piece.codec),
                          std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                          io::Durability::Verified);
}

void Cache::remove_piece(const std::string& key, encode::Codec codec) const {
    std::error_code ec;
    fs::remove(dir_ + "/pieces/" + key + "." + codec_ext(codec), ec);
}

std::uint64_t Cache::size_bytes() const {
    std::uint64_t total = 0;
    std::error_code ec;
    for (const auto& sub : {"/speech", "/pieces"})
        for (auto it = fs::directory_iterator(dir_ + sub, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
            if (it->is_regular_file(ec)) total += it->file_size(ec);
    return total;
}

bool Cache::lock_exclusive() const {
    if (lock_fd_ < 0 || ::flock(lock_fd_, LOCK_EX | LOCK_NB) == 0) return true;
    const int err = errno;
    ::flock(lock_fd_, LOCK_SH);  // converting dropped the shared lock
    if (err == EWOULDBLOCK) return false;
    throw IoError(dir_, std::string("cannot lock the cache: ") + std::strerror(err), "check the folder's permissions");
}

namespace {

// Gives a Cache's exclusive hold back as the shared one it had.
struct BackToShared {
    int fd;
    ~BackToShared() {
        if (fd >= 0) ::flock(fd, LOCK_SH);
    }
};

// An entry's key: its file name up to the first dot (<key>.wav, <key>.opus).
std::string key_of(const fs::path& entry) {
    const auto name = entry.filename().string();
    return name.substr(0, name.find('.'));
}

}  // namespace

std::uint64_t Cache::remove_lru(std::uint64_t max_bytes, const std::vector<std::string>& keep) const {
    const std::set<std::string> kept(keep.begin(), keep.end());
    struct Entry { fs::path path; std::uint64_t size; fs::file_time_type used; };
    std::vector<Entry> entries;
    std::uint64_t total = 0;
    std::error_code ec;
    for (const auto& sub : {"/speech", "/pieces"}) {
        for (auto it = fs::directory_iterator(dir_ + sub, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
            if (!it->is_regular_file(ec)) continue;
            Entry e{it->path(), it->file_size(ec), it->last_write_time(ec)};
            total += e.size;
            // A render's temporary is not an entry: the render renames it in
            // place, and a killed render's is removed when the cache is next opened.
            if (io::is_temporary(e.path.filename().string())) continue;
            if (kept.count(key_of(e.path))) {
                touch(e.path.string());  // used by the render that just finished
                continue;
            }
            entries.push_back(std::move(e));
        }
    }
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.used < b.used; });
    std::uint64_t removed = 0;
    for (const auto& e : entries) {
        if (total - removed <= max_bytes) break;
        if (fs::remove(e.path, ec)) removed += e.size;
    }
    return removed;
}

std::uint64_t Cache::prune(std::uint64_t max_bytes) const {
    // Only with no render using the cache: one that has counted an entry as
    // cached reads it again when it muxes.
    if (!lock_exclusive())
        throw IoError(dir_, "a render is using this cache, so nothing was pruned",
                      "prune it again when the render has finished");
    BackToShared back{lock_fd_};
    return remove_lru(max_bytes, {});
}

std::optional<std::uint64_t> Cache::trim(std::uint64_t max_bytes, const std::vector<std::string>& keep) const {
    // The render's own entries count as used either way; deleting waits for
    // a turn with the cache to itself.
    const bool alone = lock_exclusive();
    BackToShared back{alone ? lock_fd_ : -1};
    const auto removed = remove_lru(alone ? max_bytes : UINT64_MAX, keep);
    return alone ? std::optional<std::uint64_t>(removed) : std::nullopt;
}

}  // namespace turncast::render
