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
#include "cast/steps.hpp"
#include "cast/text.hpp"

namespace turncast::cast {

namespace detail {

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

bool same_name(const std::string& a, const std::string& b) { return text::lower(a) == text::lower(b); }

}  // namespace detail

using namespace detail;

namespace {

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

}  // namespace

std::string spoken_date(const std::string& iso) {
    if (iso.size() != 10 || iso[4] != '-' || iso[7] != '-') return iso;
    int y = 0, m = 0, d = 0;
    if (std::sscanf(iso.c_str(), "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
        return iso;
    return fmt::format("{} {} {}", d, kMonths[m - 1], y);
}

namespace {

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

const Voice* CastConfig::voice(const std::string& id) const {
    for (const auto& v : palette)
        if (v.id == id) return &v;
    return nullptr;
}

std::string speakable(std::string_view raw, const Lexicon& lex) {
    return collapse_spaces(lex.apply(normalise_for_speech(neutralise_markup(raw))));
}

std::string bare_title(const Metadata& meta) {
    std::string title = text::trim(meta.title);
    for (;;) {
        const auto comma = title.rfind(',');
        if (comma == std::string::npos) break;
        const std::string part = text::trim(title.substr(comma + 1));
        const bool is_place = !meta.place.empty() && same_name(part, meta.place);
        const bool is_date = !meta.date.empty() && looks_like_date_part(part);
        if (!is_place && !is_date) break;
        title = text::trim(title.substr(0, comma));
    }
    return title;
}

std::string intro_text(const Metadata& meta) {
    // Without a trailing ", Volgograd, August 30, 2021" that the intro says anyway.
    const std::string title = bare_title(meta);
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
