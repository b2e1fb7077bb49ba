// turncast: speaker-labelled transcript → chaptered audiobook.
// main() builds the command line and is the one place where exceptions become
// exit codes (README.md, "Exit codes").
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <malloc.h>
#include <unistd.h>

extern "C" {
#include <libavutil/log.h>
}

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/stop.hpp"
#include "io/file.hpp"

namespace turncast::cli {

std::string printable(std::string_view s) {
    std::string out;
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F) out += fmt::format("\\x{:02x}", u);
        else out += c;
    }
    return out;
}

CLI::Validator finite_number() {
    return CLI::Validator(
        [](std::string& s) {
            char* end = nullptr;
            const double v = std::strtod(s.c_str(), &end);
            return std::isfinite(v) ? std::string() : "'" + s + "' is not a finite number";
        },
        "FINITE");
}

}  // namespace turncast::cli

namespace {

extern "C" void on_signal(int sig) {
    // First signal: ask every loop to stop; they throw Interrupted and the
    // temporaries are removed by their owners. Second signal: leave now.
    if (turncast::stop_requested()) {
        turncast::io::remove_pending_temporaries();
        ::_exit(128 + sig);
    }
    turncast::request_stop();
}

}  // namespace

int main(int argc, char** argv) {
    using namespace turncast;
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGHUP, &sa, nullptr);  // a closed terminal: stop as cleanly as on SIGTERM
    std::signal(SIGPIPE, SIG_IGN);
    // libav* report failures through return codes, which turncast turns into
    // messages; their informational chatter (encoder statistics) is noise here.
    av_log_set_level(AV_LOG_ERROR);
    // One malloc arena for all threads: the encoding workers free each
    // segment's buffers before taking the next, and with an arena per thread
    // the freed memory stayed scattered (peak RSS for ten copies of the sample
    // 154 MiB against 114 with one arena). The workers allocate a few large
    // buffers per segment, so they do not contend on the arena's lock.
    mallopt(M_ARENA_MAX, 1);

    CLI::App app{"turncast: turns a speaker-labelled transcript into a chaptered audiobook "
                 "(Ogg Opus and M4A, captions, podcast metadata)"};
    app.set_version_flag("--version", TURNCAST_VERSION);
    app.require_subcommand(1);
    app.fallthrough();  // global options (-q) also after the subcommand
    cli::Globals globals;
    app.add_flag("-q,--quiet", globals.quiet, "No progress or notes on stderr");
    cli::add_render(app, globals);
    cli::add_plan(app, globals);
    cli::add_voices(app, globals);
    cli::add_audition(app, globals);
    cli::add_feed(app, globals);
    cli::add_cache(app, globals);
    cli::add_phonemes(app, globals);

    try {
        app.parse(argc, argv);
        return 0;
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);
        return rc == 0 ? 0 : int(ExitCode::Usage);
    } catch (const Error& e) {
        std::fprintf(stderr, "turncast: %s\n", cli::printable(e.what()).c_str());
        return int(e.code());
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "turncast: out of memory\n");
        return int(ExitCode::Io);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "turncast: internal error: %s (please report this)\n", e.what());
        return int(ExitCode::Internal);
    }
}
