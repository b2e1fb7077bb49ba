// `turncast phonemes [--voice ID] TEXT...`: what espeak-ng will say for each
// TEXT in a palette voice, after turncast's normaliser and lexicon, in
// `espeak-ng -x` notation. A producer checks a lexicon entry or a rule with
// it ("turncast phonemes Zelenskyy '$45 billion'").
#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "cast/cast.hpp"
#include "cli/commands.hpp"
#include "core/error.hpp"
#include "synth/synth.hpp"

namespace turncast::cli {

namespace {

struct PhonemesArgs {
    std::vector<std::string> texts;
    std::string voice, cast_path, lexicon_path;
    bool raw = false;
};

void run_phonemes(const PhonemesArgs& a) {
    const auto cfg = cast::load_cast(a.cast_path.empty() ? cast::default_cast_path() : a.cast_path);
    const std::string id = a.voice.empty() ? cfg.main : a.voice;
    const Voice* voice = cfg.voice(id);
    if (!voice) {
        std::string ids;
        for (const auto& v : cfg.palette) ids += (ids.empty() ? "" : ", ") + v.id;
        throw Error(ExitCode::Usage, "phonemes", fmt::format("no voice '{}' in {}", id, cfg.source_path),
                    "palette voices: " + ids);
    }
    const auto lex = cast::default_lexicon(a.lexicon_path);

    synth::Engine engine;
    cast::check_espeak_voices(cfg, [&](const std::string& v) { return v != voice->espeak_voice || engine.has_voice(v); });
    std::vector<std::string> spoken;
    for (const auto& t : a.texts) spoken.push_back(a.raw ? cast::neutralise_markup(t) : cast::speakable(t, lex));
    const auto said = engine.phonemes(spoken, *voice, "phonemes");
    for (std::size_t i = 0; i < said.size(); ++i) {
        // Clauses on one line, as the text was one line.
        std::string line = said[i];
        for (char& c : line)
            if (c == '\n') c = ' ';
        std::printf("%s\n", line.c_str());
    }
}

}  // namespace

void add_phonemes(CLI::App& app, Globals&) {
    auto a = std::make_shared<PhonemesArgs>();
    auto* cmd = app.add_subcommand("phonemes", "Print the phonemes espeak-ng says for each TEXT, after turncast's "
                                                "normaliser and lexicon (espeak-ng -x notation), one line per TEXT");
    cmd->add_option("text", a->texts, "Words to look up (\"Zelenskyy\", \"$45 billion\")")->required();
    cmd->add_option("--voice", a->voice, "Palette voice id (default: the main speaker's voice)");
    cmd->add_option("--cast", a->cast_path, "Cast file (default voices/cast.toml)");
    cmd->add_option("--lexicon", a->lexicon_path, "Extra pronunciation lexicon (TSV), applied over the default");
    cmd->add_flag("--raw", a->raw, "Skip turncast's normaliser and lexicon: espeak-ng's own reading");
    cmd->callback([a] { run_phonemes(*a); });
}

}  // namespace turncast::cli
