// The values that flow through turncast's pure core: parse → segment → cast.
//
//   auto doc    = turncast::parse::parse_transcript(bytes, "talk.txt", rules);
//   auto turns  = turncast::segment::segment(doc, rules);
//   auto script = turncast::cast::cast(doc, turns, cast_config, lexicon);
//   for (const auto& seg : script.segments) ...   // what synthesis speaks
//
// Nothing here touches audio, files or libraries: every stage takes values and
// returns values, so the whole core is unit-tested without espeak or libav.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace turncast {

// Where something came from in the input file, for error messages and
// `plan --show-dropped`. Lines are 1-based, byte offsets 0-based.
struct SourcePos {
    int line = 0;
    std::size_t byte = 0;
};

struct Metadata {
    std::string title;   // the event's title line, as printed
    std::string date;    // ISO 8601 (YYYY-MM-DD) or empty
    std::string time;    // HH:MM (24 h) or empty
    std::string place;   // e.g. "Volgograd", or empty
    std::string zone;    // IANA time zone of date and time ("Europe/Moscow"), or empty: unknown
};

// Text that was recognised and not spoken, and why ("clutter: language
// switcher", "label", "stage direction", ...).
struct Dropped {
    SourcePos pos;
    std::string text;
    std::string reason;
};

// One paragraph of the body, after clutter removal. A paragraph that began with
// a speaker label carries it (as written, without the colon) and the text that
// follows it; other paragraphs have an empty label.
struct Paragraph {
    SourcePos pos;
    std::string label;        // "Sergey Lavrov", "Question", "MS. PSAKI", "Q", or ""
    std::string qualifier;    // "retranslated" from "Question (retranslated):", or ""
    std::string label_role;  // "CNN ANCHOR" from "ANDERSON COOPER, CNN ANCHOR:", or ""
    std::string text;         // the words to speak; never empty
    bool stage_direction = false;  // "(Laughter.)" and the like: never read in a speaker's voice
};

struct Document {
    Metadata meta;
    std::vector<Paragraph> paragraphs;
    std::vector<Dropped> dropped;
    std::vector<std::string> warnings;  // degradations the user should hear about
};

enum class SpeakerRole { Narrator, Main, Questioner, Moderator, Other };

// Whether a voice sounds female or male, or a speaker is titled as one
// ("Ms. Psaki", "Thank you, Mr Putin"); casting matches the two.
enum class Sex { Unstated, Female, Male };

struct Speaker {
    std::string id;     // stable, slug-like: "sergey-lavrov", "questioner-3", "narrator"
    std::string name;   // display name: "Sergey Lavrov", "Questioner 3", "Narrator"
    SpeakerRole role = SpeakerRole::Other;
    std::string voice;  // voice id from the palette (filled by cast)
    Sex sex = Sex::Unstated;  // as the label's title or the transcript's titles and pronouns say (filled by cast)
    std::vector<std::string> sex_evidence;  // a few of the items that said it: "line 12: Mr Putin" (filled by cast)
    std::string affiliation;  // a questioner's outlet from their self-introduction ("Mayak radio station"), or ""
    bool role_only = false;   // named by a role label ("Moderator"), not a person's name
};

enum class TurnKind {
    Remarks,    // opening or unprompted speech
    Question,   // a question that opens a chapter
    FollowUp,   // a short follow-up by the same questioner: stays in its chapter
    Answer,     // the reply to a question
    Closing,    // closing remarks after the last answer
    Stage,      // a stage direction on its own
};

struct Turn {
    std::size_t speaker = 0;              // index into Script::speakers / Segmentation::speakers
    TurnKind kind = TurnKind::Remarks;
    std::vector<std::size_t> paragraphs;  // indices into Document::paragraphs
    SourcePos pos;
    // The first turn of a question exchange: the question itself, or the
    // moderator's handover that introduces it. Its chapter starts here.
    bool opens_exchange = false;
    // Before the questions, a further principal's own opening remarks (the
    // second leader at a joint news conference): a chapter of their own.
    bool opens_section = false;
};

// What the segmenter finds: who the people are and where each turn runs.
struct Segmentation {
    std::vector<Speaker> speakers;
    std::vector<Turn> turns;
    std::vector<std::string> warnings;
};

struct Chapter {
    std::string title;            // "Question 3: In your interviews you said…"
    std::size_t first_turn = 0;   // index into Script::turns; narrator intro belongs to chapter 0
    std::size_t first_segment = 0;
};

// A voice from the palette: everything espeak needs to speak as one person.
struct Voice {
    std::string id;               // "narrator", "main-male", "q1", ...
    std::string espeak_voice;     // espeak voice name, e.g. "en-gb"
    std::string variant;          // espeak variant, e.g. "m3", or "" for none
    int rate = 175;               // words per minute
    int pitch = 50;               // 0-100
    int range = 50;               // 0-100
    double gain_db = 0.0;         // applied before loudness levelling
    int volume = 100;             // espeak's amplitude, 0-200: lower for a variant that clips
    Sex sex = Sex::Unstated;      // how it sounds (cast.toml `sex`, else its variant); Unstated: either
    std::string question_tune = "q2";  // espeak tune a '?' clause ends with; "espeak": the voice's own
};

// Where a lexicon rewrite starts or ends: byte offsets in Segment::text (what
// espeak speaks) and in Segment::shown (what a reader sees).
struct TextAnchor {
    std::uint32_t spoken = 0;
    std::uint32_t shown = 0;
    bool replaced = false;  // the span from here to the next anchor is a rewrite
};

// The unit of synthesis, caching and encoding: one paragraph (or narrator line)
// spoken by one voice, preceded by a pause.
struct Segment {
    std::string text;             // normalised and lexicon-rewritten: exactly what espeak gets
    std::string shown;            // the same words before lexicon rewrites, for captions; "" = text
    std::vector<TextAnchor> anchors;  // text ↔ shown offsets at each rewrite, in order
    std::string voice;            // Voice::id
    std::size_t speaker = 0;      // index into Script::speakers
    std::size_t turn = 0;         // index into Script::turns (narrator lines take the turn they introduce)
    std::size_t chapter = 0;      // index into Script::chapters
    int pause_before_ms = 0;      // silence before the words
    bool narration = false;       // narrator intro, announcements, stage directions read aloud

    const std::string& caption_text() const { return shown.empty() ? text : shown; }
    // A byte offset in `text` as the matching offset in caption_text(); an
    // offset inside a rewrite maps to the rewritten word's start.
    std::size_t shown_offset(std::size_t spoken) const;
};

struct Script {
    Metadata meta;
    std::vector<Speaker> speakers;
    std::vector<Turn> turns;
    std::vector<Segment> segments;
    std::vector<Chapter> chapters;
    std::vector<Voice> voices;    // the palette entries actually used, by Voice::id
    std::vector<std::string> warnings;

    const Voice& voice(const std::string& id) const;  // throws std::out_of_range
    const Voice* find_voice(const std::string& id) const;  // nullptr if no such voice
};

const char* to_string(SpeakerRole role);
const char* to_string(TurnKind kind);
const char* to_string(Sex sex);  // "female", "male", or "" for Unstated

}  // namespace turncast
