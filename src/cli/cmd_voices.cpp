// `turncast voices`: the casting palette (voices/cast.toml or --cast FILE), and
// with --all the espeak-ng voices installed on this machine.
#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include <algorithm>
#include <cmath>
#include <thread>
#include <nlohmann/json.hpp>

#include "cast/cast.hpp"
#include "measure/palette.hpp"
#include "cli/commands.hpp"
#include "synth/synth.hpp"

namespace turncast::cli {

namespace {

// Same-sex voices closer than this in median pitch are hard to tell apart; a
// rate further than this from the cast file's is off (issue figures: 1.5, 8%).
constexpr double kApartSemitones = 1.5;
constexpr double kRateTolerancePercent = 8.0;

std::string roles_of(const cast::CastConfig& cfg, const std::string& id);

struct VoicesArgs {
    std::string cast_path;
    bool all = false;
    bool measure = false;
    bool derived = false;
    bool json = false;
};

// The voices to list or measure: the hand-made palette, and with --derived
// the derived voices too.
std::vector<Voice> chosen(const cast::CastConfig& cfg, bool derived) {
    std::vector<Voice> out;
    for (const auto& v : cfg.palette)
        if (derived || std::find(cfg.derived.begin(), cfg.derived.end(), v.id) == cfg.derived.end()) out.push_back(v);
    return out;
}

void run_measure(const VoicesArgs& a) {
    const auto cfg = cast::load_cast(a.cast_path.empty() ? cast::default_cast_path() : a.cast_path);
    synth::Engine engine;
    cast::check_espeak_voices(
        cfg, [&](const std::string& v) { return engine.has_voice(v); },
        [&](const std::string& v) { return engine.has_variant(v); });
    const auto voices = chosen(cfg, a.derived);
    const auto figures = measure::measure_voices(engine, voices, std::max(1, int(std::thread::hardware_concurrency())));
    const auto close = measure::close_pairs(voices, figures, kApartSemitones);
    if (a.json) {
        nlohmann::json j = nlohmann::json::array();
        for (std::size_t i = 0; i < voices.size(); ++i)
            j.push_back({{"id", voices[i].id},
                         {"median_pitch_hz", std::round(figures[i].median_hz * 10) / 10},
                         {"wpm", std::round(figures[i].wpm)},
                         {"configured_wpm", voices[i].rate},
                         {"clipped_samples", figures[i].clipped},
                         {"question_end_st_per_s", std::round(figures[i].question_slope * 10) / 10},
                         {"statement_end_st_per_s", std::round(figures[i].statement_slope * 10) / 10}});
        std::printf("%s\n", j.dump(2).c_str());
        return;
    }
    std::printf("Measured (%s): a %d-word passage, a question and a statement in each voice\n",
                cfg.source_path.c_str(), measure::passage_words());
    std::printf("  %-10s %-6s %9s %9s %7s %8s %10s %10s\n", "id", "sex", "pitch Hz", "wpm", "set", "clipped",
                "? end st/s", ". end st/s");
    for (std::size_t i = 0; i < voices.size(); ++i) {
        const auto& f = figures[i];
        const double drift = voices[i].rate > 0 ? 100.0 * (f.wpm - voices[i].rate) / voices[i].rate : 0;
        std::printf("  %-10s %-6s %9.1f %9.0f %7d %8zu %10.1f %10.1f%s%s\n", voices[i].id.c_str(),
                    voices[i].sex == Sex::Unstated ? "any" : to_string(voices[i].sex), f.median_hz, f.wpm,
                    voices[i].rate, f.clipped, f.question_slope, f.statement_slope,
                    std::fabs(drift) > kRateTolerancePercent ? fmt::format("  rate {:+.0f}%", drift).c_str() : "",
                    f.clipped ? "  CLIPS" : "");
    }
    for (const auto& c : close)
        std::printf("warning: %s and %s are %.1f semitones apart (under %.1f): hard to tell apart\n", c.a.c_str(),
                    c.b.c_str(), c.semitones, kApartSemitones);
}

void run_json(const VoicesArgs& a) {
    const auto cfg = cast::load_cast(a.cast_path.empty() ? cast::default_cast_path() : a.cast_path);
    nlohmann::json j = nlohmann::json::array();
    for (const auto& v : chosen(cfg, true))
        j.push_back({{"id", v.id},
                     {"espeak_voice", v.espeak_voice},
                     {"variant", v.variant},
                     {"sex", v.sex == Sex::Unstated ? "any" : to_string(v.sex)},
                     {"rate", v.rate},
                     {"pitch", v.pitch},
                     {"range", v.range},
                     {"gain_db", v.gain_db},
                     {"volume", v.volume},
                     {"question_tune", v.question_tune},
                     {"used_for", roles_of(cfg, v.id)}});
    std::printf("%s\n", j.dump(2).c_str());
}

// What the cast file uses a voice for: "narrator", "main", "questioners", …
std::string roles_of(const cast::CastConfig& cfg, const std::string& id) {
    std::vector<std::string> roles;
    if (cfg.narrator == id) roles.push_back("narrator");
    if (cfg.main == id) roles.push_back("main");
    for (const auto& q : cfg.questioners)
        if (q == id) roles.push_back("questioners");
    for (const auto& o : cfg.others)
        if (o == id) roles.push_back("others");
    for (const auto& d : cfg.derived)
        if (d == id) roles.push_back("derived");
    for (const auto& [name, voice] : cfg.overrides)
        if (voice == id) roles.push_back("\"" + name + "\"");
    std::string out;
    for (const auto& r : roles) out += (out.empty() ? "" : ", ") + r;
    return out.empty() ? "-" : out;
}

void run_voices(const VoicesArgs& a) {
    const auto cfg = cast::load_cast(a.cast_path.empty() ? cast::default_cast_path() : a.cast_path);

    std::unique_ptr<synth::Engine> engine;  // only with --all: the plain listing needs no library
    std::vector<std::pair<std::string, std::string>> listed;
    if (a.all) {
        engine = std::make_unique<synth::Engine>();
        listed = engine->list_voices();
    }

    std::printf("Palette (%s)\n", cfg.source_path.c_str());
    std::printf("  %-10s %-24s %-6s %5s %6s %6s %8s  %s\n", "id", "espeak voice+variant", "sex", "rate", "pitch",
                "range", "gain dB", "used for");
    for (const auto& v : cfg.palette) {
        const std::string spec = v.espeak_voice + (v.variant.empty() ? "" : "+" + v.variant);
        const bool missing = engine && !engine->has_voice(v.espeak_voice);
        const char* sex = v.sex == Sex::Unstated ? "any" : to_string(v.sex);
        std::printf("  %-10s %-24s %-6s %5d %6d %6d %8.1f  %s%s\n", v.id.c_str(), spec.c_str(), sex, v.rate,
                    v.pitch, v.range, v.gain_db, roles_of(cfg, v.id).c_str(),
                    missing ? "  (espeak voice not installed)" : "");
    }
    std::printf("\nAnnouncements: speakers %s, questions %s; stage directions %s\n",
                cfg.announce == cast::Announce::Never       ? "never"
                : cfg.announce == cast::Announce::FirstTime ? "the first time each talks"
                                                            : "at every change",
                cfg.announce_questions ? "numbered" : "not announced",
                cfg.narrate_stage_directions ? "read by the narrator" : "become a pause");
    std::printf("Pauses: paragraph %d ms, turn %d ms, chapter %d ms, stage direction %d ms\n",
                cfg.pauses.paragraph_ms, cfg.pauses.turn_ms, cfg.pauses.chapter_ms, cfg.pauses.stage_direction_ms);

    if (a.all) {
        std::printf("\nInstalled espeak-ng voices (%zu); any of them takes a variant: "
                    "m1..m8, f1..f5, klatt, klatt2..klatt6, …\n",
                    listed.size());
        std::printf("  %-28s %s\n", "espeak voice", "languages");
        for (const auto& [name, langs] : listed) std::printf("  %-28s %s\n", name.c_str(), langs.c_str());
    }
}

}  // namespace

void add_voices(CLI::App& app, Globals&) {
    auto a = std::make_shared<VoicesArgs>();
    auto* cmd = app.add_subcommand("voices", "List the casting palette (and with --all the installed espeak voices)");
    cmd->add_option("--cast", a->cast_path, "Cast file (default voices/cast.toml)");
    cmd->add_flag("--all", a->all, "Also list every espeak-ng voice installed");
    cmd->add_flag("--measure", a->measure,
                  "Speak a passage in each palette voice and print its measured median pitch, rate, clipping and "
                  "question intonation, with a warning for voices too close to tell apart");
    cmd->add_flag("--derived", a->derived, "With --measure: the derived voices too");
    cmd->add_flag("--json", a->json, "The palette (or with --measure the figures) as JSON, for other tools");
    cmd->callback([a] {
        if (a->measure) run_measure(*a);
        else if (a->json) run_json(*a);
        else run_voices(*a);
    });
}

}  // namespace turncast::cli
