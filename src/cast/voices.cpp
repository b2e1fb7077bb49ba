// Step 2 of cast(): a voice for every speaker.
#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include <fmt/format.h>

#include "cast/cast.hpp"
#include "cast/steps.hpp"
#include "cast/text.hpp"

namespace turncast::cast::detail {

// Voices by their index in CastConfig::palette: a 10,000-speaker file asks
// "who has heard this voice where" millions of times.
struct VoicePicker {
    std::vector<long> last_heard;  // position in the plan each voice was last heard; -1: never

    // The least recently heard voice of `pool` that `excluded` lets through; kNone if none.
    template <typename Excluded>
    std::size_t pick(const std::vector<std::size_t>& pool, Excluded excluded) const {
        std::size_t best = kNone;
        long best_at = std::numeric_limits<long>::max();
        for (std::size_t v : pool) {
            if (excluded(v)) continue;
            if (last_heard[v] < best_at) best = v, best_at = last_heard[v];
        }
        return best;
    }
};


// Who is heard next to whom: speakers one after the other in the plan
// (narrator lines count as a speaker), and speakers with only narrator lines
// between them (an announcement does not make two voices easier to tell apart).
std::vector<std::set<std::size_t>> neighbours_in(const std::vector<Planned>& plan, std::size_t speakers) {
    std::vector<std::set<std::size_t>> neighbours(speakers);
    auto meet = [&](std::size_t a, std::size_t b) {
        if (a != b) neighbours[a].insert(b), neighbours[b].insert(a);
    };
    std::size_t last_speech = kNone;
    for (std::size_t i = 0; i < plan.size(); ++i) {
        if (i > 0) meet(plan[i - 1].seg.speaker, plan[i].seg.speaker);
        if (plan[i].seg.narration) continue;
        if (last_speech != kNone) meet(last_speech, plan[i].seg.speaker);
        last_speech = plan[i].seg.speaker;
    }
    return neighbours;
}

// Gives every speaker a voice and returns the speakers who share theirs with
// another speaker. `chapters`: the chapters each speaker is heard in (empty
// before chapters are planned). The rules, in order:
//   - overrides, the narrator's voice, the main voice for the first main speaker;
//   - never a neighbour's voice (neighbours_in);
//   - a voice nobody has yet, of the speaker's sex first: their own pool, the
//     other pool, then the cast file's derived voices;
//   - only when all are taken, the least recently heard voice of someone heard
//     in none of this speaker's chapters — never a moderator's, and a moderator
//     never takes one (they need a voice the listener learns as theirs).
std::set<std::size_t> assign_voices(std::vector<Speaker>& speakers, std::size_t narrator,
                                    const std::vector<Planned>& plan,
                                    const std::vector<std::set<std::size_t>>& chapters, const CastConfig& cfg,
                                    std::vector<std::string>& warnings) {
    const std::vector<std::set<std::size_t>> neighbours = neighbours_in(plan, speakers.size());

    // Fixed voices first: overrides by name or id, the narrator, the first main speaker.
    bool main_taken = false;
    std::vector<bool> overridden(speakers.size(), false);
    for (std::size_t s = 0; s < speakers.size(); ++s) {
        Speaker& sp = speakers[s];
        sp.voice.clear();
        for (const auto& [name, voice] : cfg.overrides)
            if (same_name(name, sp.name) || name == sp.id) sp.voice = voice;
        if (!sp.voice.empty()) {
            overridden[s] = true;
            if (sp.role == SpeakerRole::Main) main_taken = true;
            continue;
        }
        if (s == narrator) sp.voice = cfg.narrator;
    }
    // Voice ids ↔ palette indices; every choice below works on indices.
    const std::size_t n = cfg.palette.size();
    std::unordered_map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < n; ++i) index.emplace(cfg.palette[i].id, i);
    auto index_of = [&](const std::string& id) {
        auto it = index.find(id);
        return it == index.end() ? kNone : it->second;
    };
    auto indices = [&](const std::vector<std::string>& ids) {
        std::vector<std::size_t> out;
        for (const auto& id : ids)
            if (index_of(id) != kNone) out.push_back(index_of(id));
        return out;
    };
    const std::vector<std::size_t> questioners = indices(cfg.questioners), others = indices(cfg.others),
                                   derived = indices(cfg.derived);
    std::vector<std::size_t> everyone(n);
    for (std::size_t i = 0; i < n; ++i) everyone[i] = i;
    const std::size_t main_voice = index_of(cfg.main), narrator_voice = index_of(cfg.narrator);

    // A voice fits a speaker unless both say a sex and they differ.
    auto fits_index = [&](std::size_t v, Sex want) {
        return want == Sex::Unstated || v == kNone || cfg.palette[v].sex == Sex::Unstated ||
               cfg.palette[v].sex == want;
    };
    auto fits = [&](const std::string& id, Sex want) { return fits_index(index_of(id), want); };
    // A main speaker whose title says otherwise than the main voice sounds
    // ("Ms. Psaki" against a male main voice) is cast like a named speaker below.
    for (std::size_t s = 0; s < speakers.size(); ++s) {
        Speaker& sp = speakers[s];
        if (sp.voice.empty() && sp.role == SpeakerRole::Main && !main_taken && fits(cfg.main, sp.sex)) {
            sp.voice = cfg.main;
            main_taken = true;
        }
    }

    // The chapters each voice is heard in so far, which voices somebody has,
    // and which a moderator holds.
    std::vector<std::set<std::size_t>> heard_in(n);
    std::vector<char> in_use(n, 0), moderators(n, 0), givable(n, 0);
    // How many pool and derived voices nobody has: at 0 (a 10,000-speaker
    // file) the search for one is skipped.
    for (const auto* pool : {&questioners, &others, &derived})
        for (std::size_t v : *pool) givable[v] = v != main_voice && v != narrator_voice;
    std::size_t free_left = static_cast<std::size_t>(std::count(givable.begin(), givable.end(), 1));
    auto occupy = [&](std::size_t s) {
        const std::size_t v = index_of(speakers[s].voice);
        if (v == kNone) return;
        if (!in_use[v] && givable[v]) --free_left;
        in_use[v] = 1;
        if (!chapters.empty()) heard_in[v].insert(chapters[s].begin(), chapters[s].end());
        if (speakers[s].role == SpeakerRole::Moderator) moderators[v] = 1;
    };
    for (std::size_t s = 0; s < speakers.size(); ++s)
        if (!speakers[s].voice.empty()) occupy(s);
    // Would voice v be heard in one of speaker s's chapters, or is it a moderator's?
    auto clashes = [&](std::size_t v, std::size_t s) {
        if (moderators[v]) return true;
        if (chapters.empty() || heard_in[v].empty()) return false;
        for (std::size_t c : chapters[s])
            if (heard_in[v].count(c)) return true;
        return false;
    };

    VoicePicker picker{std::vector<long>(n, -1)};
    std::vector<char> avoid(n, 0);  // the voices of the speaker being cast's neighbours

    auto choose = [&](std::size_t s) -> std::string {
        Speaker& sp = speakers[s];
        std::fill(avoid.begin(), avoid.end(), 0);
        for (std::size_t nb : neighbours[s])
            if (const std::size_t v = index_of(speakers[nb].voice); v != kNone) avoid[v] = 1;
        const bool asks = sp.role == SpeakerRole::Questioner;
        const std::array<const std::vector<std::size_t>*, 3> pools = {asks ? &questioners : &others,
                                                                      asks ? &others : &questioners, &derived};
        // The main and narrator voices are reserved: a pool reaches for them only
        // when nothing else is free of the speaker's neighbours.
        auto reserved = [&](std::size_t v) { return avoid[v] || v == main_voice || v == narrator_voice; };
        // A speaker who reads as female or male gets a voice of that sex when
        // one is free of the rules; failing that, any voice by the same rules.
        const Sex want = sp.sex;
        auto chosen = [&](std::size_t v) { return sp.voice = cfg.palette[v].id; };
        for (const bool by_sex : {true, false}) {
            if ((by_sex && want == Sex::Unstated) || free_left == 0) continue;
            for (const auto* pool : pools)
                if (std::size_t v = picker.pick(*pool, [&](std::size_t x) {
                        return (by_sex && !fits_index(x, want)) || reserved(x) || in_use[x];
                    });
                    v != kNone)
                    return chosen(v);
        }
        if (sp.role != SpeakerRole::Moderator) {
            for (const bool by_sex : {true, false}) {
                if (by_sex && want == Sex::Unstated) continue;
                for (const auto* pool : pools)
                    if (std::size_t v = picker.pick(*pool, [&](std::size_t x) {
                            return (by_sex && !fits_index(x, want)) || reserved(x) || clashes(x, s);
                        });
                        v != kNone)
                        return chosen(v);
            }
        }
        // Last resort: any palette voice no neighbour has, one not heard in this
        // speaker's chapters first.
        if (std::size_t v = picker.pick(everyone, [&](std::size_t x) { return avoid[x] || clashes(x, s); });
            v != kNone)
            return chosen(v);
        if (std::size_t v = picker.pick(everyone, [&](std::size_t x) { return avoid[x] != 0; }); v != kNone)
            return chosen(v);
        warnings.push_back(fmt::format("{} shares a voice with a neighbouring speaker: the palette has too few "
                                       "voices", sp.name));
        const std::size_t v = picker.pick(*pools[0], [](std::size_t) { return false; });
        return sp.voice = v == kNone ? std::string() : cfg.palette[v].id;
    };

    for (std::size_t i = 0; i < plan.size(); ++i) {
        const std::size_t s = plan[i].seg.speaker;
        if (speakers[s].voice.empty()) {
            choose(s);
            occupy(s);
        }
        if (const std::size_t v = index_of(speakers[s].voice); v != kNone) picker.last_heard[v] = static_cast<long>(i);
    }
    for (std::size_t s = 0; s < speakers.size(); ++s)  // speakers who never speak still get a voice
        if (speakers[s].voice.empty()) {
            choose(s);
            occupy(s);
        }

    for (std::size_t a = 0; a < speakers.size(); ++a)
        for (std::size_t b : neighbours[a])
            if (a < b && speakers[a].voice == speakers[b].voice)
                warnings.push_back(fmt::format("{} and {} speak one after the other in the same voice '{}'",
                                               speakers[a].name, speakers[b].name, speakers[a].voice));
    // A listener hears a woman's words in a man's voice or the other way round
    // only when the pools had nothing else to give (an override is the user's
    // own choice).
    for (std::size_t s = 0; s < speakers.size(); ++s) {
        if (overridden[s] || fits(speakers[s].voice, speakers[s].sex)) continue;
        const char* is = to_string(speakers[s].sex);
        warnings.push_back(fmt::format("{} reads as {} but speaks in voice '{}' of the other sex: the pools had no {} "
                                       "voice free; add one to the cast file or give {} an override",
                                       speakers[s].name, is, speakers[s].voice, is, speakers[s].name));
    }

    std::map<std::string, std::vector<std::size_t>> by_voice;
    for (std::size_t s = 0; s < speakers.size(); ++s)
        if (s != narrator) by_voice[speakers[s].voice].push_back(s);
    std::set<std::size_t> shared;
    for (const auto& [voice, who] : by_voice)
        if (who.size() > 1) shared.insert(who.begin(), who.end());
    return shared;
}

}  // namespace turncast::cast::detail
