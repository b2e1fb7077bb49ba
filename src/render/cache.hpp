// The content-addressed render cache: synthesised speech (PCM + timing
// events) and encoded pieces, each under a key that hashes everything that
// could change its bytes (text, voice, engine and library versions, pauses,
// gain target, encoder settings).
//
//   turncast::render::Cache cache("output/.cache");
//   auto key = turncast::render::Hasher().add("speech").add(text).hex();
//   if (auto s = cache.load_speech(key)) ...; else cache.store_speech(key, speech);
//
// Entries are written atomically (temporary file + rename), so two renders
// running at once, or one interrupted, never leave a half-written entry under
// a key; reads verify a checksum and treat a damaged entry as a miss. With a
// Remote (render/remote.hpp) a local miss is asked of a shared cache over
// HTTP, and what is stored here is uploaded there.
#pragma once

#include <array>
#include <atomic>

#include <cstdint>
#include <memory>
#include <mutex>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "encode/encode.hpp"
#include "io/av.hpp"
#include "synth/synth.hpp"

namespace turncast::render {

// SHA-256 (libavutil) over length-prefixed fields; hex() gives 32 hex digits.
class Hasher {
public:
    Hasher();
    Hasher& add(std::string_view field);
    Hasher& add(std::int64_t value);
    Hasher& add(double value);
    std::string hex();  // finishes the hash

private:
    io::ShaPtr sha_;
};

// The SHA-256 of `bytes` alone (no length prefix): what a shell's sha256sum
// gives, for names others may compute (shards, remote paths).
std::array<std::uint8_t, 32> sha256(std::string_view bytes);

// What the renderer needs to plan a timeline without reading the PCM.
struct SpeechInfo {
    std::int64_t samples = 0;  // at synth::kSampleRate
    std::vector<synth::Event> events;
};

class Remote;
class Uploader;

class Cache {
public:
    // Creates dir/speech and dir/pieces; locks dir/lock shared. With a
    // `remote` (borrowed), a local miss asks it, each entry it gives is
    // verified like a local one before it is kept here, and each entry
    // stored is uploaded to it by a thread beside the render.
    explicit Cache(std::string dir, Remote* remote = nullptr);
    ~Cache();
    Cache(const Cache&) = delete;
    Cache& operator=(const Cache&) = delete;
    const std::string& dir() const { return dir_; }

    // Speech: dir/speech/<key>.wav (libsndfile, 16-bit mono 22050 Hz) and
    // dir/speech/<key>.json (its key, sample count, events, and a checksum
    // of key, PCM and events together: an entry proves it is <key>'s).
    std::optional<SpeechInfo> speech_info(const std::string& key) const;
    // Into `into`, reusing its sample storage; false (and `into` unspecified)
    // when the entry is missing or fails verification.
    bool load_speech(const std::string& key, synth::Speech& into) const;
    void store_speech(const std::string& key, const synth::Speech& speech) const;

    // Encoded pieces: dir/pieces/<key>.<codec>: a header ("turncast-piece 1",
    // the key, a checksum of key and payload) and the encode::serialise payload.
    std::optional<encode::Piece> load_piece(const std::string& key, encode::Codec codec) const;
    bool has_piece(const std::string& key, encode::Codec codec) const;
    void store_piece(const std::string& key, const encode::Piece& piece) const;
    void remove_piece(const std::string& key, encode::Codec codec) const;  // a damaged one, say

    // Deletes least recently used entries until the cache holds at most max_bytes
    // (counting and deleting only files named as entries: never a render's
    // temporaries or anything else put there).
    // Returns the bytes removed. Throws IoError, deleting nothing, while
    // another Cache on the same folder (a render) is open.
    std::uint64_t prune(std::uint64_t max_bytes) const;
    // What a render does when it has finished: marks the entries under `keep`
    // (its own keys) as just used, then, unless another render has the cache
    // open, deletes least recently used entries other than those until the
    // cache holds at most max_bytes (its own entries stay, even over the
    // bound). Returns the bytes removed, or nullopt when another render
    // holds the cache (its entries are marked all the same; that render
    // trims when it finishes).
    std::optional<std::uint64_t> trim(std::uint64_t max_bytes, const std::vector<std::string>& keep) const;
    std::uint64_t size_bytes() const;

    // Entries found but refused since this Cache opened: damaged, not a
    // regular file, absurd, or not the entry for the key asked (swapped or
    // forged). Each was a miss and is rendered again.
    int rejected() const { return rejected_.load(); }

    // Whether a file name is a cache entry's: <32 hex>.wav|json|opus|aac.
    static bool is_entry_name(const std::string& name);

    // Waits for the uploads queued so far and ends their thread (the next
    // entry stored starts another): before forking, and when the Cache closes.
    void finish_uploads() const;

private:
    bool reject() const {
        ++rejected_;
        return false;
    }
    // Whether this Cache now holds the folder's lock exclusively (always
    // true where there is no lock); false when another Cache holds it,
    // with the shared hold taken again. Throws IoError on other failures.
    bool lock_exclusive() const;
    std::uint64_t remove_lru(std::uint64_t max_bytes, const std::vector<std::string>& keep) const;

    // The remote tier (cache.cpp, end).
    bool remote_lacks(const std::string& name) const;  // true without a remote
    void remote_missing(const std::string& name) const;
    std::optional<SpeechInfo> remote_speech_info(const std::string& key) const;
    bool fetch_speech(const std::string& key) const;  // into this folder; false: missing or refused
    bool fetch_piece(const std::string& key, encode::Codec codec) const;
    void upload(const std::string& name) const;

    std::string dir_;
    Remote* remote_ = nullptr;
    mutable std::mutex remote_mutex_;                // guards the three below
    mutable std::set<std::string> remote_missing_;   // names the remote lacks
    mutable std::map<std::string, std::string> remote_indexes_;  // speech indexes fetched for their info, by name
    mutable std::unique_ptr<Uploader> uploader_;
    int lock_fd_ = -1;  // dir/lock, held shared
    mutable std::atomic<int> rejected_{0};
};

}  // namespace turncast::render
