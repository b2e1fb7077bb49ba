// Bounded reads: every file turncast reads (transcripts, data files, covers,
// manifests, cache entries) comes through read_file, which takes regular
// files only, up to a size limit, and stops at once on a stop request.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace turncast {

// Size limits: far above any real input, so that a wrong file (a device, a
// disk image) is refused in milliseconds.
constexpr std::size_t kMaxTranscriptBytes = std::size_t(16) << 20;  // a four-hour event is 0.2 MB
constexpr std::size_t kMaxConfigBytes = std::size_t(32) << 20;      // cast, rules, readings, lexicons
constexpr std::size_t kMaxCoverBytes = std::size_t(20) << 20;
constexpr std::size_t kMaxManifestBytes = std::size_t(64) << 20;
constexpr std::size_t kMaxCacheEntryBytes = std::size_t(1) << 30;

// Reads a regular file of at most `limit` bytes; `what` names it in messages
// ("transcript"). Throws IoError (missing, a folder, a device, FIFO or socket,
// too large, unreadable) naming the path, or Interrupted on a stop request.
std::string read_file(const std::string& path, std::size_t limit, std::string_view what);

}  // namespace turncast
