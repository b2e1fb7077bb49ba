// voices/cast.toml → CastConfig. Every error names the file, the line (from
// toml++'s source regions) and the key, so a producer can fix it without code.
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "cast/cast.hpp"
#include "core/data.hpp"
#include "core/toml_file.hpp"
#include "core/error.hpp"

namespace turncast::cast {

namespace {

// Ranges espeak accepts (speak_lib.h: espeakRATE 80-450, PITCH/RANGE 0-100);
// gain is ours and only trims voices before loudness levelling.
constexpr int kRateMin = 80, kRateMax = 450;
constexpr double kGainMin = -20.0, kGainMax = 20.0;

class Reader {
public:
    explicit Reader(std::string path) : path_(std::move(path)) {}

    [[noreturn]] void fail(const toml::source_region& at, const std::string& what,
                           const std::string& hint = {}) const {
        throw ConfigError(path_, fmt::format("line {}: {}", at.begin.line, what), hint);
    }

    // Rejects keys this schema does not know: a typo must not be silently ignored.
    void only_keys(const toml::table& t, const std::string& where,
                   std::initializer_list<const char*> known) const {
        for (auto&& [k, v] : t) {
            bool ok = false;
            for (const char* name : known) ok = ok || k.str() == name;
            if (!ok)
                fail(k.source(), fmt::format("unknown key '{}{}'", where, k.str()),
                     fmt::format("known keys here: {}", join(known)));
        }
    }

    const toml::table* table(const toml::table& t, const char* key, const std::string& where) const {
        const toml::node* n = t.get(key);
        if (!n) return nullptr;
        if (!n->is_table()) fail(n->source(), fmt::format("'{}{}' must be a table", where, key));
        return n->as_table();
    }

    std::string string(const toml::table& t, const char* key, const std::string& where,
                       bool required, const toml::source_region& owner) const {
        const toml::node* n = t.get(key);
        if (!n) {
            if (required) fail(owner, fmt::format("missing key '{}{}'", where, key));
            return {};
        }
        if (!n->is_string()) fail(n->source(), fmt::format("'{}{}' must be a string", where, key));
        std::string s = **n->as_string();
        if (required && s.empty()) fail(n->source(), fmt::format("'{}{}' must not be empty", where, key));
        return s;
    }

    int integer(const toml::table& t, const char* key, const std::string& where, int fallback,
                long lo, long hi) const {
        const toml::node* n = t.get(key);
        if (!n) return fallback;
        if (!n->is_integer()) fail(n->source(), fmt::format("'{}{}' must be an integer", where, key));
        long v = static_cast<long>(**n->as_integer());
        if (v < lo || v > hi)
            fail(n->source(), fmt::format("'{}{}' = {} is out of range {}..{}", where, key, v, lo, hi));
        return static_cast<int>(v);
    }

    double real(const toml::table& t, const char* key, const std::string& where, double fallback,
                double lo, double hi) const {
        const toml::node* n = t.get(key);
        if (!n) return fallback;
        double v = 0;
        if (n->is_floating_point()) v = **n->as_floating_point();
        else if (n->is_integer()) v = double(**n->as_integer());
        else fail(n->source(), fmt::format("'{}{}' must be a number", where, key));
        if (!(v >= lo && v <= hi))
            fail(n->source(), fmt::format("'{}{}' = {} is out of range {}..{}", where, key, v, lo, hi));
        return v;
    }

    bool boolean(const toml::table& t, const char* key, const std::string& where, bool fallback) const {
        const toml::node* n = t.get(key);
        if (!n) return fallback;
        if (!n->is_boolean()) fail(n->source(), fmt::format("'{}{}' must be true or false", where, key));
        return **n->as_boolean();
    }

    std::vector<std::string> strings(const toml::table& t, const char* key, const std::string& where) const {
        std::vector<std::string> out;
        const toml::node* n = t.get(key);
        if (!n) return out;
        if (!n->is_array()) fail(n->source(), fmt::format("'{}{}' must be an array of voice ids", where, key));
        for (auto&& e : *n->as_array()) {
            if (!e.is_string()) fail(e.source(), fmt::format("'{}{}' must hold strings", where, key));
            out.push_back(**e.as_string());
        }
        return out;
    }

    const std::string& path() const { return path_; }

private:
    static std::string join(std::initializer_list<const char*> names) {
        std::string s;
        for (const char* n : names) s += (s.empty() ? "" : ", ") + std::string(n);
        return s;
    }
    std::string path_;
};

// espeak-ng's variants f1..f5 are female voices and m1..m8 male ones; the
// others (klatt, klatt2.., whisper, …) are not named for either.
Sex sex_of_variant(const std::string& variant) {
    if (variant.size() < 2 || (variant[0] != 'f' && variant[0] != 'm')) return Sex::Unstated;
    for (std::size_t i = 1; i < variant.size(); ++i)
        if (!std::isdigit(static_cast<unsigned char>(variant[i]))) return Sex::Unstated;
    return variant[0] == 'f' ? Sex::Female : Sex::Male;
}

Voice read_voice(const Reader& r, const toml::table& t, std::size_t index, const char* table = "voice") {
    const std::string where = fmt::format("{}[{}].", table, index + 1);
    r.only_keys(t, where,
                {"id", "espeak", "variant", "sex", "rate", "pitch", "range", "gain_db", "volume", "question_tune",
                 "description"});
    Voice v;
    v.id = r.string(t, "id", where, true, t.source());
    v.espeak_voice = r.string(t, "espeak", where, true, t.source());
    v.variant = r.string(t, "variant", where, false, t.source());
    v.rate = r.integer(t, "rate", where, v.rate, kRateMin, kRateMax);
    v.pitch = r.integer(t, "pitch", where, v.pitch, 0, 100);
    v.range = r.integer(t, "range", where, v.range, 0, 100);
    v.gain_db = r.real(t, "gain_db", where, v.gain_db, kGainMin, kGainMax);
    v.volume = r.integer(t, "volume", where, v.volume, 10, 200);
    v.sex = sex_of_variant(v.variant);
    if (const toml::node* n = t.get("question_tune")) {
        static const std::set<std::string> tunes = {"q1", "q1a", "q2", "q3", "q4", "q5", "q6", "espeak"};
        const std::string s = n->is_string() ? std::string(**n->as_string()) : std::string();
        if (!tunes.count(s))
            r.fail(n->source(), fmt::format("'{}question_tune' must name an espeak question tune", where),
                   "use q2 (the default: a question ends rising), another of espeak's (q1, q1a, q3..q6), "
                   "or \"espeak\" for the voice's own");
        v.question_tune = s;
    }
    if (const toml::node* n = t.get("sex")) {
        const std::string s = n->is_string() ? std::string(**n->as_string()) : std::string();
        if (s == "female") v.sex = Sex::Female;
        else if (s == "male") v.sex = Sex::Male;
        else if (s == "any") v.sex = Sex::Unstated;
        else
            r.fail(n->source(), fmt::format("'{}sex' must be \"female\", \"male\" or \"any\"", where),
                   "without it, the variant decides: f1..f5 female, m1..m8 male, others any");
    }
    // espeak names are plain words; anything else would be a different request.
    for (const std::string* s : {&v.espeak_voice, &v.variant})
        for (char c : *s)
            if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'))
                r.fail(t.source(), fmt::format("'{}' of voice '{}' holds '{}': espeak voice and variant "
                                               "names are letters, digits, '-' and '_'",
                                               s == &v.variant ? "variant" : "espeak", v.id, *s));
    return v;
}

Announce read_announce(const Reader& r, const toml::table& t, const char* key, Announce fallback) {
    const toml::node* n = t.get(key);
    if (!n) return fallback;
    const std::string s = n->is_string() ? std::string(**n->as_string()) : std::string();
    if (s == "never") return Announce::Never;
    if (s == "first") return Announce::FirstTime;
    if (s == "every") return Announce::EveryChange;
    r.fail(n->source(), fmt::format("'announce.{}' must be \"never\", \"first\" or \"every\"", key));
}

}  // namespace

std::string default_cast_path() { return data_file("cast.toml"); }

std::string default_lexicon_path() { return data_file("lexicon.tsv"); }

CastConfig load_cast(const std::string& path) {
    const toml::table root = parse_toml_file(path, "cast file", "the cast file must be valid TOML");

    Reader r(path);
    CastConfig cfg;
    cfg.source_path = path;
    r.only_keys(root, "", {"voice", "derived", "roles", "overrides", "pauses", "announce"});

    // [[voice]]: the palette, in file order.
    const toml::node* voices = root.get("voice");
    if (!voices) throw ConfigError(path, "no [[voice]] entries", "the palette needs at least two voices");
    if (!voices->is_array_of_tables())
        r.fail(voices->source(), "'voice' must be written as [[voice]] tables");
    std::size_t i = 0;
    for (auto&& node : *voices->as_array()) {
        const toml::table& t = *node.as_table();
        Voice v = read_voice(r, t, i++);
        if (cfg.voice_lines.count(v.id))
            r.fail(t.source(), fmt::format("voice id '{}' is defined twice (first on line {})", v.id,
                                           cfg.voice_lines[v.id]));
        cfg.voice_lines[v.id] = static_cast<int>(t.source().begin.line);
        cfg.palette.push_back(std::move(v));
    }

    // [[derived]]: further voices, after the palette's own, for events with more
    // people than the pools hold. Same keys as [[voice]].
    if (const toml::node* derived = root.get("derived")) {
        if (!derived->is_array_of_tables())
            r.fail(derived->source(), "'derived' must be written as [[derived]] tables");
        std::size_t k = 0;
        for (auto&& node : *derived->as_array()) {
            const toml::table& t = *node.as_table();
            Voice v = read_voice(r, t, k++, "derived");
            if (cfg.voice_lines.count(v.id))
                r.fail(t.source(), fmt::format("voice id '{}' is defined twice (first on line {})", v.id,
                                               cfg.voice_lines[v.id]));
            cfg.voice_lines[v.id] = static_cast<int>(t.source().begin.line);
            cfg.derived.push_back(v.id);
            cfg.palette.push_back(std::move(v));
        }
    }

    auto check_id = [&](const toml::node& at, const std::string& id, const std::string& key) {
        if (!cfg.voice_lines.count(id))
            r.fail(at.source(), fmt::format("'{}' names voice '{}', which no [[voice]] defines", key, id),
                   "add a [[voice]] with that id or use one of the palette's ids");
    };

    // [roles]
    const toml::table* roles = r.table(root, "roles", "");
    if (!roles) throw ConfigError(path, "missing table [roles]", "name the narrator, main and questioner voices");
    r.only_keys(*roles, "roles.", {"narrator", "main", "questioners", "others"});
    cfg.narrator = r.string(*roles, "narrator", "roles.", true, roles->source());
    check_id(*roles->get("narrator"), cfg.narrator, "roles.narrator");
    cfg.main = r.string(*roles, "main", "roles.", true, roles->source());
    check_id(*roles->get("main"), cfg.main, "roles.main");
    cfg.questioners = r.strings(*roles, "questioners", "roles.");
    cfg.others = r.strings(*roles, "others", "roles.");
    for (const char* key : {"questioners", "others"})
        if (const toml::node* n = roles->get(key))
            for (auto&& e : *n->as_array()) check_id(e, **e.as_string(), std::string("roles.") + key);
    if (cfg.questioners.empty() && cfg.others.empty())
        r.fail(roles->source(), "'roles.questioners' and 'roles.others' are both empty",
               "list at least one voice id for questioners or others");
    if (cfg.questioners.empty()) cfg.questioners = cfg.others;
    if (cfg.others.empty()) cfg.others = cfg.questioners;

    // [overrides]: speaker name (or id) → voice id
    if (const toml::table* ov = r.table(root, "overrides", "")) {
        for (auto&& [k, v] : *ov) {
            const std::string key = "overrides.\"" + std::string(k.str()) + "\"";
            if (!v.is_string()) r.fail(v.source(), fmt::format("'{}' must be a voice id string", key));
            check_id(v, **v.as_string(), key);
            cfg.overrides[std::string(k.str())] = **v.as_string();
        }
    }

    // [pauses] in milliseconds
    if (const toml::table* p = r.table(root, "pauses", "")) {
        r.only_keys(*p, "pauses.", {"paragraph_ms", "turn_ms", "chapter_ms", "stage_direction_ms"});
        cfg.pauses.paragraph_ms = r.integer(*p, "paragraph_ms", "pauses.", cfg.pauses.paragraph_ms, 0, 10000);
        cfg.pauses.turn_ms = r.integer(*p, "turn_ms", "pauses.", cfg.pauses.turn_ms, 0, 10000);
        cfg.pauses.chapter_ms = r.integer(*p, "chapter_ms", "pauses.", cfg.pauses.chapter_ms, 0, 20000);
        cfg.pauses.stage_direction_ms =
            r.integer(*p, "stage_direction_ms", "pauses.", cfg.pauses.stage_direction_ms, 0, 10000);
    }

    // [announce]
    if (const toml::table* a = r.table(root, "announce", "")) {
        r.only_keys(*a, "announce.", {"speakers", "questions", "stage_directions"});
        cfg.announce = read_announce(r, *a, "speakers", cfg.announce);
        cfg.announce_questions = r.boolean(*a, "questions", "announce.", cfg.announce_questions);
        cfg.narrate_stage_directions =
            r.boolean(*a, "stage_directions", "announce.", cfg.narrate_stage_directions);
    }
    return cfg;
}

std::vector<std::string> espeak_voices_used(const CastConfig& cfg) {
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (const auto& v : cfg.palette)
        if (seen.insert(v.espeak_voice).second) out.push_back(v.espeak_voice);
    return out;
}

void check_espeak_voices(const CastConfig& cfg, const std::function<bool(const std::string&)>& has_voice,
                         const std::function<bool(const std::string&)>& has_variant) {
    for (const auto& v : cfg.palette) {
        const bool voice_ok = has_voice(v.espeak_voice);
        const bool variant_ok = voice_ok && (v.variant.empty() || !has_variant || has_variant(v.variant));
        if (voice_ok && variant_ok) continue;
        auto it = cfg.voice_lines.find(v.id);
        std::string at = it == cfg.voice_lines.end() ? "" : fmt::format("line {}: ", it->second);
        if (!voice_ok)
            throw ConfigError(cfg.source_path,
                              fmt::format("{}key 'espeak' of voice '{}': espeak-ng has no voice '{}'", at, v.id,
                                          v.espeak_voice),
                              "`turncast voices --all` lists the installed espeak voices");
        throw ConfigError(cfg.source_path,
                          fmt::format("{}key 'variant' of voice '{}': espeak-ng has no variant '{}'", at, v.id,
                                      v.variant),
                          "`espeak-ng --voices=variant` lists the installed variants");
    }
}

}  // namespace turncast::cast
