#include "core/data.hpp"

#include <cstdlib>

namespace turncast {

std::string data_file(std::string_view name) {
    if (const char* dir = std::getenv("TURNCAST_DATA_DIR"); dir && *dir) return std::string(dir) + "/" + std::string(name);
    return std::string(TURNCAST_SOURCE_DIR "/voices/") + std::string(name);
}

}  // namespace turncast
