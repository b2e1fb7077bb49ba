// A short stable hash for names (slugs, source ids, owner tags): FNV-1a,
// 32 bits, as 8 hex digits — the same on every run and machine.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace turncast {

inline std::string short_hash(std::string_view s) {
    std::uint32_t h = 2166136261u;
    for (unsigned char c : s) h = (h ^ c) * 16777619u;
    char buf[9];
    std::snprintf(buf, sizeof buf, "%08x", h);
    return buf;
}

}  // namespace turncast
