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
    for (std::size_t t = 0; t < seg.turns.size(); ++t) {
        const Turn& turn = seg.turns[t];
        const bool stage_turn = turn.kind == TurnKind::Stage;
        bool speaks = false;
        for (std::size_t pi : turn.paragraphs)
            speaks = speaks || (!stage_turn && pi < doc.paragraphs.size() && !doc.paragraphs[pi].stage_direction);

        std::vector<std::string> said;
        bool asked = false;
        if (turn.kind == TurnKind::Question) {
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

}  // namespace

const Voice* CastConfig::voice(const std::string& id) const {
    for (const auto& v : palette)
        if (v.id == id) return &v;
    return nullptr;
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
    const bool has_questions = std::any_of(seg.turns.begin(), seg.turns.end(),
                                           [](const Turn& t) { return t.kind == TurnKind::Question; });
    if (has_questions) {
        int question_no = 0;
        bool in_closing = false;
        for (std::size_t i = 0; i < plan.size(); ++i) {
            if (!first_of_turn(plan, i) && i != 0) continue;
            const std::size_t t = plan[i].seg.turn;
            if (seg.turns.empty()) break;
            // Question numbers count Question turns, including any without segments.
            if (kind(i) == TurnKind::Question) {
                question_no = 0;
                for (std::size_t k = 0; k <= t; ++k) question_no += seg.turns[k].kind == TurnKind::Question;
                starts.push_back({i, fmt::format("Question {}: {}", question_no,
                                                 text::first_words(turn_text(t), kTitleWords))});
                in_closing = false;
            } else if (kind(i) == TurnKind::Closing && !in_closing) {
                starts.push_back({i, "Closing remarks"});
                in_closing = true;
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
