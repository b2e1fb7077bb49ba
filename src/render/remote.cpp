#include "render/remote.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>

#include "core/error.hpp"
#include "core/stop.hpp"
#include "io/av.hpp"
#include "render/cache.hpp"

namespace turncast::render {

namespace {

// How long the remote may keep a render waiting before it is turned off.
constexpr long kConnectMs = 2000;        // to connect (a dead host or closed port)
constexpr long kStallBytesPerSecond = 1024, kStallSeconds = 3;  // a transfer that stalls
constexpr long kRequestMs = 60000;       // one request at the most, however it trickles
constexpr double kPromptSeconds = 0.25;  // an answer slower than this wastes the rest...
constexpr double kWaitBudgetSeconds = 3.0;  // ...and this much wasted in all is enough

struct EasyDeleter {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct ListDeleter {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

// One error boundary for libcurl's setup calls: they fail only for want of memory.
void check_curl(CURLcode rc, const char* what) {
    if (rc != CURLE_OK) throw LibraryError("libcurl", fmt::format("{}: {}", what, curl_easy_strerror(rc)));
}

// libcurl's global state, set up once, before any thread uses it.
void init_curl_once() {
    static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
    check_curl(rc, "cannot initialise");
}

// A GET's body, refused past its limit (an absurd entry is a miss, never an allocation).
struct Body {
    std::string bytes;
    std::uint64_t limit = 0;
    bool too_big = false;
};

extern "C" std::size_t append_body(char* data, std::size_t size, std::size_t n, void* user) {
    auto* b = static_cast<Body*>(user);
    if (b->bytes.size() + size * n > b->limit) {
        b->too_big = true;
        return 0;  // libcurl stops the transfer
    }
    b->bytes.append(data, size * n);
    return size * n;
}

std::string checked_url(std::string url) {
    const bool http = url.rfind("http://", 0) == 0, https = url.rfind("https://", 0) == 0;
    if (!http && !https)
        throw Error(ExitCode::Usage, "--cache-remote " + url, "is not an http:// or https:// URL",
                    "give the address of a folder on a WebDAV-capable server, e.g. https://cache.example.org/turncast");
    while (!url.empty() && url.back() == '/') url.pop_back();
    for (unsigned char c : url)
        if (c <= 0x20 || c == 0x7f || c == '?' || c == '#')
            throw Error(ExitCode::Usage, "--cache-remote " + url, "contains a space, query or fragment",
                        "give the folder's address");
    return url;
}

}  // namespace

struct Remote::Handle {
    std::unique_ptr<CURL, EasyDeleter> easy;
    std::unique_ptr<curl_slist, ListDeleter> headers;
    char error[CURL_ERROR_SIZE] = {};
};

Remote::Remote(std::string url, std::string token, bool quiet, RemoteLayout layout, std::string secret)
    : url_(checked_url(std::move(url))), layout_(layout), secret_(std::move(secret)), quiet_(quiet) {
    for (unsigned char c : token)
        if (c < 0x20 || c == 0x7f)
            throw Error(ExitCode::Usage, "TURNCAST_CACHE_TOKEN", "contains a control character",
                        "set it to the bearer token alone");
    if (!token.empty()) authorization_ = "Authorization: Bearer " + token;
    init_curl_once();
}

Remote::~Remote() = default;

constexpr std::size_t kSealBytes = 32;

namespace {

// An HMAC-SHA256 of an entry's name and bytes under the renderers' secret,
// fed the bytes piece by piece.
class Sealer {
public:
    Sealer(const std::string& secret, const std::string& name) : mac_(av_hmac_alloc(AV_HMAC_SHA256)) {
        if (!mac_) throw LibraryError("libavutil", "cannot allocate an HMAC context");
        av_hmac_init(mac_.get(), reinterpret_cast<const std::uint8_t*>(secret.data()), unsigned(secret.size()));
        // The name, then a NUL (no name holds one), then the bytes: an entry
        // sealed for one name never passes for another's.
        av_hmac_update(mac_.get(), reinterpret_cast<const std::uint8_t*>(name.c_str()), unsigned(name.size() + 1));
    }
    void add(std::string_view bytes) {
        for (std::size_t at = 0; at < bytes.size(); at += 1u << 30) {  // its lengths are unsigned int
            const std::size_t n = std::min<std::size_t>(bytes.size() - at, 1u << 30);
            av_hmac_update(mac_.get(), reinterpret_cast<const std::uint8_t*>(bytes.data() + at), unsigned(n));
        }
    }
    std::string finish() {
        std::string out(kSealBytes, '\0');
        av_hmac_final(mac_.get(), reinterpret_cast<std::uint8_t*>(out.data()), unsigned(out.size()));
        return out;
    }

private:
    io::HmacPtr mac_;
};

}  // namespace

std::string Remote::seal(const std::string& name, std::string_view bytes) const {
    Sealer s(secret_, name);
    s.add(bytes);
    return s.finish();
}

std::string Remote::path(const std::string& name) const {
    if (layout_ == RemoteLayout::Files) return name;
    std::string out = "ac/";
    for (auto b : sha256(name)) out += fmt::format("{:02x}", b);
    return out;
}

std::unique_ptr<Remote::Handle> Remote::take() {
    std::unique_ptr<Handle> h;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!idle_.empty()) {
            h = std::move(idle_.back());
            idle_.pop_back();
        }
    }
    if (h) {
        curl_easy_reset(h->easy.get());  // keeps its connections
    } else {
        h = std::make_unique<Handle>();
        h->easy.reset(curl_easy_init());
        if (!h->easy) throw LibraryError("libcurl", "cannot create a request");
        // "Expect:" off: no waiting for a 100 Continue before an upload's body.
        curl_slist* list = curl_slist_append(nullptr, "Expect:");
        if (list && !authorization_.empty()) {
            if (auto* more = curl_slist_append(list, authorization_.c_str())) list = more;
            else list = nullptr;
        }
        if (!list) throw LibraryError("libcurl", "cannot allocate a request's headers");
        h->headers.reset(list);
    }
    CURL* c = h->easy.get();
    check_curl(curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L), "NOSIGNAL");  // threads: no SIGALRM
    check_curl(curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, kConnectMs), "CONNECTTIMEOUT");
    check_curl(curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, kStallBytesPerSecond), "LOW_SPEED_LIMIT");
    check_curl(curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, kStallSeconds), "LOW_SPEED_TIME");
    check_curl(curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, kRequestMs), "TIMEOUT");
    check_curl(curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https"), "PROTOCOLS");
    check_curl(curl_easy_setopt(c, CURLOPT_HTTPHEADER, h->headers.get()), "HTTPHEADER");
    check_curl(curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->error), "ERRORBUFFER");
    h->error[0] = '\0';
    return h;
}

void Remote::give(std::unique_ptr<Handle> h) {
    std::lock_guard<std::mutex> lock(mutex_);
    idle_.push_back(std::move(h));
}

void Remote::turn_off(const std::string& why) {
    if (off_.exchange(true)) return;  // warned already
    if (!quiet_)
        std::fprintf(stderr, "turncast: warning: cache remote %s: %s; rendering with the local cache alone\n",
                     url_.c_str(), why.c_str());
}

std::optional<long> Remote::perform(Handle& h, const std::string& name, bool upload) {
    CURL* c = h.easy.get();
    const std::string url = url_ + "/" + path(name);
    check_curl(curl_easy_setopt(c, CURLOPT_URL, url.c_str()), "URL");
    const CURLcode rc = curl_easy_perform(c);
    double first_byte = 0.0;
    curl_easy_getinfo(c, CURLINFO_STARTTRANSFER_TIME, &first_byte);
    if (rc != CURLE_OK && rc != CURLE_WRITE_ERROR) {
        turn_off(h.error[0] ? h.error : curl_easy_strerror(rc));
        return std::nullopt;
    }
    if (!upload && first_byte > kPromptSeconds) {  // an upload's first byte comes after its body
        std::lock_guard<std::mutex> lock(mutex_);
        waited_ += first_byte - kPromptSeconds;
        if (waited_ > kWaitBudgetSeconds) {
            turn_off(fmt::format("answers too slowly (over {:.0f} s lost waiting)", kWaitBudgetSeconds));
            return std::nullopt;
        }
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

Remote::Fetched Remote::get(const std::string& name, std::uint64_t limit) {
    Fetched f;
    if (!on()) return f;
    auto h = take();
    Body body;
    body.limit = limit + (secret_.empty() ? 0 : kSealBytes);
    check_curl(curl_easy_setopt(h->easy.get(), CURLOPT_WRITEFUNCTION, append_body), "WRITEFUNCTION");
    check_curl(curl_easy_setopt(h->easy.get(), CURLOPT_WRITEDATA, &body), "WRITEDATA");
    const auto status = perform(*h, name);
    give(std::move(h));
    if (!status || *status == 404) return f;
    if (body.too_big) {
        f.status = Fetched::Status::Refused;
        return f;
    }
    if (*status != 200) {
        turn_off(fmt::format("GET {} answered HTTP {}", name, *status));
        return f;
    }
    if (!secret_.empty()) {
        const auto& b = body.bytes;
        if (b.size() < kSealBytes ||
            b.compare(b.size() - kSealBytes, kSealBytes, seal(name, std::string_view(b).substr(0, b.size() - kSealBytes))) != 0) {
            f.status = Fetched::Status::Refused;
            return f;
        }
        body.bytes.resize(b.size() - kSealBytes);
    }
    f.status = Fetched::Status::Found;
    f.bytes = std::move(body.bytes);
    return f;
}

std::optional<std::uint64_t> Remote::size(const std::string& name) {
    if (!on()) return std::nullopt;
    auto h = take();
    check_curl(curl_easy_setopt(h->easy.get(), CURLOPT_NOBODY, 1L), "NOBODY");
    const auto status = perform(*h, name);
    curl_off_t length = -1;
    curl_easy_getinfo(h->easy.get(), CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
    give(std::move(h));
    if (!status || *status == 404) return std::nullopt;
    if (*status != 200 || length < 0) {
        turn_off(fmt::format("HEAD {} answered HTTP {}", name, *status));
        return std::nullopt;
    }
    const std::uint64_t sealed = secret_.empty() ? 0 : kSealBytes;
    if (std::uint64_t(length) < sealed) return std::nullopt;  // no seal: refused when read
    return std::uint64_t(length) - sealed;
}

namespace {

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

// An upload's body: the file as it is read (never whole in memory: a speech
// entry runs to megabytes), then its seal, if any.
struct Upload {
    std::FILE* file;
    std::string tail;
    std::size_t tail_at = 0;
};

extern "C" std::size_t read_upload(char* into, std::size_t size, std::size_t n, void* user) {
    auto* u = static_cast<Upload*>(user);
    const std::size_t got = std::fread(into, 1, size * n, u->file);
    if (got > 0) return got;
    if (std::ferror(u->file)) return CURL_READFUNC_ABORT;
    const std::size_t k = std::min(size * n, u->tail.size() - u->tail_at);
    std::memcpy(into, u->tail.data() + u->tail_at, k);
    u->tail_at += k;
    return k;
}

}  // namespace

bool Remote::put(const std::string& name, const std::string& path) {
    if (!on()) return false;
    // The file as it is now: an entry replaced meanwhile is renamed over
    // this one, which stays readable through the open file.
    std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
    if (!file) return false;  // pruned meanwhile: nothing to share
    Upload body{file.get(), {}};
    std::uint64_t bytes = 0;
    if (!secret_.empty()) {
        Sealer sealer(secret_, name);
        char buf[1 << 16];
        while (const std::size_t got = std::fread(buf, 1, sizeof buf, file.get())) {
            sealer.add(std::string_view(buf, got));
            bytes += got;
        }
        if (std::ferror(file.get())) return false;
        std::rewind(file.get());
        body.tail = sealer.finish();
    } else {
        if (std::fseek(file.get(), 0, SEEK_END) != 0) return false;
        const long end = std::ftell(file.get());
        if (end < 0) return false;
        bytes = std::uint64_t(end);
        std::rewind(file.get());
    }
    auto h = take();
    CURL* c = h->easy.get();
    check_curl(curl_easy_setopt(c, CURLOPT_UPLOAD, 1L), "UPLOAD");
    check_curl(curl_easy_setopt(c, CURLOPT_READFUNCTION, read_upload), "READFUNCTION");
    check_curl(curl_easy_setopt(c, CURLOPT_READDATA, &body), "READDATA");
    check_curl(curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, curl_off_t(bytes + body.tail.size())), "INFILESIZE");
    const auto status = perform(*h, name, true);
    give(std::move(h));
    if (!status) return false;
    if (*status != 200 && *status != 201 && *status != 204) {
        turn_off(fmt::format("PUT {} answered HTTP {}", name, *status));
        return false;
    }
    return true;
}

Uploader::Uploader(Remote& remote) : remote_(remote), thread_([this] { run(); }) {}

Uploader::~Uploader() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        closing_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void Uploader::add(std::string name, std::string path) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        queue_.emplace_back(std::move(name), std::move(path));
    }
    wake_.notify_all();
}

void Uploader::run() {
    for (;;) {
        std::pair<std::string, std::string> next;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait(lock, [&] { return closing_ || !queue_.empty(); });
            if (queue_.empty() || stop_requested() || !remote_.on()) return;
            next = std::move(queue_.front());
            queue_.pop_front();
        }
        try {
            remote_.put(next.first, next.second);
        } catch (const std::exception&) {
            return;  // libcurl out of memory: the entries stay local
        }
    }
}

}  // namespace turncast::render
