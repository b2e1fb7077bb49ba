// `turncast voices`: the casting palette (voices/cast.toml or --cast FILE), and
// with --all the espeak-ng voices installed on this machine.
#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "cast/cast.hpp"
#include "cli/commands.hpp"
#include "synth/synth.hpp"

namespace turncast::cli {

namespace {

struct VoicesArgs {
    std::string cast_path;
    bool all = false;
};

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
    cmd->callback([a] { run_voices(*a); });
}

}  // namespace turncast::cli
