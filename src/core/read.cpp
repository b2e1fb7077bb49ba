#include "core/read.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/stop.hpp"

namespace turncast {

namespace {
std::string errno_text(int err) { return std::strerror(err); }
}  // namespace

std::string read_file(const std::string& path, std::size_t limit, std::string_view what) {
    // Opened without blocking (a FIFO would wait for a writer), then judged by
    // what was opened, not by a path that may have changed since.
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        int err = errno;
        throw IoError(path, "cannot read: " + errno_text(err),
                      err == ENOENT ? "check the path" : "check the file's permissions");
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        const bool dir = S_ISDIR(st.st_mode);
        ::close(fd);
        throw IoError(path, dir ? "is a directory, not a file" : "is not a regular file (a device, FIFO or socket)",
                      fmt::format("name a {} file", what));
    }
    if (std::uint64_t(st.st_size) > limit) {
        ::close(fd);
        throw IoError(path, fmt::format("is {} bytes; a {} may be at most {} bytes", st.st_size, what, limit),
                      "check that this is the right file");
    }
    // A regular file: reads do not block; chunked, so a stop request ends them.
    std::string out(std::size_t(st.st_size) + 1, '\0');
    std::size_t got = 0;
    for (;;) {
        if (stop_requested()) {
            ::close(fd);
            throw Interrupted();
        }
        if (got == out.size()) {
            if (out.size() > limit) break;
            out.resize(std::min(limit + 1, out.size() * 2));
        }
        const std::size_t want = std::min<std::size_t>(out.size() - got, std::size_t(1) << 20);
        ssize_t r = ::read(fd, out.data() + got, want);
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            int err = errno;
            ::close(fd);
            throw IoError(path, "cannot read: " + errno_text(err), "check that this is a regular file on a working disk");
        }
        if (r == 0) break;
        got += std::size_t(r);
    }
    ::close(fd);
    if (got > limit)
        throw IoError(path, fmt::format("grew past {} bytes while being read; a {} may be at most that", limit, what),
                      "check that this is the right file");
    out.resize(got);
    return out;
}

}  // namespace turncast
