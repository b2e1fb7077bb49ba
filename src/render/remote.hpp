// The render cache's second tier: the same entries as the local cache
// (speech/<key>.wav|json, pieces/<key>.opus|aac) under an http(s) URL, read
// with GET and HEAD and written with PUT, the way ccache's HTTP storage and
// bazel-remote work, so any WebDAV-capable server (nginx's dav module,
// bazel-remote, an object store's HTTP gateway) can share a cache between
// machines. libcurl is the client.
//
//   turncast::render::Remote remote("https://cache.example.org/turncast", token, false);
//   if (auto bytes = remote.get("pieces/<key>.opus", limit)) ...;  // verified by the Cache before use
//   turncast::render::Uploader up(remote);  // a thread: PUTs beside the render
//   up.add("pieces/<key>.opus", "output/.cache/pieces/<key>.opus");
//
// The remote is a help, never a need: the first request that fails (no
// connection within 2 s, a transfer stalled for 3 s, an HTTP error other
// than 404) or, in all, more than 3 s of waiting on slow answers, turns it
// off for the rest of the process with a one-line warning, and the render
// goes on with the local cache alone. Nothing read from it is trusted: the
// Cache checks every entry against its key before use (render/cache.hpp).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace turncast::render {

// Where an entry lives under the URL: Files keeps the local cache's names
// (speech/<key>.wav, for a WebDAV server); Bazel puts each at
// ac/<SHA-256 of that name> (64 hex digits), the action-cache path
// bazel-remote serves (run it with --disable_http_ac_validation).
enum class RemoteLayout { Files, Bazel };

class Remote {
public:
    // `url`: http:// or https:// (a trailing / is ignored); `token`, when not
    // empty, goes with every request as "Authorization: Bearer <token>".
    // Throws Error(Usage) for another URL or a token that cannot be a header.
    // Construct on the main thread before any other thread starts.
    // With a `secret`, every entry goes up sealed (an HMAC-SHA256 of its name
    // and bytes under the secret, appended) and one read back is used only
    // if its seal matches: the renderers share the secret, the server and
    // anyone else who can write to it do not, so no entry they make or
    // change is ever used.
    Remote(std::string url, std::string token, bool quiet, RemoteLayout layout = RemoteLayout::Files,
           std::string secret = {});
    ~Remote();
    Remote(const Remote&) = delete;
    Remote& operator=(const Remote&) = delete;

    struct Fetched {
        enum class Status { Missing, Refused, Found };
        Status status = Status::Missing;  // Missing also when the remote is off
        std::string bytes;                // Found: the entry (unsealed)
    };
    // An entry's bytes (at most `limit`); Refused when its seal does not
    // match the secret. Thread-safe, as are size() and put().
    Fetched get(const std::string& name, std::uint64_t limit);
    // An entry's size in bytes (HEAD; without its seal); nullopt when missing or off.
    std::optional<std::uint64_t> size(const std::string& name);
    // Uploads the file at `path` as entry `name`; false when it failed (the
    // remote is then off) or the file is gone.
    bool put(const std::string& name, const std::string& path);

    bool on() const { return !off_.load(); }
    const std::string& url() const { return url_; }

    struct Handle;  // a libcurl easy handle, kept for its open connection

private:
    std::unique_ptr<Handle> take();
    void give(std::unique_ptr<Handle> h);
    // Runs a prepared request; its HTTP status, or nullopt after turning the
    // remote off (a transfer error, or too long spent waiting in all; an
    // upload's wait is its own transfer, not counted).
    std::optional<long> perform(Handle& h, const std::string& name, bool upload = false);
    void turn_off(const std::string& why);

    std::string path(const std::string& name) const;  // under url_, by layout_
    std::string seal(const std::string& name, std::string_view bytes) const;  // 32 bytes; secret_ set

    std::string url_;
    RemoteLayout layout_;
    std::string authorization_;  // the header line, or empty
    std::string secret_;         // empty: entries are not sealed
    bool quiet_;
    std::atomic<bool> off_{false};
    std::mutex mutex_;  // guards idle_ and waited_
    std::vector<std::unique_ptr<Handle>> idle_;
    double waited_ = 0.0;  // seconds lost to slow answers so far
};

// A thread that uploads files to a Remote in the order given, while the
// render goes on. The destructor waits for what is queued (unless the
// remote is off or a stop was requested), so a render's entries are on the
// remote when it returns.
class Uploader {
public:
    explicit Uploader(Remote& remote);
    ~Uploader();
    Uploader(const Uploader&) = delete;
    Uploader& operator=(const Uploader&) = delete;
    void add(std::string name, std::string path);

private:
    void run();
    Remote& remote_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::pair<std::string, std::string>> queue_;
    bool closing_ = false;
    std::thread thread_;  // last: started once everything above exists
};

}  // namespace turncast::render
