#include "core/data.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

namespace turncast {

namespace {

// An installed turncast (`cmake --install`): PREFIX/bin/turncast beside
// PREFIX/share/turncast/. Empty when this binary is not installed so.
std::string installed_data_dir() {
    char exe[4096];
    const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return {};
    std::string path(exe, std::size_t(n));
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) return {};
    const std::string dir = path.substr(0, slash) + "/../share/turncast";
    struct stat st {};
    return ::stat((dir + "/cast.toml").c_str(), &st) == 0 ? dir : std::string();
}

}  // namespace

std::string data_file(std::string_view name) {
    if (const char* dir = std::getenv("TURNCAST_DATA_DIR"); dir && *dir) return std::string(dir) + "/" + std::string(name);
    static const std::string installed = installed_data_dir();
    if (!installed.empty()) return installed + "/" + std::string(name);
    return std::string(TURNCAST_SOURCE_DIR "/voices/") + std::string(name);
}

}  // namespace turncast
