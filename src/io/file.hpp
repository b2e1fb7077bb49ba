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
#include <functional>
#include <memory>
#include <set>
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

// Whether a file name is one of AtomicFile's temporaries
// ("name.turncast-tmp-OWNER-PID-N[.ext]") or a staging folder.
bool is_temporary(std::string_view filename) noexcept;

// This host and PID namespace, as 8 hex digits: whose PIDs a temporary's
// name records.
const std::string& owner_tag();

// Removes the temporaries and staging folders in `dir` left by a turncast
// process of this host and PID namespace that no longer runs (SIGKILL, power
// loss). Those of live processes (a second render running at once), of other
// hosts or namespaces sharing the volume, and every file not named by
// turncast are kept. A missing folder is not an error. Returns how many were removed.
int remove_stale_temporaries(const std::string& dir) noexcept;

// A render's outputs appear together or not at all: they are written into a
// fresh folder beside `final_dir` (".<name>.turncast-new-OWNER-PID-N"), and
// commit() switches it with `final_dir` in one atomic rename (RENAME_EXCHANGE),
// carrying over what the old folder held that the render does not write. The
// destructor removes what is left: the unswitched folder, or the old set.
// An exclusive lock on a folder's name (the file ".<name>.lock" beside it,
// flock'ed): two renders into one folder take turns. Blocks until the lock
// is free, calling on_wait once first; a stop request ends the wait
// (Interrupted). Released by the destructor (or the process's exit).
class FolderLock {
public:
    FolderLock(const std::string& dir, const std::function<void()>& on_wait);
    ~FolderLock();
    FolderLock(const FolderLock&) = delete;
    FolderLock& operator=(const FolderLock&) = delete;

private:
    int fd_ = -1;
};

class StagingDir {
public:
    explicit StagingDir(std::string final_dir);  // throws IoError
    ~StagingDir();
    StagingDir(const StagingDir&) = delete;
    StagingDir& operator=(const StagingDir&) = delete;

    const std::string& path() const { return path_; }        // write here
    const std::string& final_path() const { return final_; }
    void own(const std::string& name) { owned_.insert(name); }  // a file the render writes (not carried over)
    void commit();                                             // throws IoError

private:
    static void refuse_non_regular_dir(const std::string& path);
    std::string final_, path_;
    std::set<std::string> owned_;
};

}  // namespace turncast::io
