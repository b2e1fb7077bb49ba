#include "render/cache.hpp"

#include "io/sndfile.hpp"
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include <cctype>
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
#include "render/remote.hpp"

namespace fs = std::filesystem;

namespace turncast::render {

Hasher::Hasher() : sha_(av_sha_alloc()) {
    if (!sha_) throw LibraryError("libavutil", "cannot allocate a SHA context");
    av_sha_init(sha_.get(), 256);
}

Hasher& Hasher::add(std::string_view field) {
    // Length-prefixed, so ("ab","c") and ("a","bc") hash differently.
    std::uint64_t n = field.size();
    av_sha_update(sha_.get(), reinterpret_cast<const std::uint8_t*>(&n), sizeof n);
    av_sha_update(sha_.get(), reinterpret_cast<const std::uint8_t*>(field.data()), field.size());
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
    av_sha_final(sha_.get(), digest);
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 16; ++i) {
        out += digits[digest[i] >> 4];
        out += digits[digest[i] & 15];
    }
    return out;
}

std::array<std::uint8_t, 32> sha256(std::string_view bytes) {
    io::ShaPtr sha(av_sha_alloc());
    if (!sha) throw LibraryError("libavutil", "cannot allocate a SHA context");
    av_sha_init(sha.get(), 256);
    av_sha_update(sha.get(), reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    std::array<std::uint8_t, 32> digest;
    av_sha_final(sha.get(), digest.data());
    return digest;
}

namespace {


// Damage detection for cached entries (keys stay SHA-256): XXH3 reads the
// sample's 74 MB of speech in milliseconds, SHA-256 took 0.2 s each way. The
// key is hashed with the payload, so an entry renamed to another key (swapped
// with another, say) fails as surely as a damaged one.
std::string entry_checksum(const std::string& key, const void* data, std::size_t size, const std::string& extra = {}) {
    XXH3_state_t* st = XXH3_createState();
    if (!st) throw std::bad_alloc();
    XXH3_64bits_reset(st);
    XXH3_64bits_update(st, key.data(), key.size());
    XXH3_64bits_update(st, data, size);
    XXH3_64bits_update(st, extra.data(), extra.size());
    const auto h = XXH3_64bits_digest(st);
    XXH3_freeState(st);
    return fmt::format("{:016x}", h);
}

std::string pcm_checksum(const std::string& key, const std::vector<std::int16_t>& pcm, const nlohmann::json& events) {
    return entry_checksum(key, pcm.data(), pcm.size() * sizeof(std::int16_t), events.dump());
}

// The index's own checksum: key, sample count and events, so the timeline
// (which reads only the index) never takes forged or swapped events.
std::string index_checksum(const std::string& key, const nlohmann::json& j) {
    return entry_checksum(key, nullptr, 0, j.at("samples").dump() + j.at("events").dump());
}

constexpr char kPieceMagic[] = "turncast-piece 1\n";

// A regular file (not a FIFO, device or link) of at most `limit` bytes?
bool regular_file(const std::string& path, std::uint64_t limit = io::kMaxCacheEntryBytes) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && std::uint64_t(st.st_size) <= limit;
}

// The size of a local WAV that is a regular file.
std::optional<std::uint64_t> wav_size(const std::string& wav) {
    struct stat st {};
    if (::lstat(wav.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
    return std::uint64_t(st.st_size);
}

const char* codec_ext(encode::Codec c) {
    return c == encode::Codec::Opus ? "opus" : c == encode::Codec::Aac ? "aac" : "mp3";
}


// Marks an entry as recently used, for prune().
void touch(const std::string& path) { ::utime(path.c_str(), nullptr); }

std::optional<nlohmann::json> read_json(const std::string& path) {
    if (!regular_file(path, io::kMaxManifestBytes)) return std::nullopt;
    try {
        return nlohmann::json::parse(io::read_file(path, io::kMaxManifestBytes, "cache index"));
    } catch (const std::exception&) {
        return std::nullopt;  // damaged entry: a miss
    }
}

// What a speech entry's index says, if its PCM file is there, of the size
// the index gives (so an absurd count is a miss, never an allocation), and
// the index names this key.
std::optional<SpeechInfo> info_from(const nlohmann::json& j, const std::string& key,
                                    std::optional<std::uint64_t> wav_bytes) {
    try {
        if (!j.at("samples").is_number_unsigned() || j.value("key", "") != key ||
            j.value("index_xxh3", "") != index_checksum(key, j))
            return std::nullopt;
        SpeechInfo info;
        info.samples = j.at("samples").get<std::int64_t>();
        if (!wav_bytes) return std::nullopt;
        // A 16-bit mono WAV: 2 bytes a sample after a header of at most a few hundred bytes.
        if (info.samples < 0 || *wav_bytes < 2 * std::uint64_t(info.samples) ||
            *wav_bytes > 2 * std::uint64_t(info.samples) + 4096)
            return std::nullopt;
        for (const auto& e : j.at("events")) {
            synth::Event ev;
            ev.kind = e.at(0).get<int>() == 0 ? synth::Event::Kind::Word : synth::Event::Kind::Sentence;
            ev.sample = e.at(1).get<std::int64_t>();
            ev.text_pos = e.at(2).get<std::uint32_t>();
            ev.length = e.at(3).get<std::uint32_t>();
            if (ev.sample < 0 || ev.sample > info.samples) return std::nullopt;
            info.events.push_back(ev);
        }
        return info;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

// A piece entry's bytes checked against the key it is read for: the magic,
// the key itself, the checksum of key and payload, the codec. nullopt when
// any fails (damaged, truncated, another key's entry, forged).
std::optional<encode::Piece> piece_from(const std::string& bytes, const std::string& key, encode::Codec codec,
                                        const std::string& where) {
    // Header: magic, key, checksum of key and payload, each on its line.
    const std::size_t magic = sizeof kPieceMagic - 1, head = magic + key.size() + 1 + 16 + 1;
    if (bytes.size() < head || bytes.compare(0, magic, kPieceMagic) != 0 ||
        bytes.compare(magic, key.size(), key) != 0 || bytes[magic + key.size()] != '\n')
        return std::nullopt;
    const std::string sum = bytes.substr(magic + key.size() + 1, 16);
    const char* payload = bytes.data() + head;
    const std::size_t n = bytes.size() - head;
    if (entry_checksum(key, payload, n) != sum) return std::nullopt;
    try {
        auto piece = encode::deserialise(reinterpret_cast<const std::uint8_t*>(payload), n, where);
        if (piece.codec != codec) return std::nullopt;
        return piece;
    } catch (const Error&) {
        return std::nullopt;  // truncated or corrupted: encode again
    }
}

}  // namespace

// Every Cache holds a shared lock on dir/lock for as long as it lives (a
// render's whole run), so renders share the cache and prune() can tell when
// none is using it. Where the file system has no flock, nothing is locked.
Cache::Cache(std::string dir, Remote* remote) : dir_(std::move(dir)), remote_(remote) {
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
    finish_uploads();  // while the lock keeps the entries from being pruned
    if (lock_fd_ >= 0) ::close(lock_fd_);
}

std::optional<SpeechInfo> Cache::speech_info(const std::string& key) const {
    const std::string json = dir_ + "/speech/" + key + ".json";
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(json, ec))) return remote_speech_info(key);  // a local miss
    auto j = read_json(json);
    auto info = j ? info_from(*j, key, wav_size(dir_ + "/speech/" + key + ".wav")) : std::nullopt;
    if (!info) reject();
    return info;
}

bool Cache::load_speech(const std::string& key, synth::Speech& into) const {
    const std::string json = dir_ + "/speech/" + key + ".json";
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(json, ec)) && !fetch_speech(key)) return false;
    auto j = read_json(json);
    if (!j) return reject();
    const std::string wav = dir_ + "/speech/" + key + ".wav";
    auto info = info_from(*j, key, wav_size(wav));
    if (!info) return reject();
    if (!io::read_wav16(wav, synth::kSampleRate, info->samples, into.pcm)) return reject();
    if (j->value("xxh3", "") != pcm_checksum(key, into.pcm, j->at("events"))) return reject();
    into.events = std::move(info->events);
    touch(wav);
    return true;
}

void Cache::store_speech(const std::string& key, const synth::Speech& speech) const {
    const std::string wav = dir_ + "/speech/" + key + ".wav";
    {
        io::AtomicFile out(wav, io::Durability::Verified);
        io::write_wav16(out.temp_path(), wav, speech.pcm, synth::kSampleRate,
                        "free some disk space, or render with --no-cache");
        out.commit();
    }
    nlohmann::json j;
    j["key"] = key;
    j["samples"] = speech.pcm.size();
    auto& ev = j["events"] = nlohmann::json::array();
    for (const auto& e : speech.events)
        ev.push_back({e.kind == synth::Event::Kind::Word ? 0 : 1, e.sample, e.text_pos, e.length});
    j["xxh3"] = pcm_checksum(key, speech.pcm, j["events"]);
    j["index_xxh3"] = index_checksum(key, j);
    // The JSON is written last: an entry without it is a miss (here and on the remote).
    io::write_file_atomic(dir_ + "/speech/" + key + ".json", j.dump(), io::Durability::Verified);
    upload("speech/" + key + ".wav");
    upload("speech/" + key + ".json");
}

bool Cache::has_piece(const std::string& key, encode::Codec codec) const {
    std::error_code ec;
    return fs::exists(dir_ + "/pieces/" + key + "." + codec_ext(codec), ec) || fetch_piece(key, codec);
}

std::optional<encode::Piece> Cache::load_piece(const std::string& key, encode::Codec codec) const {
    const std::string path = dir_ + "/pieces/" + key + "." + codec_ext(codec);
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(path, ec)) && !fetch_piece(key, codec)) return std::nullopt;  // a miss
    if (!regular_file(path)) {
        reject();
        return std::nullopt;
    }
    try {
        auto piece = piece_from(io::read_file(path, io::kMaxCacheEntryBytes, "cache entry"), key, codec, path);
        if (!piece) reject();
        else touch(path);
        return piece;
    } catch (const Error&) {
        reject();
        return std::nullopt;  // unreadable: encode again
    }
}

void Cache::store_piece(const std::string& key, const encode::Piece& piece) const {
    auto bytes = encode::serialise(piece);
    std::string out = kPieceMagic + key + "\n" + entry_checksum(key, bytes.data(), bytes.size()) + "\n";
    out.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    const std::string name = std::string("pieces/") + key + "." + codec_ext(piece.codec);
    io::write_file_atomic(dir_ + "/" + name, out, io::Durability::Verified);
    upload(name);
}

bool Cache::is_entry_name(const std::string& name) {
    const auto dot = name.find('.');
    if (dot != 32) return false;
    for (std::size_t k = 0; k < 32; ++k)
        if (!std::isxdigit(static_cast<unsigned char>(name[k])) || std::isupper(static_cast<unsigned char>(name[k])))
            return false;
    const std::string ext = name.substr(dot + 1);
    return ext == "wav" || ext == "json" || ext == "opus" || ext == "aac" || ext == "mp3";
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
            if (it->is_regular_file(ec) && is_entry_name(it->path().filename().string())) total += it->file_size(ec);
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
            if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
            Entry e{it->path(), it->file_size(ec), it->last_write_time(ec)};
            // Only what the cache wrote is counted and deleted: a render's
            // temporary is renamed into place by its render (a killed one's is
            // removed when the cache is next opened), and anything else is
            // not ours to delete.
            if (!is_entry_name(e.path.filename().string())) continue;
            total += e.size;
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

// The remote tier (render/remote.hpp): a local miss asks the remote, and
// what it gives is checked like a local entry before it is written here; a
// name it lacks is not asked for again by this Cache.

bool Cache::remote_lacks(const std::string& name) const {
    if (!remote_ || !remote_->on()) return true;
    std::lock_guard<std::mutex> lock(remote_mutex_);
    return remote_missing_.count(name) > 0;
}

void Cache::remote_missing(const std::string& name) const {
    std::lock_guard<std::mutex> lock(remote_mutex_);
    remote_missing_.insert(name);
}

// Its index and the WAV's size (HEAD): enough to lay out a timeline, with
// the PCM fetched only if a piece must be encoded from it.
std::optional<SpeechInfo> Cache::remote_speech_info(const std::string& key) const {
    const std::string name = "speech/" + key + ".json";
    if (remote_lacks(name)) return std::nullopt;
    const auto index = remote_->get(name, io::kMaxManifestBytes);
    if (index.status != Remote::Fetched::Status::Found) remote_missing(name);  // asked once
    if (index.status == Remote::Fetched::Status::Missing) return std::nullopt;
    std::optional<SpeechInfo> info;
    try {
        if (index.status == Remote::Fetched::Status::Found)
            info = info_from(nlohmann::json::parse(index.bytes), key, remote_->size("speech/" + key + ".wav"));
    } catch (const std::exception&) {
    }
    if (!info) {
        reject();
        return info;
    }
    // Kept for fetch_speech, should a piece need this speech: not asked for twice.
    std::lock_guard<std::mutex> lock(remote_mutex_);
    remote_indexes_[name] = index.bytes;
    return info;
}

bool Cache::fetch_speech(const std::string& key) const {
    const std::string json = "speech/" + key + ".json", wav = "speech/" + key + ".wav";
    if (remote_lacks(json)) return false;
    using Status = Remote::Fetched::Status;
    Remote::Fetched index;
    {
        std::lock_guard<std::mutex> lock(remote_mutex_);
        if (auto kept = remote_indexes_.find(json); kept != remote_indexes_.end()) {
            index.status = Status::Found;
            index.bytes = std::move(kept->second);
            remote_indexes_.erase(kept);
        }
    }
    if (index.status != Status::Found) index = remote_->get(json, io::kMaxManifestBytes);
    const auto pcm = index.status == Status::Found ? remote_->get(wav, io::kMaxCacheEntryBytes) : Remote::Fetched{};
    if (index.status == Status::Missing || (index.status == Status::Found && pcm.status == Status::Missing)) {
        remote_missing(json);
        return false;
    }
    try {
        if (pcm.status != Status::Found || !info_from(nlohmann::json::parse(index.bytes), key, pcm.bytes.size()))
            return reject();
    } catch (const std::exception&) {
        return reject();
    }
    // The PCM's checksum is checked when the entry is read from here, like
    // any local entry; the index goes last, as when the entry was stored.
    io::write_file_atomic(dir_ + "/" + wav, pcm.bytes, io::Durability::Verified);
    io::write_file_atomic(dir_ + "/" + json, index.bytes, io::Durability::Verified);
    return true;
}

bool Cache::fetch_piece(const std::string& key, encode::Codec codec) const {
    const std::string name = std::string("pieces/") + key + "." + codec_ext(codec);
    if (remote_lacks(name)) return false;
    const auto piece = remote_->get(name, io::kMaxCacheEntryBytes);
    remote_missing(name);  // asked once: what this render encodes replaces it there
    if (piece.status == Remote::Fetched::Status::Missing) return false;
    if (piece.status == Remote::Fetched::Status::Refused ||
        !piece_from(piece.bytes, key, codec, remote_->url() + "/" + name))
        return reject();
    io::write_file_atomic(dir_ + "/" + name, piece.bytes, io::Durability::Verified);
    return true;
}

void Cache::upload(const std::string& name) const {
    if (!remote_ || !remote_->on()) return;
    std::lock_guard<std::mutex> lock(remote_mutex_);
    remote_missing_.erase(name);
    if (!uploader_) uploader_ = std::make_unique<Uploader>(*remote_);  // a thread, from the first entry stored
    uploader_->add(name, dir_ + "/" + name);
}

void Cache::finish_uploads() const {
    std::unique_ptr<Uploader> done;
    {
        std::lock_guard<std::mutex> lock(remote_mutex_);
        done = std::move(uploader_);
    }
    done.reset();  // waits for its queue
}

}  // namespace turncast::render
