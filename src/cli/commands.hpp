// Each `turncast` subcommand lives in its own src/cli/cmd_*.cpp and registers
// itself with the CLI11 app; main() only builds the app and maps exceptions to
// exit codes (core/error.hpp).
#pragma once

#include <CLI/CLI.hpp>

namespace turncast::cli {

// `s` with control characters (ESC, CR, ...) shown as "\x1b": a message
// quoting a file's bytes never drives the terminal.
std::string printable(std::string_view s);

// A CLI11 check that a number is finite ("nan" and "inf" parse as doubles).
CLI::Validator finite_number();

// Global options every subcommand may read.
struct Globals {
    bool quiet = false;
};

void add_render(CLI::App& app, Globals& g);
void add_plan(CLI::App& app, Globals& g);
void add_voices(CLI::App& app, Globals& g);
void add_audition(CLI::App& app, Globals& g);
void add_feed(CLI::App& app, Globals& g);
void add_cache(CLI::App& app, Globals& g);
void add_phonemes(CLI::App& app, Globals& g);

}  // namespace turncast::cli
