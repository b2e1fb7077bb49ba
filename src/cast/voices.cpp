// Step 2 of cast(): a voice for every speaker.
#include <algorithm>
#include <array>
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
namespace {

// One casting: the speakers, the palette as indices, and what each voice has
// been given to so far. assign_voices() runs it.
class Casting {
public:
    Casting(std::vector<Speaker>& speakers, std::size_t narrator, const std::vector<Planned>& plan,
            const std::vector<std::set<std::size_t>>& chapters, const CastConfig& cfg,
            std::vector<std::string>& warnings)
        : speakers_(speakers), narrator_(narrator), plan_(plan), chapters_(chapters), cfg_(cfg), warnings_(warnings),
          neighbours_(neighbours_in(plan, speakers.size())), n_(cfg.palette.size()), heard_in_(n_),
          in_use_(n_, 0), moderators_(n_, 0), givable_(n_, 0), picker_{std::vector<long>(n_, -1)}, avoid_(n_, 0) {
        for (std::size_t i = 0; i < n_; ++i) index_.emplace(cfg.palette[i].id, i);
        questioners_ = indices(cfg.questioners);
        others_ = indices(cfg.others);
        derived_ = indices(cfg.derived);
        everyone_.resize(n_);
        for (std::size_t i = 0; i < n_; ++i) everyone_[i] = i;
        main_voice_ = index_of(cfg.main);
        narrator_voice_ = index_of(cfg.narrator);
    }

    std::set<std::size_t> run() {
        fixed_voices();
        // How many pool and derived voices nobody has: at 0 (a 10,000-speaker
        // file) the search for one is skipped.
        for (const auto* pool : {&questioners_, &others_, &derived_})
            for (std::size_t v : *pool) givable_[v] = v != main_voice_ && v != narrator_voice_;
        free_left_ = static_cast<std::size_t>(std::count(givable_.begin(), givable_.end(), 1));
        for (std::size_t s = 0; s < speakers_.size(); ++s)
            if (!speakers_[s].voice.empty()) occupy(s);
        for (std::size_t i = 0; i < plan_.size(); ++i) {
            const std::size_t s = plan_[i].seg.speaker;
            if (speakers_[s].voice.empty()) {
                choose(s);
                occupy(s);
            }
            if (const std::size_t v = index_of(speakers_[s].voice); v != kNone)
                picker_.last_heard[v] = static_cast<long>(i);
        }
        for (std::size_t s = 0; s < speakers_.size(); ++s)  // speakers who never speak still get a voice
            if (speakers_[s].voice.empty()) {
                choose(s);
                occupy(s);
            }
        warn();
        return shared();
    }

private:
    std::size_t index_of(const std::string& id) const {
        auto it = index_.find(id);
        return it == index_.end() ? kNone : it->second;
    }
    std::vector<std::size_t> indices(const std::vector<std::string>& ids) const {
        std::vector<std::size_t> out;
        for (const auto& id : ids)
            if (index_of(id) != kNone) out.push_back(index_of(id));
        return out;
    }
    // A voice fits a speaker unless both say a sex and they differ.
    bool fits_index(std::size_t v, Sex want) const {
        return want == Sex::Unstated || v == kNone || cfg_.palette[v].sex == Sex::Unstated ||
               cfg_.palette[v].sex == want;
    }
    bool fits(const std::string& id, Sex want) const { return fits_index(index_of(id), want); }

    // Fixed voices first: overrides by name or id, the narrator, the first
    // main speaker. A main speaker whose title says otherwise than the main
    // voice sounds ("Ms. Psaki" against a male main voice) is cast like a
    // named speaker.
    void fixed_voices() {
        bool main_taken = false;
        overridden_.assign(speakers_.size(), false);
        for (std::size_t s = 0; s < speakers_.size(); ++s) {
            Speaker& sp = speakers_[s];
            sp.voice.clear();
            for (const auto& [name, voice] : cfg_.overrides)
                if (same_name(name, sp.name) || name == sp.id) sp.voice = voice;
            if (!sp.voice.empty()) {
                overridden_[s] = true;
                if (sp.role == SpeakerRole::Main) main_taken = true;
                continue;
            }
            if (s == narrator_) sp.voice = cfg_.narrator;
        }
        for (auto& sp : speakers_) {
            if (sp.voice.empty() && sp.role == SpeakerRole::Main && !main_taken && fits(cfg_.main, sp.sex)) {
                sp.voice = cfg_.main;
                main_taken = true;
            }
        }
    }

    // Speaker s has their voice: the chapters it is heard in, and whether a
    // moderator holds it.
    void occupy(std::size_t s) {
        const std::size_t v = index_of(speakers_[s].voice);
        if (v == kNone) return;
        if (!in_use_[v] && givable_[v]) --free_left_;
        in_use_[v] = 1;
        if (!chapters_.empty()) heard_in_[v].insert(chapters_[s].begin(), chapters_[s].end());
        if (speakers_[s].role == SpeakerRole::Moderator) moderators_[v] = 1;
    }

    // Would voice v be heard in one of speaker s's chapters, or is it a moderator's?
    bool clashes(std::size_t v, std::size_t s) const {
        if (moderators_[v]) return true;
        if (chapters_.empty() || heard_in_[v].empty()) return false;
        for (std::size_t c : chapters_[s])
            if (heard_in_[v].count(c)) return true;
        return false;
    }

    std::string choose(std::size_t s) {
        Speaker& sp = speakers_[s];
        std::fill(avoid_.begin(), avoid_.end(), 0);
        for (std::size_t nb : neighbours_[s])
            if (const std::size_t v = index_of(speakers_[nb].voice); v != kNone) avoid_[v] = 1;
        const bool asks = sp.role == SpeakerRole::Questioner;
        const std::array<const std::vector<std::size_t>*, 3> pools = {asks ? &questioners_ : &others_,
                                                                      asks ? &others_ : &questioners_, &derived_};
        // The main and narrator voices are reserved: a pool reaches for them only
        // when nothing else is free of the speaker's neighbours.
        auto reserved = [&](std::size_t v) { return avoid_[v] || v == main_voice_ || v == narrator_voice_; };
        // A speaker who reads as female or male gets a voice of that sex when
        // one is free of the rules; failing that, any voice by the same rules.
        const Sex want = sp.sex;
        auto chosen = [&](std::size_t v) { return sp.voice = cfg_.palette[v].id; };
        for (const bool by_sex : {true, false}) {
            if ((by_sex && want == Sex::Unstated) || free_left_ == 0) continue;
            for (const auto* pool : pools)
                if (std::size_t v = picker_.pick(*pool, [&](std::size_t x) {
                        return (by_sex && !fits_index(x, want)) || reserved(x) || in_use_[x];
                    });
                    v != kNone)
                    return chosen(v);
        }
        if (sp.role != SpeakerRole::Moderator) {
            for (const bool by_sex : {true, false}) {
                if (by_sex && want == Sex::Unstated) continue;
                for (const auto* pool : pools)
                    if (std::size_t v = picker_.pick(*pool, [&](std::size_t x) {
                            return (by_sex && !fits_index(x, want)) || reserved(x) || clashes(x, s);
                        });
                        v != kNone)
                        return chosen(v);
            }
        }
        // Last resort: any palette voice no neighbour has, one not heard in this
        // speaker's chapters first.
        if (std::size_t v = picker_.pick(everyone_, [&](std::size_t x) { return avoid_[x] || clashes(x, s); });
            v != kNone)
            return chosen(v);
        if (std::size_t v = picker_.pick(everyone_, [&](std::size_t x) { return avoid_[x] != 0; }); v != kNone)
            return chosen(v);
        warnings_.push_back(fmt::format("{} shares a voice with a neighbouring speaker: the palette has too few "
                                        "voices", sp.name));
        const std::size_t v = picker_.pick(*pools[0], [](std::size_t) { return false; });
        return sp.voice = v == kNone ? std::string() : cfg_.palette[v].id;
    }

    void warn() {
        for (std::size_t a = 0; a < speakers_.size(); ++a)
            for (std::size_t b : neighbours_[a])
                if (a < b && speakers_[a].voice == speakers_[b].voice)
                    warnings_.push_back(fmt::format("{} and {} speak one after the other in the same voice '{}'",
                                                    speakers_[a].name, speakers_[b].name, speakers_[a].voice));
        // A listener hears a woman's words in a man's voice or the other way round
        // only when the pools had nothing else to give (an override is the user's
        // own choice).
        for (std::size_t s = 0; s < speakers_.size(); ++s) {
            if (overridden_[s] || fits(speakers_[s].voice, speakers_[s].sex)) continue;
            const char* is = to_string(speakers_[s].sex);
            warnings_.push_back(fmt::format("{} reads as {} but speaks in voice '{}' of the other sex: the pools had "
                                            "no {} voice free; add one to the cast file or give {} an override",
                                            speakers_[s].name, is, speakers_[s].voice, is, speakers_[s].name));
        }
    }

    std::set<std::size_t> shared() const {
        std::map<std::string, std::vector<std::size_t>> by_voice;
        for (std::size_t s = 0; s < speakers_.size(); ++s)
            if (s != narrator_) by_voice[speakers_[s].voice].push_back(s);
        std::set<std::size_t> out;
        for (const auto& [voice, who] : by_voice)
            if (who.size() > 1) out.insert(who.begin(), who.end());
        return out;
    }

    std::vector<Speaker>& speakers_;
    const std::size_t narrator_;
    const std::vector<Planned>& plan_;
    const std::vector<std::set<std::size_t>>& chapters_;
    const CastConfig& cfg_;
    std::vector<std::string>& warnings_;
    const std::vector<std::set<std::size_t>> neighbours_;
    const std::size_t n_;
    std::unordered_map<std::string, std::size_t> index_;  // voice id → palette index
    std::vector<std::size_t> questioners_, others_, derived_, everyone_;
    std::size_t main_voice_ = kNone, narrator_voice_ = kNone;
    std::vector<bool> overridden_;
    std::vector<std::set<std::size_t>> heard_in_;  // the chapters each voice is heard in so far
    std::vector<char> in_use_, moderators_, givable_;
    std::size_t free_left_ = 0;
    VoicePicker picker_;
    std::vector<char> avoid_;  // the voices of the speaker being cast's neighbours
};

}  // namespace

std::set<std::size_t> assign_voices(std::vector<Speaker>& speakers, std::size_t narrator,
                                    const std::vector<Planned>& plan,
                                    const std::vector<std::set<std::size_t>>& chapters, const CastConfig& cfg,
                                    std::vector<std::string>& warnings) {
    return Casting(speakers, narrator, plan, chapters, cfg, warnings).run();
}

}  // namespace turncast::cast::detail
