// Every TOML data file (cast, rules, readings) is read the same way: bounded
// (core/read.hpp), checked for nesting before toml++ sees it (a key nested
// thousands deep would exhaust its recursion), and parsed with errors that
// name the file and line.
#pragma once

#include <string>
#include <string_view>

#include <toml++/toml.h>

namespace turncast {

constexpr int kMaxTomlDepth = 32;

// Throws IoError (unreadable, too large) or ConfigError (too deep, not TOML)
// naming the path and line; `what` names the file ("cast file") and `hint`
// says what to do about invalid TOML.
// `where(line)`, when given, names the place in messages (default: the path,
// and "line N:" before the message).
toml::table parse_toml_file(const std::string& path, std::string_view what, std::string_view hint,
                            std::string (*where)(const std::string& path, int line) = nullptr);

// The deepest nesting of tables, arrays and dotted keys in TOML text, outside
// strings and comments, and the line where it is reached.
struct TomlDepth {
    int depth = 0;
    int line = 0;
};
TomlDepth toml_depth(std::string_view text);

}  // namespace turncast
