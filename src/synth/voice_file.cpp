#include "synth/voice_file.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "core/error.hpp"

namespace turncast::synth {

namespace {

std::string first_word(const std::string& line) {
    std::istringstream words(line);
    std::string w;
    words >> w;
    return w;
}

}  // namespace

std::string with_question_tune(const std::string& voice_file, const std::string& variant_file,
                               const std::string& tune) {
    std::string out, line;
    bool tuned = false;
    std::istringstream voice(voice_file);
    while (std::getline(voice, line)) {
        const std::string key = first_word(line);
        if (key == "intonation") continue;
        std::istringstream words(line);
        std::string s, c, q, e;
        if (key == "tunes" && words >> s >> s >> c >> q) {
            words >> e;
            line = "tunes " + s + " " + c + " " + tune + (e.empty() ? "" : " " + e);
            tuned = true;
        }
        out += line + "\n";
    }
    std::istringstream variant(variant_file);
    while (std::getline(variant, line)) {
        const std::string key = first_word(line);
        if (key != "name" && key != "language" && key != "intonation" && key != "tunes") out += line + "\n";
    }
    if (!tuned) out += "tunes s1 c1 " + tune + " e1\n";
    return out;
}

MemoryFile::MemoryFile(const std::string& name, const std::string& contents) {
    fd_ = ::memfd_create(name.c_str(), 0);
    if (fd_ < 0) throw LibraryError("espeak-ng voice " + name, std::string("memfd_create: ") + std::strerror(errno));
    std::size_t done = 0;
    while (done < contents.size()) {
        const ssize_t n = ::write(fd_, contents.data() + done, contents.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int err = errno;
            ::close(fd_);
            throw LibraryError("espeak-ng voice " + name, std::string("cannot write: ") + std::strerror(err));
        }
        done += std::size_t(n);
    }
}

MemoryFile::~MemoryFile() {
    if (fd_ >= 0) ::close(fd_);
}

std::string MemoryFile::path() const { return "/proc/self/fd/" + std::to_string(fd_); }

}  // namespace turncast::synth
