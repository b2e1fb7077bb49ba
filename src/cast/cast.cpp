// Segmentation → Script in four steps, each a small function:
//   1. lay out the spoken sequence: intro, announcements, paragraphs, stage directions;
//   2. give every speaker a voice (neighbours in the sequence never share one);
//   3. plan chapters (by question, by moderator question, or by length);
//   4. set the pause before every segment.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cctype>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>

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

// A segment being planned, with what the later steps need to know about it.
struct Planned {
    Segment seg;
    std::string display;  // the words as written (for chapter titles)
    int extra_pause_ms = 0;
    int words = 0;
};

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
            return !(e - w <= 3 && e > w && std::isupper(static_cast<unsigned char>(turn[w])));
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

std::vector<Planned> lay_out(const Document& doc, const Segmentation& seg, const std::vector<Speaker>& speakers,
                             std::size_t narrator, const CastConfig& cfg, const Lexicon& lex) {
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
                                  (cfg.announce == Announce::EveryChange && who != previous);
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
            push(who, t, para.text, false, pending);
        }
        if (speaks) previous = who;
    }
    return out;
}

// ---- step 2: voices ---------------------------------------------------------

struct VoicePicker {
    const CastConfig& cfg;
    std::map<std::string, long> last_heard;  // Voice::id → position last heard (absent: never)

    long heard(const std::string& id) const {
        auto it = last_heard.find(id);
        return it == last_heard.end() ? -1 : it->second;
    }
    // The least recently heard voice of `pool` not in `avoid`; "" if none.
    std::string pick(const std::vector<std::string>& pool, const std::set<std::string>& avoid) const {
        std::string best;
        long best_at = std::numeric_limits<long>::max();
        for (const auto& id : pool) {
            if (avoid.count(id)) continue;
            long at = heard(id);
            if (at < best_at) best = id, best_at = at;
        }
        return best;
    }
};

bool same_name(const std::string& a, const std::string& b) { return text::lower(a) == text::lower(b); }

// "Ms", "Mr.", "MADAM", "Sir", ...: the sex a title says; Unstated for any other word.
Sex title_sex(std::string_view word) {
    static const std::set<std::string> female = {"ms",   "mrs",  "miss",     "madam",    "madame",
                                                  "mme",  "mlle", "lady",     "dame",     "baroness",
                                                  "duchess", "countess", "queen", "princess"};
    static const std::set<std::string> male = {"mr", "mister", "sir", "lord", "baron", "duke", "king", "prince",
                                               "monsieur"};
    std::string title = text::lower(std::string(word));
    if (!title.empty() && title.back() == '.') title.pop_back();
    if (female.count(title)) return Sex::Female;
    if (male.count(title)) return Sex::Male;
    return Sex::Unstated;
}

// A byte that continues a word: ASCII letters and digits, and every byte of a
// multi-byte UTF-8 character (names like "Erdoğan").
bool word_byte(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x80 || std::isalnum(u) || c == '-' || c == '\'';
}

}  // namespace

const Voice* CastConfig::voice(const std::string& id) const {
    for (const auto& v : palette)
        if (v.id == id) return &v;
    return nullptr;
}

Sex stated_sex(std::string_view name) {
    const std::size_t end = name.find(' ');
    if (end == std::string_view::npos) return Sex::Unstated;  // a title needs a name after it
    return title_sex(name.substr(0, end));
}

std::vector<Sex> addressed_sexes(const std::vector<std::string_view>& names,
                                 const std::vector<std::string_view>& texts) {
    // A name's surname is its last word, capitalised, two letters or more
    // ("Questioner 3" has none).
    auto surname_of = [](std::string_view name) {
        const std::string_view last = name.substr(name.rfind(' ') + 1);
        return last.size() >= 2 && std::isupper(static_cast<unsigned char>(last[0])) ? last : std::string_view();
    };
    // Per surname and whole name: the titles found before it that say female, and male.
    std::map<std::string_view, std::array<int, 2>, std::less<>> found;
    std::size_t longest = 0;
    for (std::string_view name : names) {
        if (surname_of(name).empty()) continue;
        found[surname_of(name)];
        found[name];
        longest = std::max(longest, name.size());
    }
    // One pass over the text: after each title and one space ("Mr Putin",
    // "Ms. Jean-Pierre"), every name that stands there as words of its own
    // ("Putin's" counts, "Putinism" does not).
    auto delimits = [](char c) { return c == ' ' || c == '\n' || c == '(' || c == '"'; };
    for (std::string_view t : texts) {
        if (found.empty()) break;
        for (std::size_t from = 0, end = 0; from < t.size(); from = end + 1) {
            for (end = from; end < t.size() && !delimits(t[end]);) ++end;
            const Sex sex = title_sex(t.substr(from, end - from));
            const std::size_t at = end + 1;  // where the name would start
            if (sex == Sex::Unstated || at >= t.size() || t[end] != ' ') continue;
            for (std::size_t stop = at + 1; stop <= std::min(t.size(), at + longest); ++stop) {
                if (stop < t.size() && word_byte(t[stop]) && t[stop] != '\'') continue;
                if (auto it = found.find(t.substr(at, stop - at)); it != found.end())
                    ++it->second[sex == Sex::Female ? 0 : 1];
            }
        }
    }
    std::vector<Sex> out;
    for (std::string_view name : names) {
        std::array<int, 2> n{};
        // The surname alone and the whole name ("Mr Vladimir Putin"), once where they are one.
        const std::string_view surname = surname_of(name);
        for (std::string_view key : {surname, surname.size() < name.size() ? name : std::string_view()})
            if (auto it = found.find(key); !key.empty() && it != found.end())
                n[0] += it->second[0], n[1] += it->second[1];
        out.push_back(n[0] > n[1] ? Sex::Female : n[1] > n[0] ? Sex::Male : Sex::Unstated);
    }
    return out;
}

Sex addressed_sex(std::string_view name, const std::vector<std::string_view>& texts) {
    return addressed_sexes({name}, texts).front();
}

namespace {

void assign_voices(std::vector<Speaker>& speakers, std::size_t narrator, const std::vector<Planned>& plan,
                   const CastConfig& cfg, std::vector<std::string>& warnings) {
    // Who is heard next to whom (narrator lines count as turns).
    std::vector<std::set<std::size_t>> neighbours(speakers.size());
    for (std::size_t i = 1; i < plan.size(); ++i) {
        std::size_t a = plan[i - 1].seg.speaker, b = plan[i].seg.speaker;
        if (a != b) neighbours[a].insert(b), neighbours[b].insert(a);
    }

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
    // A speaker's sex as their label's title says it, else as the transcript's
    // other titles for them do ("Thank you, Mr Putin"), read in one pass.
    std::vector<std::string_view> texts, untitled;
    for (const auto& p : plan) texts.push_back(p.display);
    std::vector<Speaker*> asked;
    for (auto& sp : speakers) {
        sp.sex = stated_sex(sp.name);
        if (sp.sex == Sex::Unstated && sp.role != SpeakerRole::Narrator) {
            untitled.push_back(sp.name);
            asked.push_back(&sp);
        }
    }
    const std::vector<Sex> addressed = addressed_sexes(untitled, texts);
    for (std::size_t i = 0; i < asked.size(); ++i) asked[i]->sex = addressed[i];
    // A voice fits a speaker unless both say a sex and they differ.
    auto fits = [&](const std::string& id, Sex want) {
        const Voice* v = cfg.voice(id);
        return want == Sex::Unstated || !v || v->sex == Sex::Unstated || v->sex == want;
    };
    // A main speaker whose title says otherwise than the main voice sounds
    // ("Ms. Psaki" against a male main voice) is cast like a named speaker below.
    for (std::size_t s = 0; s < speakers.size(); ++s) {
        Speaker& sp = speakers[s];
        if (sp.voice.empty() && sp.role == SpeakerRole::Main && !main_taken && fits(cfg.main, sp.sex)) {
            sp.voice = cfg.main;
            main_taken = true;
        }
    }

    VoicePicker picker{cfg, {}};
    std::vector<std::string> everyone;
    for (const auto& v : cfg.palette) everyone.push_back(v.id);

    auto choose = [&](std::size_t s) {
        Speaker& sp = speakers[s];
        std::set<std::string> avoid;
        for (std::size_t n : neighbours[s])
            if (!speakers[n].voice.empty()) avoid.insert(speakers[n].voice);
        const bool asks = sp.role == SpeakerRole::Questioner;
        const auto& pool = asks ? cfg.questioners : cfg.others;
        const auto& second = asks ? cfg.others : cfg.questioners;
        // The main and narrator voices are reserved: a pool reaches for them only
        // when nothing else is free of the speaker's neighbours.
        std::set<std::string> reserved = avoid;
        reserved.insert(cfg.main);
        reserved.insert(cfg.narrator);
        std::set<std::string> taken = reserved;
        for (const auto& other : speakers)
            if (!other.voice.empty()) taken.insert(other.voice);
        // A speaker who reads as female or male (a title in the label or
        // before their name) gets a voice of that sex from the pools when one
        // is free of the rules below; failing that, any voice by the same rules.
        const Sex want = sp.sex;
        auto of_sex = [&](const std::vector<std::string>& ids) {
            std::vector<std::string> out;
            for (const auto& id : ids)
                if (fits(id, want)) out.push_back(id);
            return out;
        };
        const std::vector<std::string> pool_fit = of_sex(pool), second_fit = of_sex(second);
        for (const bool by_sex : {true, false}) {
            if (by_sex && want == Sex::Unstated) continue;
            const auto& first_pool = by_sex ? pool_fit : pool;
            const auto& second_pool = by_sex ? second_fit : second;
            if (!asks) {
                // Named people (debaters, leaders, moderators) get a voice nobody
                // has yet, from their own pool and then the questioners'.
                // Questioners rotate through their pool instead (the rule).
                for (const auto* candidates : {&first_pool, &second_pool})
                    if (std::string v = picker.pick(*candidates, taken); !v.empty()) return sp.voice = v;
            }
            for (const auto* candidates : {&first_pool, &second_pool})
                if (std::string v = picker.pick(*candidates, reserved); !v.empty()) return sp.voice = v;
        }
        if (std::string v = picker.pick(everyone, avoid); !v.empty()) return sp.voice = v;
        warnings.push_back(fmt::format("{} shares a voice with a neighbouring speaker: the palette has too few "
                                       "voices", sp.name));
        return sp.voice = picker.pick(pool, {});
    };

    for (std::size_t i = 0; i < plan.size(); ++i) {
        const std::size_t s = plan[i].seg.speaker;
        if (speakers[s].voice.empty()) choose(s);
        picker.last_heard[speakers[s].voice] = static_cast<long>(i);
    }
    for (std::size_t s = 0; s < speakers.size(); ++s)  // speakers who never speak still get a voice
        if (speakers[s].voice.empty()) choose(s);

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

    std::vector<Planned> plan = lay_out(doc, seg, script.speakers, narrator, cfg, lex);
    assign_voices(script.speakers, narrator, plan, cfg, script.warnings);
    for (auto& p : plan) p.seg.voice = script.speakers[p.seg.speaker].voice;

    auto rate_of = [&](const std::string& id) {
        const Voice* v = cfg.voice(id);
        return v ? v->rate : 175;
    };
    std::vector<int> durations;
    for (const auto& p : plan) durations.push_back(int(std::min<std::int64_t>(ms_for_words(p.words, rate_of(p.seg.voice)), INT32_MAX)));

    std::vector<ChapterStart> starts = plan_chapters(doc, seg, script.speakers, plan, durations);

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
            s.pause_before_ms = change && !announced ? cfg.pauses.turn_ms : cfg.pauses.paragraph_ms;
        }
        s.pause_before_ms += plan[i].extra_pause_ms;
        script.segments.push_back(std::move(s));
    }

    std::set<std::string> used;
    for (const auto& sp : script.speakers) used.insert(sp.voice);
    for (const auto& v : cfg.palette)
        if (used.count(v.id)) script.voices.push_back(v);
    return script;
}

}  // namespace turncast::cast
