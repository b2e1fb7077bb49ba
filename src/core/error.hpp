// Errors carry the exit status main() returns for them; only main turns them
// into exit codes. Library code throws, never exits.
//
//   throw turncast::InputError("talk.txt", "line 3, byte 118: bytes are not UTF-8",
//                              "save the transcript as UTF-8 and try again");
#pragma once

#include <stdexcept>
#include <string>

namespace turncast {

// Documented in README.md ("Exit codes"); keep the two in step.
enum class ExitCode : int {
    Ok = 0,
    Internal = 1,      // a bug: please report it
    Usage = 2,         // the command line is wrong
    BadInput = 3,      // the transcript cannot be used as it is
    BadConfig = 4,     // a cast file or lexicon is wrong
    Io = 5,            // reading or writing a file failed (missing folder, full disk, ...)
    Library = 6,       // espeak-ng, libav* or another library failed
    Interrupted = 130, // SIGINT/SIGTERM: previous outputs were left intact
};

class Error : public std::runtime_error {
public:
    Error(ExitCode code, std::string where, std::string what, std::string hint = {})
        : std::runtime_error(compose(where, what, hint)), code_(code) {}
    ExitCode code() const noexcept { return code_; }

private:
    static std::string compose(const std::string& where, const std::string& what,
                               const std::string& hint) {
        std::string s = where.empty() ? what : where + ": " + what;
        if (!hint.empty()) s += " (" + hint + ")";
        return s;
    }
    ExitCode code_;
};

// `where` names the file and, where known, "line N, byte B".
struct InputError : Error {
    InputError(std::string where, std::string what, std::string hint = {})
        : Error(ExitCode::BadInput, std::move(where), std::move(what), std::move(hint)) {}
};
struct ConfigError : Error {
    ConfigError(std::string where, std::string what, std::string hint = {})
        : Error(ExitCode::BadConfig, std::move(where), std::move(what), std::move(hint)) {}
};
struct IoError : Error {
    IoError(std::string where, std::string what, std::string hint = {})
        : Error(ExitCode::Io, std::move(where), std::move(what), std::move(hint)) {}
};
struct LibraryError : Error {
    LibraryError(std::string where, std::string what, std::string hint = {})
        : Error(ExitCode::Library, std::move(where), std::move(what), std::move(hint)) {}
};
struct Interrupted : Error {
    Interrupted() : Error(ExitCode::Interrupted, {}, "interrupted; previous outputs left intact") {}
};

}  // namespace turncast
