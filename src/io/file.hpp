// File helpers with turncast's guarantees: a write either replaces the file
// completely or leaves what was there untouched (temporary file, fsync,
// rename), and every failure names the path.
//
//   turncast::io::write_file_atomic("out/talk.vtt", text);
//   turncast::io::AtomicFile f("out/talk.opus");  // write to f.temp_path() ...
//   f.commit();                                    // ... then rename into place
//   io::commit_all(staged);                        // several files: all flushed, then renamed
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/read.hpp"

namespace turncast::io {

// Bounded reads of regular files (core/read.hpp), here as well for the media side.
using turncast::read_file;
using turncast::kMaxTranscriptBytes;
using turncast::kMaxConfigBytes;
using turncast::kMaxCoverBytes;
using turncast::kMaxManifestBytes;
using turncast::kMaxCacheEntryBytes;

// Throws IoError if `path` exists and is not a regular file (or a symlink,
// which a rename replaces without following): a device, FIFO, socket or
// folder is never replaced.
void refuse_non_regular(const std::string& path);

// How hard commit() works to keep a file across a crash: Durable flushes it to
// disk before the rename (outputs); Verified skips the flush, for files that
// are checked when read and rebuilt when damaged (cache entries): a power
// loss may then leave a damaged entry, never a damaged output.
enum class Durability { Durable, Verified };

void write_file_atomic(const std::string& path, std::string_view bytes, Durability d = Durability::Durable);

// A temporary file beside `path`, renamed over it by commit(); removed by the
// destructor if never committed (error, exception, interruption).
class AtomicFile {
public:
    explicit AtomicFile(std::string path, Durability d = Durability::Durable);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    const std::string& temp_path() const { return temp_; }
    const std::string& path() const { return path_; }
    void sync();    // fsync when Durable (once); throws IoError, e.g. on a full disk
    void commit();  // sync() + rename; throws IoError

private:
    std::string path_, temp_;
    Durability durability_;
    bool synced_ = false;
    bool committed_ = false;
    int slot_ = -1;  // in the signal handler's table of pending temporaries
};

// `bytes` written to an AtomicFile's temporary, not yet committed.
std::unique_ptr<AtomicFile> stage_file(const std::string& path, std::string_view bytes);

// Replaces several files as one: every temporary is flushed first (where a
// full disk shows), then all are renamed in order. Until the renames nothing
// has changed; if a flush fails, every temporary is removed.
void commit_all(std::vector<std::unique_ptr<AtomicFile>>& files);

// Temporary paths created by AtomicFile that are still open; the signal
// handler removes them before the process exits on SIGINT/SIGTERM.
void remove_pending_temporaries() noexcept;

void make_dirs(const std::string& path);  // mkdir -p; throws IoError

// Whether a file name is one of AtomicFile's temporaries ("name.tmp-PID-N[.ext]").
bool is_temporary(std::string_view filename) noexcept;

// Removes the temporaries ("name.tmp-PID-N[.ext]") in `dir` left by a turncast
// process that no longer runs (killed by SIGKILL, power loss). Those of live
// processes, e.g. a second render running at once, are kept. A missing folder
// is not an error. Returns how many were removed.
int remove_stale_temporaries(const std::string& dir) noexcept;

}  // namespace turncast::io
