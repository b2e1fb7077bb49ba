// Segmentation + voices/ → Script: a voice for every speaker, chapters, pauses,
// narrator lines and lexicon rewrites — everything synthesis needs.
//
//   auto cfg    = turncast::cast::load_cast(turncast::cast::default_cast_path());
//   auto lex    = turncast::cast::default_lexicon();
//   auto script = turncast::cast::cast(doc, seg, cfg, lex);
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/model.hpp"

namespace turncast::cast {

struct Pauses {
    int paragraph_ms = 450;
    int turn_ms = 900;
    int chapter_ms = 1600;
    int stage_direction_ms = 700;  // a stage direction not read aloud becomes this much silence
};

enum class Announce { Never, FirstTime, EveryChange };

struct CastConfig {
    std::vector<Voice> palette;                   // every voice that may be used
    std::string narrator;                         // Voice::id for the narrator
    std::string main;                             // Voice::id for the main speaker
    std::vector<std::string> questioners;         // pool rotated through for questioners
    std::vector<std::string> others;              // pool for other named speakers
    // Voices generated from the palette's espeak voices × variants × pitch
    // ([[derived]] in the cast file; in `palette` too, after the hand-made
    // ones): handed out, in this order, once both pools are used up, so that
    // nobody shares a voice while one is left.
    std::vector<std::string> derived;
    std::map<std::string, std::string> overrides; // speaker name → Voice::id
    Pauses pauses;
    Announce announce = Announce::FirstTime;
    bool announce_questions = true;               // narrator says "Question 3." before each question
    bool narrate_stage_directions = false;        // otherwise a stage direction is a pause
    std::string source_path;                      // for messages
    std::map<std::string, int> voice_lines;       // Voice::id → line in source_path (for messages)

    const Voice* voice(const std::string& id) const;  // the palette's voice with that id, or nullptr
};

// A lexicon replacement says one word or name: longer ones are refused, so no
// entry can turn a word into megabytes of speech.
constexpr std::size_t kMaxReplacementBytes = 256;

struct LexiconEntry {
    std::string word;         // matched as a whole word; case-sensitive if it has capitals
    std::string replacement;  // a respelling, or espeak phonemes as "[[...]]"
    bool case_sensitive = true;
};

// How numbers, money, dates, abbreviations and acronyms are read aloud
// (voices/readings.toml; cast/readings.cpp).
struct Readings {
    std::map<std::string, std::string> titles;    // "Gov." → "Governor", before a capitalised word
    std::map<std::string, std::string> anywhere;  // "vs." → "versus"
    std::map<std::string, std::pair<std::string, std::string>> currencies;  // "$" → {"dollar", "dollars"}
    std::map<std::string, std::string> codes;     // "USD" → "$"
    std::map<std::string, std::string> scales;    // "bn" → "billion"
    std::set<std::string> year_after;             // lower case: "in", "since"
    std::map<std::string, std::string> decades;   // "90" → "nineties"
    std::vector<std::string> months;              // "January" ...
    std::set<std::string> acronym_words;          // "NATO": said as a word
};

// Reads voices/readings.toml; throws ConfigError naming file, line and key.
Readings load_readings(const std::string& path);
std::string default_readings_path();  // voices/readings.toml

// One reading rule's rewrite at a position: `length` bytes of text become `said`.
struct ReadingMatch {
    std::size_t length = 0;
    std::string said;
    bool before_lexicon = false;  // money: "US$3" is not the lexicon's "US"
};
// The rule that applies at `pos` of `text`, if any. `mostly_capitals`: the
// text is written in capitals (no acronym spelling then).
std::optional<ReadingMatch> read_at(const Readings& r, std::string_view text, std::size_t pos, bool mostly_capitals);

struct Lexicon {
    std::vector<LexiconEntry> entries;
    // Rules for numbers, money, dates, abbreviations and acronyms, applied
    // where no entry matches (none when null).
    std::shared_ptr<const Readings> readings;

    Lexicon() = default;
    Lexicon(const Lexicon& o) : entries(o.entries), readings(o.readings) {}
    Lexicon(Lexicon&& o) noexcept : entries(std::move(o.entries)), readings(std::move(o.readings)) {}
    Lexicon& operator=(const Lexicon& o) {
        entries = o.entries, readings = o.readings, index_.reset();
        return *this;
    }
    Lexicon& operator=(Lexicon&& o) noexcept {
        entries = std::move(o.entries), readings = std::move(o.readings), index_.reset();
        return *this;
    }

private:
    // Entries by their first word, built on the first apply() and again when
    // `entries` has moved or changed size; a copy builds its own.
    struct Index;
    const Index& index() const;
    mutable std::shared_ptr<const Index> index_;
    mutable std::mutex index_mutex_;

public:
    // Rewrites whole-word matches; the result is what espeak gets.
    std::string apply(std::string_view text, std::vector<TextAnchor>* anchors = nullptr) const;
};

std::string default_cast_path();     // voices/cast.toml
std::string default_lexicon_path();  // voices/lexicon.tsv

// What a speaker's label says: a title before the name ("Ms. Psaki", "MRS.
// SMITH", "Sir Keir Starmer", "Madam Chair"); Unstated without one.
Sex stated_sex(std::string_view speaker_name);
// What the transcript calls a speaker whose label has no title: the titles
// written before their surname (the name's last word) or their whole name
// ("Thank you, Mr Putin", "Ms. Jean-Pierre's point", "Mr Vladimir Putin")
// across `texts`, spelt as in the name; the sex most of them say, Unstated on
// a tie or none. Casting uses it for every speaker but the narrator.
Sex addressed_sex(std::string_view name, const std::vector<std::string_view>& texts);
// addressed_sex() for each of `names`, reading `texts` once.
std::vector<Sex> addressed_sexes(const std::vector<std::string_view>& names,
                                 const std::vector<std::string_view>& texts);

// A piece of the transcript read for what it says about the speakers' sex.
struct SexText {
    std::string_view text;
    int line = 0;                  // where it starts in the transcript (for the evidence); 0: not known
    std::size_t speaker = SIZE_MAX;  // index into `names` of who says it; SIZE_MAX: narration
};

// What the texts say about one speaker's sex: titles before their name ("Mr
// Putin") and pronouns that refer to them, each item once.
struct SexReading {
    Sex sex = Sex::Unstated;  // the side with more items; Unstated on a tie or none
    int female = 0, male = 0;
    std::vector<std::string> evidence;  // a few items, the winning side's first: "line 12: Mr Putin"
};

// Reads every text once (linear in their size) for each of `names`:
//   - a title before the surname (the name's last word) or the whole name, as
//     addressed_sexes() does ("line 12: Mr Putin");
//   - a mention of the surname or whole name, with or without a title, followed
//     in the same or the next sentence of that text by he/him/his/himself or
//     she/her/hers/herself, with no other person's name between them
//     ("Secretary Clinton … she voted": "line 40: Clinton … she"). Another
//     person is another of `names`, or any capitalised word after a title
//     ("President Yoon").
// Names are matched case-insensitively but only where the text capitalises
// them ("CLINTON" is "Clinton", never "clinton"). A speaker's own words about
// themselves are no evidence; first names never are (a name without a surname
// beyond its first word counts only when it is the whole name, "Jeb").
std::vector<SexReading> read_sexes(const std::vector<std::string_view>& names, const std::vector<SexText>& texts);

// Throw ConfigError naming the file, line and key. A voice's Sex comes from
// its `sex` ("female", "male", "any"), else from espeak's variant names (f1..f5
// female, m1..m8 male; any other variant, or none: Unstated).
CastConfig load_cast(const std::string& path);
Lexicon load_lexicon(const std::string& path);
Lexicon merge(Lexicon base, const Lexicon& user);  // user entries win
// The shipped lexicon and readings, with the user's lexicon (if a path is
// given) merged over them: what render, plan, audition and phonemes speak with.
Lexicon default_lexicon(const std::string& user_lexicon_path = {});

// The distinct espeak voice names the palette uses, in palette order: the
// renderer checks each with synth::Engine::has_voice before anything is written.
std::vector<std::string> espeak_voices_used(const CastConfig& cfg);

// Throws ConfigError naming the cast file, the voice's line and its key
// (`espeak` or `variant`) for the first palette voice whose espeak voice
// `has_voice` rejects, or whose variant `has_variant` rejects (when given).
void check_espeak_voices(const CastConfig& cfg, const std::function<bool(const std::string&)>& has_voice,
                         const std::function<bool(const std::string&)>& has_variant = {});

// Makes transcript text inert before the lexicon runs: espeak is called with
// phoneme input enabled (so lexicon "[[...]]" works), so "[[", "]]", "<" and ">"
// written in the transcript itself must never reach it. Square brackets become
// parentheses, angle brackets spaces.
std::string neutralise_markup(std::string_view text);

// A paragraph longer than this many bytes is spoken as several segments (cut
// after a sentence near the limit): the memory one segment takes to
// synthesise and master grows with its length.
constexpr std::size_t kMaxSegmentChars = 2000;

// Transcript text → exactly what espeak gets: markup neutralised, normalised
// for speech, lexicon applied, runs of white space collapsed.
std::string speakable(std::string_view transcript_text, const Lexicon& lex);

// The title without a trailing ", Volgograd, August 30, 2021" that repeats
// the place or the date (said or shown beside it anyway).
std::string bare_title(const Metadata& meta);

// The narrator's opening line: "<title>. <place>, 30 August 2021." (a trailing
// place or date already in the title is not repeated).
std::string intro_text(const Metadata& meta);

// A date as it is read and shown: "2021-08-30" → "30 August 2021"; anything
// else as given.
std::string spoken_date(const std::string& iso);

Script cast(const Document& doc, const Segmentation& seg, const CastConfig& cfg, const Lexicon& lex);

// A capitalised word or acronym of a transcript (speakers' labels included)
// that the lexicon and the reading rules leave as it is: a name espeak may
// have to guess. Words written in lower case elsewhere, or only ever at a
// sentence's start, are ordinary words and left out. Most frequent first.
struct NameUse {
    std::string word;
    int count = 0;
    int line = 0;  // first occurrence
};
// `ordinary`: English words in lower case (a word list such as
// /usr/share/dict/words): "House" or "Forum" is no name.
std::vector<NameUse> transcript_names(const Document& doc, const Lexicon& lex,
                                      const std::unordered_set<std::string>& ordinary = {});
// The lower-case words of a word list, one per line; empty if it cannot be read.
std::unordered_set<std::string> load_ordinary_words(const std::string& path = "/usr/share/dict/words");

// Text normalisation espeak needs ("per cent", "No. 5", ranges, Roman numerals).
std::string normalise_for_speech(std::string_view text);

}  // namespace turncast::cast
