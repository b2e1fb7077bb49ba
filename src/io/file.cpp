#include "io/file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <random>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/stop.hpp"

namespace turncast::io {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

// Open temporaries, for the signal handler. A fixed table of C strings keeps
// remove_pending_temporaries() async-signal-safe (only unlink()).
constexpr int kMaxPending = 64;
char g_pending[kMaxPending][4096];
std::atomic<bool> g_used[kMaxPending];
std::mutex g_pending_mutex;

int register_pending(const std::string& path) {
    std::lock_guard<std::mutex> lock(g_pending_mutex);
    if (path.size() >= sizeof g_pending[0]) return -1;
    for (int i = 0; i < kMaxPending; ++i) {
        if (!g_used[i].load()) {
            std::memcpy(g_pending[i], path.c_str(), path.size() + 1);
            g_used[i].store(true);
            return i;
        }
    }
    return -1;
}

void unregister_pending(int slot) {
    if (slot >= 0) g_used[slot].store(false);
}

constexpr char kTempMark[] = ".tmp-";  // then the writer's PID, '-', a counter

std::string unique_suffix() {
    static std::atomic<unsigned> counter{0};
    return kTempMark + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

void write_all(int fd, const char* data, std::size_t n, const std::string& path) {
    while (n > 0) {
        ssize_t w = ::write(fd, data, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            throw IoError(path, "cannot write: " + errno_text(err),
                          err == ENOSPC ? "free some disk space and render again" : "");
        }
        data += w;
        n -= std::size_t(w);
    }
}

}  // namespace

// The temporary keeps the file's extension ("talk.tmp-12-0.m4a"): muxers look
// at it, and a stray one is never mistaken for an output.
std::string temporary_name(const std::string& path) {
    const auto slash = path.find_last_of('/');
    const auto dot = path.find_last_of('.');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash) || dot == slash + 1)
        return path + unique_suffix();
    return path.substr(0, dot) + unique_suffix() + path.substr(dot);
}

AtomicFile::AtomicFile(std::string path, Durability d)
    : path_(std::move(path)), temp_(temporary_name(path_)), durability_(d) {
    refuse_non_regular(path_);  // before any work is spent on it
    slot_ = register_pending(temp_);
}

AtomicFile::~AtomicFile() {
    if (!committed_) ::unlink(temp_.c_str());
    unregister_pending(slot_);
}

void AtomicFile::sync() {
    if (synced_ || durability_ != Durability::Durable) return;
    int fd = ::open(temp_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        throw IoError(temp_, "cannot reopen to flush: " + errno_text(err));
    }
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0)
        throw IoError(path_, "cannot flush to disk: " + errno_text(err),
                      err == ENOSPC ? "free some disk space and render again" : "");
    synced_ = true;
}

void refuse_non_regular(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return;  // nothing there: fine
    if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) return;
    throw IoError(path,
                  S_ISDIR(st.st_mode) ? "is a folder; turncast writes only files it can replace"
                                      : "is a device, FIFO or socket; turncast replaces only regular files",
                  "choose another output path");
}

void AtomicFile::commit() {
    sync();
    refuse_non_regular(path_);
    if (::rename(temp_.c_str(), path_.c_str()) != 0) {
        const int err = errno;
        throw IoError(path_, "cannot replace: " + errno_text(err));
    }
    committed_ = true;
}

// Writes `bytes` to f's temporary (not committed).
static void write_temporary(AtomicFile& f, std::string_view bytes) {
    const std::string& path = f.path();
    int fd = ::open(f.temp_path().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        int err = errno;
        throw IoError(path, "cannot create: " + errno_text(err), "check that the folder is writable");
    }
    try {
        write_all(fd, bytes.data(), bytes.size(), path);
    } catch (...) {
        ::close(fd);
        throw;
    }
    if (::close(fd) != 0) {
        int err = errno;
        throw IoError(path, "cannot write: " + errno_text(err));
    }
}

void write_file_atomic(const std::string& path, std::string_view bytes, Durability d) {
    AtomicFile f(path, d);
    write_temporary(f, bytes);
    f.commit();
}

std::unique_ptr<AtomicFile> stage_file(const std::string& path, std::string_view bytes) {
    auto f = std::make_unique<AtomicFile>(path);
    write_temporary(*f, bytes);
    return f;
}

void commit_all(std::vector<std::unique_ptr<AtomicFile>>& files) {
    for (auto& f : files) f->sync();
    for (auto& f : files) f->commit();
}

void remove_pending_temporaries() noexcept {
    for (int i = 0; i < kMaxPending; ++i)
        if (g_used[i].load()) ::unlink(g_pending[i]);
}

bool is_temporary(std::string_view filename) noexcept { return filename.find(kTempMark) != std::string_view::npos; }

int remove_stale_temporaries(const std::string& dir) noexcept {
    DIR* d = ::opendir(dir.c_str());
    if (!d) return 0;
    int removed = 0;
    while (const dirent* e = ::readdir(d)) {
        const char* mark = std::strstr(e->d_name, kTempMark);
        if (!mark) continue;
        const char* digits = mark + sizeof kTempMark - 1;
        char* end = nullptr;
        const long pid = std::strtol(digits, &end, 10);
        if (end == digits || *end != '-' || pid <= 0 || pid == long(::getpid())) continue;
        if (::kill(pid_t(pid), 0) == 0 || errno != ESRCH) continue;  // still running (or not ours to judge)
        if (::unlinkat(::dirfd(d), e->d_name, 0) == 0) ++removed;
    }
    ::closedir(d);
    return removed;
}

void make_dirs(const std::string& path) {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) throw IoError(path, "cannot create folder: " + ec.message(), "check the path and permissions");
}

}  // namespace turncast::io
