// Segmentation → Script in four steps, each a small function:
//   1. lay out the spoken sequence: intro, announcements, paragraphs, stage directions;
//   2. give every speaker a voice (neighbours in the sequence, and people of one
//      chapter, never share one);
//   3. plan chapters (by question, by moderator question, or by length) — and
//      steps 1-3 again until voices and chapters agree (cast());
//   4. set the pause before every segment.
#include <algorithm>
#include <cstring>
#include <array>
#include <cstdint>
#include <cctype>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include <fmt/format.h>

#include "cast/cast.hpp"
#include "cast/text.hpp"

namespace turncast::cast {

namespace {

constexpr int kTitleWords = 8;
// Chapters by length: a break at a paragraph once a chapter has run this long…
constexpr double kMinChapterS = 5 * 60, kTargetChapterS = 7.5 * 60, kMaxChapterS = 10 * 60;
// …unless what is left would make a stub chapter.
constexpr double kMinTailS = 2 * 60;
// Debate: a moderator's question opens a chapter after at least this much.
constexpr double kMinDebateChapterS = 60;

constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
// Casting and chapter planning depend on each other; they settle within a few rounds.
constexpr int kCastingRounds = 4;

// A segment being planned, with what the later steps need to know about it.
struct Planned {
    Segment seg;
    std::string display;  // the words as written (for chapter titles)
    int extra_pause_ms = 0;
    int words = 0;
    bool continues = false;  // the rest of a paragraph too long for one segment
};

// A paragraph longer than kMaxSegmentChars is spoken as several segments,
// split after a sentence (else a clause, else a space) near the limit: the
// memory a segment's synthesis and mastering take grows with its length
// (one 46 KB paragraph, 54 minutes of speech, took 1.1 GB in one piece).
std::vector<std::string_view> split_long(std::string_view text) {
    std::vector<std::string_view> out;
    while (text.size() > kMaxSegmentChars) {
        std::size_t cut = std::string_view::npos;
        for (const char* ends : {".!?", ";:,", " "}) {
            for (std::size_t k = kMaxSegmentChars; k > kMaxSegmentChars / 2; --k)
                if (std::strchr(ends, text[k - 1]) && (k == text.size() || text[k] == ' ')) {
                    cut = k;
                    break;
                }
            if (cut != std::string_view::npos) break;
        }
        if (cut == std::string_view::npos) {
            cut = kMaxSegmentChars;  // one enormous "word": cut at a character boundary
            while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
        }
        out.push_back(text.substr(0, cut));
        text.remove_prefix(cut);
        while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    }
    if (!text.empty()) out.push_back(text);
    return out;
}

std::string collapse_spaces(const std::string& s) {
    std::string out;
    bool space = false;
    for (char c : s) {
        if (std::isspace(static_cast<unsigned char>(c))) {
            space = true;
            continue;
        }
        if (space && !out.empty()) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

bool has_word(const std::string& s) {
    for (std::size_t i = 0; i < s.size(); i += text::char_len(s, i))
        if (text::is_word_at(s, i)) return true;
    return false;
}


// "(Laughter.)" → "Laughter."
std::string stage_words(const std::string& raw) {
    std::string s = text::trim(raw);
    while (s.size() >= 2 && ((s.front() == '(' && s.back() == ')') || (s.front() == '[' && s.back() == ']') ||
                             (s.front() == '<' && s.back() == '>')))
        s = text::trim(s.substr(1, s.size() - 2));
    if (!s.empty() && s.back() != '.' && s.back() != '!' && s.back() != '?') s += '.';
    return s;
}

std::string sentence(std::string s) {
    s = text::trim(s);
    if (!s.empty() && s.back() != '.' && s.back() != '!' && s.back() != '?') s += '.';
    return s;
}

const char* const kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                               "July",    "August",   "September", "October", "November", "December"};

std::string spoken_date(const std::string& iso) {
    // "2021-08-30" → "30 August 2021"; anything else as given.
    if (iso.size() != 10 || iso[4] != '-' || iso[7] != '-') return iso;
    int y = 0, m = 0, d = 0;
    if (std::sscanf(iso.c_str(), "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
        return iso;
    return fmt::format("{} {} {}", d, kMonths[m - 1], y);
}

bool looks_like_date_part(const std::string& part) {
    bool digits_only = !part.empty();
    for (char c : part) digits_only = digits_only && (std::isdigit(static_cast<unsigned char>(c)) || c == ' ');
    if (digits_only) return true;
    for (const char* m : kMonths)
        if (part.find(m) != std::string::npos) return true;
    return false;
}

// 64-bit: a 200,000-word turn at 60,000 ms/min overflows an int.
std::int64_t ms_for_words(std::int64_t words, int rate_wpm) { return rate_wpm > 0 ? words * 60000 / rate_wpm : 0; }

// ---- step 1: the spoken sequence -------------------------------------------

// Which turns start a question exchange. The segmenter marks the first turn of
// each (a question, or the moderator's handover before it); a segmentation
// that marks none (made by hand) has one per Question turn.
std::vector<bool> exchange_starts(const Segmentation& seg) {
    const bool marked = std::any_of(seg.turns.begin(), seg.turns.end(), [](const Turn& x) { return x.opens_exchange; });
    std::vector<bool> out;
    out.reserve(seg.turns.size());
    for (const Turn& t : seg.turns) out.push_back(marked ? t.opens_exchange : t.kind == TurnKind::Question);
    return out;
}

// "Questioner 3": a questioner the transcript never names.
bool anonymous(const Speaker& sp) {
    if (sp.role != SpeakerRole::Questioner || sp.name.rfind("Questioner ", 0) != 0) return false;
    return sp.name.find_first_not_of("0123456789", 11) == std::string::npos;
}

// A question's words for its chapter title: greetings and the asker's own
// introduction ("Good afternoon. Valery Sanfirov, Mayak radio station.")
// skipped, when something is left after them.
std::string question_words(const std::string& turn, const std::string& asker) {
    static const char* const kGreetings[] = {"hello", "hi", "hey", "good ", "thank", "thanks", "dear", "mr", "madam",
                                             "greetings", "ladies", "yes", "okay", "ok", "hola", "bonjour", "buenas"};
    const auto asker_tokens = text::lower(asker);
    std::size_t from = 0;
    for (int n = 0; n < 3; ++n) {
        // A sentence ends at ". " but not after "Mr" or "Dr" ("Thanks, Mr. President.").
        auto ends_here = [&](std::size_t e) {
            if (e + 1 < turn.size() && turn[e + 1] != ' ') return false;
            if (turn[e] != '.') return true;
            std::size_t w = e;
            while (w > from && std::isalpha(static_cast<unsigned char>(turn[w - 1]))) --w;
            // "Mr", "Dr", "St": a capital then lower case; "TV." and "UN." end sentences.
            const bool abbreviation = e > w && e - w <= 3 && std::isupper(static_cast<unsigned char>(turn[w])) &&
                                      std::all_of(turn.begin() + w + 1, turn.begin() + e,
                                                  [](char c) { return std::islower(static_cast<unsigned char>(c)); });
            return !abbreviation;
        };
        std::size_t end = turn.find_first_of(".!?", from);
        while (end != std::string::npos && !ends_here(end)) end = turn.find_first_of(".!?", end + 1);
        if (end == std::string::npos || turn[end] == '?') break;
        const std::string sentence = text::lower(turn.substr(from, end - from));
        bool greeting = false;
        if (text::count_words(sentence) <= 6)
            for (const char* g : kGreetings) greeting = greeting || sentence.rfind(g, 0) == 0;
        const std::string surname = asker_tokens.substr(asker_tokens.rfind(' ') + 1);
        const bool intro = surname.size() >= 3 && sentence.find(surname) != std::string::npos &&
                           text::count_words(sentence) <= 10;
        if (!greeting && !intro) break;
        from = end + 1;
        while (from < turn.size() && turn[from] == ' ') ++from;
    }
    return from < turn.size() ? turn.substr(from) : turn;
}

// `shared`: speakers whose voice another speaker also has (in another chapter):
// the narrator names them at every change of speaker, whatever cfg.announce says
// (unless it says never).
std::vector<Planned> lay_out(const Document& doc, const Segmentation& seg, const std::vector<Speaker>& speakers,
                             std::size_t narrator, const CastConfig& cfg, const Lexicon& lex,
                             const std::set<std::size_t>& shared) {
    std::vector<Planned> out;
    auto push = [&](std::size_t speaker, std::size_t turn, const std::string& raw, bool narration,
                    int& pending_pause) {
        Planned p;
        // What a reader sees, and what espeak speaks: the lexicon rewrites the
        // first into the second, leaving anchors to map word timings back.
        p.seg.shown = collapse_spaces(normalise_for_speech(neutralise_markup(raw)));
        p.seg.text = lex.apply(p.seg.shown, &p.seg.anchors);
        if (!has_word(p.seg.text)) return;  // nothing to say ("…"): keep any pending pause
        p.seg.speaker = speaker;
        p.seg.turn = turn;
        p.seg.narration = narration;
        p.display = collapse_spaces(neutralise_markup(raw));
        p.words = text::count_words(p.seg.text);
        p.extra_pause_ms = pending_pause;
        pending_pause = 0;
        out.push_back(std::move(p));
    };

    int pending = 0;
    const std::string intro = intro_text(doc.meta);
    if (!intro.empty()) push(narrator, 0, intro, true, pending);

    std::set<std::size_t> heard;
    std::size_t previous = kNone;
    int question_no = 0;
    const std::vector<bool> opens = exchange_starts(seg);
    for (std::size_t t = 0; t < seg.turns.size(); ++t) {
        const Turn& turn = seg.turns[t];
        const bool stage_turn = turn.kind == TurnKind::Stage;
        bool speaks = false;
        for (std::size_t pi : turn.paragraphs)
            speaks = speaks || (!stage_turn && pi < doc.paragraphs.size() && !doc.paragraphs[pi].stage_direction);

        std::vector<std::string> said;
        bool asked = false;
        if (opens[t]) {
            ++question_no;
            if (cfg.announce_questions) {
                said.push_back(fmt::format("Question {}.", question_no));
                asked = true;
            }
        }
        const std::size_t who = turn.speaker;
        if (speaks && who != narrator && who < speakers.size()) {
            const bool first = heard.insert(who).second;
            const bool announce = (cfg.announce == Announce::FirstTime && first) ||
                                  (cfg.announce == Announce::EveryChange && who != previous) ||
                                  (cfg.announce != Announce::Never && shared.count(who) && who != previous);
            // "Question 3." already introduces an anonymous questioner.
            const bool anonymous = speakers[who].role == SpeakerRole::Questioner;
            if (announce && !(anonymous && asked)) said.push_back(sentence(speakers[who].name));
        }
        if (!said.empty()) {
            std::string line;
            for (const auto& s : said) line += (line.empty() ? "" : " ") + s;
            push(narrator, t, line, true, pending);
        }

        for (std::size_t pi : turn.paragraphs) {
            if (pi >= doc.paragraphs.size()) continue;
            const Paragraph& para = doc.paragraphs[pi];
            if (stage_turn || para.stage_direction) {
                if (cfg.narrate_stage_directions) push(narrator, t, stage_words(para.text), true, pending);
                else pending += cfg.pauses.stage_direction_ms;
                continue;
            }
            bool first_part = true;
            for (std::string_view part : split_long(para.text)) {
                const std::size_t before = out.size();
                push(who, t, std::string(part), false, pending);
                if (!first_part && out.size() > before) out.back().continues = true;
                first_part = false;
            }
        }
        if (speaks) previous = who;
    }
    return out;
}

// ---- step 2: voices ---------------------------------------------------------

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

bool same_name(const std::string& a, const std::string& b) { return text::lower(a) == text::lower(b); }

}  // namespace

const Voice* CastConfig::voice(const std::string& id) const {
    for (const auto& v : palette)
        if (v.id == id) return &v;
    return nullptr;
}

namespace {

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

// ---- step 3: chapters -------------------------------------------------------

struct ChapterStart {
    std::size_t segment;
    std::string title;
};

// The first segment of each turn (narrator announcement included).
bool first_of_turn(const std::vector<Planned>& plan, std::size_t i) {
    return i == 0 || plan[i - 1].seg.turn != plan[i].seg.turn;
}

// A point where a chapter can begin without parting an announcement from its speech.
bool can_break_before(const std::vector<Planned>& plan, std::size_t i) {
    if (i == 0) return true;
    const Segment& prev = plan[i - 1].seg;
    return !(prev.narration && prev.turn == plan[i].seg.turn && !plan[i].seg.narration);
}

// The first words spoken from segment `from` on (narrator lines skipped), read
// on into the same turn's next paragraphs when the first is short ("Jake,").
std::string opening_words(const std::vector<Planned>& plan, std::size_t from) {
    std::size_t i = from;
    while (i < plan.size() && plan[i].seg.narration) ++i;
    if (i == plan.size()) return text::first_words(plan.empty() ? "" : plan[from].display, kTitleWords);
    std::string words = plan[i].display;
    for (std::size_t k = i + 1; k < plan.size() && text::count_words(words) <= kTitleWords; ++k) {
        if (plan[k].seg.narration || plan[k].seg.turn != plan[i].seg.turn) break;
        words += " " + plan[k].display;
    }
    return text::first_words(words, kTitleWords);
}

std::vector<ChapterStart> plan_chapters(const Document& doc, const Segmentation& seg,
                                        const std::vector<Speaker>& speakers, const std::vector<Planned>& plan,
                                        const std::vector<int>& durations_ms) {
    std::vector<ChapterStart> starts;
    if (plan.empty()) return starts;
    auto kind = [&](std::size_t i) { return seg.turns.empty() ? TurnKind::Remarks : seg.turns[plan[i].seg.turn].kind; };
    // A turn's words, all paragraphs (stage directions left out).
    auto turn_text = [&](std::size_t t) {
        std::string out;
        for (std::size_t pi : seg.turns[t].paragraphs)
            if (pi < doc.paragraphs.size() && !doc.paragraphs[pi].stage_direction)
                out += (out.empty() ? "" : " ") + collapse_spaces(neutralise_markup(doc.paragraphs[pi].text));
        return out;
    };
    const std::vector<bool> opens = exchange_starts(seg);
    const bool has_questions = std::find(opens.begin(), opens.end(), true) != opens.end();
    if (has_questions) {
        int question_no = 0;
        bool in_closing = false;
        std::size_t counted_to = 0;  // exchanges counted in turns [0, counted_to)
        for (std::size_t i = 0; i < plan.size(); ++i) {
            if (!first_of_turn(plan, i) && i != 0) continue;
            const std::size_t t = plan[i].seg.turn;
            if (seg.turns.empty()) break;
            // Question numbers count exchanges, including any without segments.
            for (; counted_to <= t && counted_to < opens.size(); ++counted_to) question_no += opens[counted_to];
            if (opens[t]) {
                // The question itself: this turn, or the first question after a handover.
                std::size_t q = t;
                for (std::size_t k = t; k < seg.turns.size() && (k == t || !opens[k]); ++k)
                    if (seg.turns[k].kind == TurnKind::Question) { q = k; break; }
                // "Jake?" calls for the floor: the title reads the asker's next turn.
                for (std::size_t k = q + 1; k < seg.turns.size() && !opens[k] && text::count_words(turn_text(q)) <= 3; ++k)
                    if (seg.turns[k].speaker == seg.turns[q].speaker) { q = k; break; }
                const Speaker& who = speakers[seg.turns[q].speaker];
                std::string asker;
                if (!anonymous(who)) asker = who.name;
                if (!asker.empty() && !who.affiliation.empty()) asker += ", " + who.affiliation;
                const std::string words = text::first_words(question_words(turn_text(q), who.name), kTitleWords);
                starts.push_back({i, asker.empty() ? fmt::format("Question {}: {}", question_no, words)
                                                   : fmt::format("Question {} \u2014 {}: {}", question_no, asker, words)});
                in_closing = false;
            } else if (kind(i) == TurnKind::Closing && !in_closing) {
                starts.push_back({i, "Closing remarks"});
                in_closing = true;
            } else if (seg.turns[t].opens_section && i != 0) {
                starts.push_back({i, fmt::format("Opening remarks \u2014 {}", speakers[seg.turns[t].speaker].name)});
            } else if (i == 0) {
                starts.push_back({0, "Opening remarks"});
            }
        }
        return starts;
    }

    // A debate: a moderator's question (a turn that asks something) opens a chapter.
    // i: a speech segment that opens its turn's speech.
    auto is_moderator_question = [&](std::size_t i) {
        const Segment& s = plan[i].seg;
        if (s.narration) return false;
        if (i > 0 && plan[i - 1].seg.turn == s.turn && !plan[i - 1].seg.narration) return false;
        if (speakers[s.speaker].role != SpeakerRole::Moderator) return false;
        const std::string& d = plan[i].display;
        return d.find('?') != std::string::npos && text::count_words(d) >= kTitleWords;
    };
    bool debate = false;
    for (std::size_t i = 0; i < plan.size(); ++i) debate = debate || is_moderator_question(i);

    starts.push_back({0, opening_words(plan, 0)});
    double elapsed = 0;  // seconds in the current chapter
    double remaining = 0;
    for (int d : durations_ms) remaining += d / 1000.0;
    for (std::size_t i = 0; i < plan.size(); ++i) {
        const double here = durations_ms[i] / 1000.0;
        if (i > 0 && can_break_before(plan, i)) {
            // A turn's announcement goes with its speech: look at the speech.
            std::size_t speech = i;
            if (plan[i].seg.narration && i + 1 < plan.size() && plan[i + 1].seg.turn == plan[i].seg.turn)
                speech = i + 1;
            if (kind(i) == TurnKind::Closing && first_of_turn(plan, i)) {
                if (starts.back().title != "Closing remarks") {
                    starts.push_back({i, "Closing remarks"});
                    elapsed = 0;
                }
            } else if (debate) {
                // The opening may be short; later questions need a minute between them.
                if (first_of_turn(plan, i) && (elapsed >= kMinDebateChapterS || starts.size() == 1) &&
                    is_moderator_question(speech)) {
                    starts.push_back({i, opening_words(plan, speech)});
                    elapsed = 0;
                }
            } else if (elapsed >= kMinChapterS && remaining >= kMinTailS &&
                       (elapsed >= kTargetChapterS || elapsed + here > kMaxChapterS)) {
                starts.push_back({i, opening_words(plan, i)});
                elapsed = 0;
            }
        }
        elapsed += here;
        remaining -= here;
    }
    return starts;
}

// The chapters each speaker is heard in, by `starts` (in segment order).
std::vector<std::set<std::size_t>> chapters_heard(const std::vector<Planned>& plan,
                                                  const std::vector<ChapterStart>& starts, std::size_t speakers) {
    std::vector<std::set<std::size_t>> heard(speakers);
    std::size_t chapter = 0;
    for (std::size_t i = 0, next = 0; i < plan.size(); ++i) {
        while (next < starts.size() && starts[next].segment <= i) chapter = next++;
        heard[plan[i].seg.speaker].insert(chapter);
    }
    return heard;
}

// Each speaker's sex as their label's title says it, else as the transcript's
// titles and pronouns for them do (read_sexes over every paragraph and the
// title), with a few items of evidence.
void read_speaker_sexes(const Document& doc, const Segmentation& seg, std::vector<Speaker>& speakers) {
    std::vector<std::string_view> names;
    for (const auto& sp : speakers) names.push_back(sp.role == SpeakerRole::Narrator ? std::string_view() : sp.name);
    std::vector<std::size_t> said_by(doc.paragraphs.size(), SIZE_MAX);
    for (const Turn& t : seg.turns)
        if (t.kind != TurnKind::Stage)
            for (std::size_t pi : t.paragraphs)
                if (pi < said_by.size() && !doc.paragraphs[pi].stage_direction) said_by[pi] = t.speaker;
    std::vector<SexText> texts;
    texts.push_back({doc.meta.title, 0, SIZE_MAX});
    for (std::size_t pi = 0; pi < doc.paragraphs.size(); ++pi)
        texts.push_back({doc.paragraphs[pi].text, doc.paragraphs[pi].pos.line, said_by[pi]});
    const std::vector<SexReading> read = read_sexes(names, texts);
    for (std::size_t s = 0; s < speakers.size(); ++s) {
        Speaker& sp = speakers[s];
        sp.sex = Sex::Unstated;
        sp.sex_evidence.clear();
        if (sp.role == SpeakerRole::Narrator) continue;
        if ((sp.sex = stated_sex(sp.name)) != Sex::Unstated) {
            sp.sex_evidence.push_back("label: " + sp.name);
            continue;
        }
        sp.sex = read[s].sex;
        sp.sex_evidence = read[s].evidence;
    }
}

// Two speakers of one chapter in one voice happens only when every voice is
// taken: say so, once per chapter.
void warn_shared_in_chapters(const std::vector<Segment>& segments, const std::vector<Speaker>& speakers,
                             std::vector<std::string>& warnings) {
    std::map<std::size_t, std::map<std::string, std::set<std::size_t>>> voices;  // chapter → voice → speakers
    for (const auto& s : segments) voices[s.chapter][s.voice].insert(s.speaker);
    for (const auto& [chapter, by_voice] : voices)
        for (const auto& [voice, who] : by_voice)
            if (who.size() > 1) {
                warnings.push_back(fmt::format("{} and {} share voice '{}' in chapter {}: the cast file has too few "
                                               "voices; add [[derived]] voices",
                                               speakers[*who.begin()].name, speakers[*std::next(who.begin())].name,
                                               voice, chapter + 1));
                break;
            }
}

}  // namespace

std::string speakable(std::string_view raw, const Lexicon& lex) {
    return collapse_spaces(lex.apply(normalise_for_speech(neutralise_markup(raw))));
}

std::string intro_text(const Metadata& meta) {
    std::string title = text::trim(meta.title);
    // Drop a trailing ", Volgograd, August 30, 2021" that the intro says anyway.
    for (;;) {
        const auto comma = title.rfind(',');
        if (comma == std::string::npos) break;
        const std::string part = text::trim(title.substr(comma + 1));
        const bool is_place = !meta.place.empty() && same_name(part, meta.place);
        const bool is_date = !meta.date.empty() && looks_like_date_part(part);
        if (!is_place && !is_date) break;
        title = text::trim(title.substr(0, comma));
    }
    std::string where = meta.place;
    const std::string when = meta.date.empty() ? "" : spoken_date(meta.date);
    if (!where.empty() && !when.empty()) where += ", ";
    where += when;

    std::string out;
    if (!title.empty()) out = sentence(title);
    if (!where.empty()) out += (out.empty() ? "" : " ") + sentence(where);
    return out;
}

Script cast(const Document& doc, const Segmentation& seg, const CastConfig& cfg, const Lexicon& lex) {
    Script script;
    script.meta = doc.meta;
    script.speakers = seg.speakers;
    script.turns = seg.turns;

    std::size_t narrator = kNone;
    for (std::size_t s = 0; s < script.speakers.size() && narrator == kNone; ++s)
        if (script.speakers[s].role == SpeakerRole::Narrator || script.speakers[s].id == "narrator") narrator = s;
    if (narrator == kNone) {
        narrator = script.speakers.size();
        script.speakers.push_back(Speaker{"narrator", "Narrator", SpeakerRole::Narrator, {}});
    }

    read_speaker_sexes(doc, seg, script.speakers);
    auto rate_of = [&](const std::string& id) {
        const Voice* v = cfg.voice(id);
        return v ? v->rate : 175;
    };
    // Voices need chapters (two speakers of one chapter never share a voice) and
    // chapters need voices (their rates time a long talk's chapters; a shared
    // voice adds announcements): cast, plan chapters, and cast again until the
    // two agree.
    std::set<std::size_t> shared;
    std::vector<std::set<std::size_t>> heard;  // chapters each speaker is heard in: unknown at first
    std::vector<Planned> plan = lay_out(doc, seg, script.speakers, narrator, cfg, lex, shared);
    std::vector<ChapterStart> starts;
    std::vector<std::string> voice_warnings;
    for (int round = 0; round < kCastingRounds; ++round) {
        voice_warnings.clear();
        std::set<std::size_t> now_shared = assign_voices(script.speakers, narrator, plan, heard, cfg, voice_warnings);
        const bool relaid = now_shared != shared;
        if (relaid) {
            shared = std::move(now_shared);
            plan = lay_out(doc, seg, script.speakers, narrator, cfg, lex, shared);
        }
        for (auto& p : plan) p.seg.voice = script.speakers[p.seg.speaker].voice;
        std::vector<int> durations;
        for (const auto& p : plan)
            durations.push_back(int(std::min<std::int64_t>(ms_for_words(p.words, rate_of(p.seg.voice)), INT32_MAX)));
        starts = plan_chapters(doc, seg, script.speakers, plan, durations);
        std::vector<std::set<std::size_t>> now_heard = chapters_heard(plan, starts, script.speakers.size());
        if (!relaid && now_heard == heard) break;
        heard = std::move(now_heard);
    }
    script.warnings.insert(script.warnings.end(), voice_warnings.begin(), voice_warnings.end());
    if (!shared.empty() && cfg.announce != Announce::Never)
        script.warnings.push_back(fmt::format("{} speakers share voices across chapters (the pools and derived voices "
                                              "are used up): the narrator names them at every change of speaker",
                                              shared.size()));

    // Step 4: chapters and pauses. The first segment of each chapter carries the
    // chapter pause, so the chapter mark (at the start of that pause) lies in silence.
    std::size_t next = 0;
    for (std::size_t i = 0; i < plan.size(); ++i) {
        Segment& s = plan[i].seg;
        const bool opens = next < starts.size() && starts[next].segment == i;
        if (opens) {
            script.chapters.push_back(Chapter{starts[next].title, s.turn, i});
            ++next;
        }
        s.chapter = script.chapters.empty() ? 0 : script.chapters.size() - 1;
        if (opens) s.pause_before_ms = cfg.pauses.chapter_ms;
        else {
            const Segment& prev = plan[i - 1].seg;
            const bool announced = prev.narration && !s.narration && prev.turn == s.turn;
            const bool change = prev.speaker != s.speaker || prev.turn != s.turn;
            s.pause_before_ms = change && !announced ? cfg.pauses.turn_ms
                                : plan[i].continues      ? 0  // the same paragraph goes on
                                                         : cfg.pauses.paragraph_ms;
        }
        // A stage note not read aloud ("(Laughter.)") is a silence of its own
        // length where it stood, never added on top of the pause there, and
        // never longer than a change of speaker: a listener hears no cut.
        s.pause_before_ms = std::max(s.pause_before_ms, std::min(plan[i].extra_pause_ms, cfg.pauses.turn_ms));
        script.segments.push_back(std::move(s));
    }
    warn_shared_in_chapters(script.segments, script.speakers, script.warnings);

    std::set<std::string> used;
    for (const auto& sp : script.speakers) used.insert(sp.voice);
    for (const auto& v : cfg.palette)
        if (used.count(v.id)) script.voices.push_back(v);
    return script;
}

}  // namespace turncast::cast
