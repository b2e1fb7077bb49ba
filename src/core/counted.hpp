// A count with its noun, for messages: counted(1, "chapter") is "1 chapter",
// counted(8, "chapter") "8 chapters".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace turncast {

inline std::string counted(std::size_t n, std::string_view noun) {
    std::string out = std::to_string(n);
    out += ' ';
    out += noun;
    if (n != 1) out += 's';
    return out;
}

}  // namespace turncast
