// `turncast plan`: what would be spoken, by whom, in which chapter — as a
// readable table, or as JSON (a stable schema documented in README.md).
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cast/cast.hpp"
#include "cli/commands.hpp"
#include "render/render.hpp"
#include "synth/synth.hpp"

namespace turncast::cli {

namespace {

struct PlanArgs {
    std::string transcript;
    bool json = false;
    bool show_dropped = false;
    bool unknown_words = false;
    std::string cast_path, lexicon_path;
};

// The transcript's names that espeak would guess from their spelling: neither
// its dictionary nor turncast's lexicon and reading rules know them.
struct Unknown {
    cast::NameUse use;
    std::string phonemes;
};

std::vector<Unknown> unknown_words(const render::Plan& plan, const std::string& lexicon_path,
                                   synth::Engine& engine) {
    const auto names =
        cast::transcript_names(plan.doc, cast::default_lexicon(lexicon_path), cast::load_ordinary_words());
    const Voice* main = plan.cast.voice(plan.cast.main);
    if (names.empty() || !main) return {};
    std::vector<std::string> words;
    for (const auto& n : names) words.push_back(n.word);
    const auto found = engine.lookup(words, *main);
    std::vector<Unknown> out;
    for (std::size_t i = 0; i < names.size(); ++i)
        if (found[i].guessed) out.push_back({names[i], found[i].phonemes});
    return out;
}

std::string turn_text(const render::Plan& plan, const Turn& t) {
    std::string out;
    for (auto p : t.paragraphs) {
        const auto& para = plan.doc.paragraphs[p];
        if (para.stage_direction) continue;
        if (!out.empty()) out += "\n";
        out += para.text;
    }
    return out;
}

std::size_t word_count(const std::string& s) {
    std::size_t n = 0;
    bool in_word = false;
    for (unsigned char c : s) {
        bool space = c == ' ' || c == '\n' || c == '\t';
        if (!space && !in_word) ++n;
        in_word = !space;
    }
    return n;
}

std::size_t chapter_of(const Script& s, std::size_t turn) {
    std::size_t ch = 0;
    for (std::size_t i = 0; i < s.chapters.size(); ++i)
        if (s.chapters[i].first_turn <= turn) ch = i;
    return ch;
}

nlohmann::json plan_json(const render::Plan& plan, bool show_dropped) {
    const auto& s = plan.script;
    nlohmann::json j;
    j["title"] = s.meta.title;
    j["date"] = s.meta.date;
    j["time"] = s.meta.time;
    j["place"] = s.meta.place;
    j["zone"] = s.meta.zone;
    auto& speakers = j["speakers"] = nlohmann::json::array();
    for (const auto& sp : s.speakers) {
        const nlohmann::json sex = sp.sex == Sex::Unstated ? nlohmann::json(nullptr) : to_string(sp.sex);
        // The sex of the voice actually cast: a listener hears this one.
        const Voice* v = s.find_voice(sp.voice);
        const char* voice_sex = v && v->sex != Sex::Unstated ? to_string(v->sex) : "any";
        speakers.push_back({{"id", sp.id},
                            {"name", sp.name},
                            {"role", to_string(sp.role)},
                            {"voice", sp.voice},
                            {"sex", sex},
                            {"sex_evidence", sp.sex_evidence},
                            {"voice_sex", voice_sex},
                            {"affiliation", sp.affiliation}});
    }
    auto& turns = j["turns"] = nlohmann::json::array();
    for (std::size_t t = 0; t < s.turns.size(); ++t) {
        auto text = turn_text(plan, s.turns[t]);
        turns.push_back({{"speaker", s.speakers.at(s.turns[t].speaker).id},
                         {"kind", to_string(s.turns[t].kind)},
                         {"text", text},
                         {"words", word_count(text)},
                         {"chapter", chapter_of(s, t)},
                         {"line", s.turns[t].pos.line}});
    }
    auto& chapters = j["chapters"] = nlohmann::json::array();
    for (const auto& c : s.chapters) chapters.push_back({{"title", c.title}, {"first_turn", c.first_turn}});
    auto warnings = plan.doc.warnings;
    warnings.insert(warnings.end(), plan.segmentation.warnings.begin(), plan.segmentation.warnings.end());
    warnings.insert(warnings.end(), s.warnings.begin(), s.warnings.end());
    j["warnings"] = warnings;
    if (show_dropped) {
        auto& dropped = j["dropped"] = nlohmann::json::array();
        for (const auto& d : plan.doc.dropped)
            dropped.push_back({{"line", d.pos.line}, {"byte", d.pos.byte}, {"text", d.text}, {"reason", d.reason}});
    }
    return j;
}

std::string shorten(const std::string& s, std::size_t max_chars) {
    // Cut at a UTF-8 character boundary.
    std::size_t chars = 0, i = 0;
    for (; i < s.size(); ++i) {
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
            if (chars == max_chars) return s.substr(0, i) + "…";
            ++chars;
        }
    }
    return s;
}

void print_table(const render::Plan& plan, bool show_dropped) {
    const auto& s = plan.script;
    std::printf("%s\n", s.meta.title.c_str());
    std::printf("date %s  time %s  zone %s  place %s\n\n", s.meta.date.empty() ? "-" : s.meta.date.c_str(),
                s.meta.time.empty() ? "-" : s.meta.time.c_str(), s.meta.zone.empty() ? "-" : s.meta.zone.c_str(),
                s.meta.place.empty() ? "-" : s.meta.place.c_str());
    std::printf("Speakers\n");
    for (const auto& sp : s.speakers) {
        const Voice* v = s.find_voice(sp.voice);
        const char* sex = sp.sex == Sex::Unstated ? "-" : to_string(sp.sex);
        std::printf("  %-24s %-11s %-6s voice %-10s %s\n", sp.name.c_str(), to_string(sp.role), sex, sp.voice.c_str(),
                    v ? fmt::format("({}{}{}, {} wpm, pitch {})", v->espeak_voice, v->variant.empty() ? "" : "+",
                                    v->variant, v->rate, v->pitch).c_str()
                      : "");
    }
    std::size_t chapter = SIZE_MAX;
    for (std::size_t t = 0; t < s.turns.size(); ++t) {
        auto ch = chapter_of(s, t);
        if (ch != chapter) {
            chapter = ch;
            std::printf("\nChapter %zu: %s\n", ch + 1, s.chapters.empty() ? "" : s.chapters[ch].title.c_str());
        }
        const auto& sp = s.speakers.at(s.turns[t].speaker);
        auto text = turn_text(plan, s.turns[t]);
        std::printf("  %4d  %-20s %-9s %5zu words  %s\n", s.turns[t].pos.line, shorten(sp.name, 20).c_str(),
                    to_string(s.turns[t].kind), word_count(text), shorten(text, 60).c_str());
    }
    auto j = plan_json(plan, false);
    for (const auto& w : j["warnings"]) std::printf("\nwarning: %s", w.get<std::string>().c_str());
    if (show_dropped) {
        std::printf("\nDropped (not spoken)\n");
        for (const auto& d : plan.doc.dropped)
            std::printf("  line %4d  %-28s %s\n", d.pos.line, d.reason.c_str(), shorten(d.text, 60).c_str());
    }
}

}  // namespace

void add_plan(CLI::App& app, Globals&) {
    auto a = std::make_shared<PlanArgs>();
    auto* cmd = app.add_subcommand("plan", "Show what would be spoken, by which voice, in which chapter");
    cmd->add_option("transcript", a->transcript, "Transcript file (UTF-8 text)")->required();
    cmd->add_flag("--json", a->json, "Print the plan as JSON (schema in README.md)");
    cmd->add_flag("--show-dropped", a->show_dropped, "Also list the text that will not be spoken, and why");
    cmd->add_option("--cast", a->cast_path, "Cast file (default voices/cast.toml)");
    cmd->add_option("--lexicon", a->lexicon_path, "Extra pronunciation lexicon (TSV)");
    cmd->add_flag("--unknown-words", a->unknown_words,
                  "Also list the names espeak-ng would guess from their spelling (neither its dictionary nor the "
                  "lexicons know them), most frequent first");
    cmd->callback([a] {
        render::PlanOptions po;
        po.cast_path = a->cast_path;
        po.lexicon_path = a->lexicon_path;
        auto plan = render::make_plan(a->transcript, po);
        // The cast file is checked as render checks it: every voice installed.
        synth::Engine engine;
        cast::check_espeak_voices(
            plan.cast, [&](const std::string& v) { return engine.has_voice(v); },
            [&](const std::string& v) { return engine.has_variant(v); });
        std::vector<Unknown> unknown;
        if (a->unknown_words) unknown = unknown_words(plan, a->lexicon_path, engine);
        if (a->json) {
            auto j = plan_json(plan, a->show_dropped);
            if (a->unknown_words) {
                j["unknown_words"] = nlohmann::json::array();
                for (const auto& u : unknown)
                    j["unknown_words"].push_back(
                        {{"word", u.use.word}, {"count", u.use.count}, {"line", u.use.line}, {"phonemes", u.phonemes}});
            }
            std::printf("%s\n", j.dump(2).c_str());
            return;
        }
        print_table(plan, a->show_dropped);
        if (a->unknown_words) {
            std::printf("\nWords espeak-ng will guess (%zu; add the ones it says wrong to a lexicon, check with "
                        "`turncast phonemes`)\n  %5s  %-24s %6s  %s\n",
                        unknown.size(), "count", "word", "line", "guessed phonemes");
            for (const auto& u : unknown)
                std::printf("  %5d  %-24s %6d  %s\n", u.use.count, u.use.word.c_str(), u.use.line, u.phonemes.c_str());
        }
    });
}

}  // namespace turncast::cli
