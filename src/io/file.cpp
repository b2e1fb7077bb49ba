#include "io/file.hpp"

#include <dirent.h>
#include <stdio.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
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
#include "core/hash.hpp"
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

// Temporaries are named "<name>.turncast-tmp-<owner>-<pid>-<n>[.ext]" and
// staging folders ".<slug>.turncast-new-<owner>-<pid>-<n>": no user file has
// such a name, and <owner> (this host and PID namespace) says whose PID it
// is, so only the leftovers of processes proven dead here are swept.
constexpr char kTempMark[] = ".turncast-tmp-";
constexpr char kStagingMark[] = ".turncast-new-";

std::atomic<unsigned>& counter() {
    static std::atomic<unsigned> n{0};
    return n;
}

std::string unique_suffix() {
    return kTempMark + owner_tag() + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++);
}

// After `mark` in `name`: "<owner>-<pid>-..." with this owner and a PID that no
// longer runs (on this host, in this PID namespace)?
bool left_by_dead_process(const char* name, const char* mark) {
    const char* at = std::strstr(name, mark);
    if (!at) return false;
    at += std::strlen(mark);
    const std::string& tag = owner_tag();
    if (std::strncmp(at, tag.c_str(), tag.size()) != 0 || at[tag.size()] != '-') return false;
    const char* digits = at + tag.size() + 1;
    char* end = nullptr;
    const long pid = std::strtol(digits, &end, 10);
    if (end == digits || *end != '-' || pid <= 0 || pid == long(::getpid())) return false;
    return ::kill(pid_t(pid), 0) != 0 && errno == ESRCH;
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

bool is_temporary(std::string_view filename) noexcept {
    return filename.find(kTempMark) != std::string_view::npos || filename.find(kStagingMark) != std::string_view::npos;
}

const std::string& owner_tag() {
    static const std::string tag = [] {
        char host[256] = {0};
        ::gethostname(host, sizeof host - 1);
        char ns[128] = {0};
        const ssize_t n = ::readlink("/proc/self/ns/pid", ns, sizeof ns - 1);
        return short_hash(std::string(host) + "/" + (n > 0 ? std::string(ns, std::size_t(n)) : std::string()));
    }();
    return tag;
}

int remove_stale_temporaries(const std::string& dir) noexcept {
    DIR* d = ::opendir(dir.c_str());
    if (!d) return 0;
    int removed = 0;
    std::vector<std::string> folders;
    while (const dirent* e = ::readdir(d)) {
        if (left_by_dead_process(e->d_name, kTempMark)) {
            if (::unlinkat(::dirfd(d), e->d_name, 0) == 0) ++removed;
        } else if (left_by_dead_process(e->d_name, kStagingMark)) {
            folders.push_back(dir + "/" + e->d_name);
        }
    }
    ::closedir(d);
    for (const auto& f : folders) {
        std::error_code ec;
        if (std::filesystem::remove_all(f, ec) > 0) ++removed;
    }
    return removed;
}

// ---- folder locks --------------------------------------------------------------

FolderLock::FolderLock(const std::string& dir, const std::function<void()>& on_wait) {
    std::filesystem::path f(dir);
    while (f.has_parent_path() && f.filename().empty()) f = f.parent_path();
    const std::string parent = f.has_parent_path() ? f.parent_path().string() : ".";
    make_dirs(parent);
    const std::string path = parent + "/." + f.filename().string() + ".lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd_ < 0) {
        const int err = errno;
        throw IoError(path, "cannot create the lock file: " + errno_text(err), "check that the output folder is writable");
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) return;
    if (errno != EWOULDBLOCK) {
        const int err = errno;
        ::close(fd_);
        throw IoError(path, "cannot lock: " + errno_text(err));
    }
    if (on_wait) on_wait();
    while (::flock(fd_, LOCK_EX) != 0) {
        const int err = errno;
        if (err == EINTR && !stop_requested()) continue;
        ::close(fd_);
        if (err == EINTR) throw Interrupted();
        throw IoError(path, "cannot lock: " + errno_text(err));
    }
}

FolderLock::~FolderLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the flock
}

// ---- staging folders ---------------------------------------------------------

StagingDir::StagingDir(std::string final_dir) : final_(std::move(final_dir)) {
    std::filesystem::path f(final_);
    while (f.has_parent_path() && f.filename().empty()) f = f.parent_path();
    const std::string parent = f.has_parent_path() ? f.parent_path().string() : ".";
    make_dirs(parent);
    refuse_non_regular_dir(final_);
    for (;;) {
        path_ = parent + "/." + f.filename().string() + kStagingMark + owner_tag() + "-" + std::to_string(::getpid()) +
                "-" + std::to_string(counter()++);
        if (::mkdir(path_.c_str(), 0755) == 0) break;
        if (errno != EEXIST) {
            const int err = errno;
            throw IoError(path_, "cannot create a folder to write into: " + errno_text(err),
                          "check that the output folder is writable");
        }
    }
}

StagingDir::~StagingDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);  // unswitched work, or the previous set after the switch
}

void StagingDir::refuse_non_regular_dir(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return;
    if (!S_ISDIR(st.st_mode))
        throw IoError(path, "is not a folder; turncast writes a render's files into a folder of that name",
                      "move it away or choose another -o");
}

void StagingDir::commit() {
    namespace fs = std::filesystem;
    std::error_code ec;
    // What the folder holds that this render does not write (a user's notes, a
    // cover) moves along, so the switch loses nothing but our old outputs.
    if (fs::is_directory(final_, ec)) {
        for (const auto& e : fs::directory_iterator(final_, ec)) {
            const std::string name = e.path().filename().string();
            if (fs::exists(fs::path(path_) / name, ec)) continue;
            if (!owned_.count(name)) {
                if (e.is_regular_file(ec) && !e.is_symlink(ec)) {
                    if (::link(e.path().c_str(), (fs::path(path_) / name).c_str()) == 0) continue;
                }
                fs::copy(e.path(), fs::path(path_) / name,
                         fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
            }
        }
    }
    // Flushed before the switch: the new set is on disk when it appears.
    if (int fd = ::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
    // One atomic step: the new folder and the old change places.
    if (::renameat2(AT_FDCWD, path_.c_str(), AT_FDCWD, final_.c_str(), RENAME_EXCHANGE) == 0) return;
    const int err = errno;
    if (err == ENOENT && ::rename(path_.c_str(), final_.c_str()) == 0) {
        path_ = path_ + ".gone";  // nothing left to remove
        return;
    }
    if (err == EINVAL || err == ENOSYS || err == ENOTSUP) {
        // A file system without RENAME_EXCHANGE: the old folder aside, then the
        // new one in. Between the two renames the folder is missing, never mixed.
        const std::string aside = path_ + ".old";
        if (::rename(final_.c_str(), aside.c_str()) == 0) {
            if (::rename(path_.c_str(), final_.c_str()) == 0) {
                path_ = aside;
                return;
            }
            ::rename(aside.c_str(), final_.c_str());
        }
    }
    throw IoError(final_, "cannot switch the new files in: " + errno_text(err),
                  "check the output folder's permissions; the previous files are unchanged");
}

void make_dirs(const std::string& path) {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) throw IoError(path, "cannot create folder: " + ec.message(), "check the path and permissions");
}

}  // namespace turncast::io
