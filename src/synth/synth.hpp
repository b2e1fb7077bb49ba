// Text → PCM with word and sentence timings, through libespeak-ng in-process.
//
//   turncast::synth::Engine engine;                 // once per process, before any fork
//   engine.synthesize(requests, jobs, [&](std::size_t i, turncast::synth::Speech s) {...});
//
// libespeak-ng keeps global state, is not thread-safe and is not repeatable
// within one process (docs/design.md). So the Engine initialises espeak in the
// parent and never synthesises there: each request runs in a child fork()ed
// from that pristine state (through a per-voice template process that has
// only selected the voice), which sends its PCM and events back over a pipe.
// Same request → same samples, run after run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/model.hpp"

namespace turncast::synth {

constexpr int kSampleRate = 22050;  // espeak-ng's native rate

// espeak-ng 1.51 speaks news text about 12% faster than its rate parameter
// asks (measured with `turncast voices --measure` over the palette: 8-16%,
// mean 11.6%). The cast file's `rate` is what a listener hears, so espeak is
// asked for this much of it; the palette test holds every voice within 8%.
constexpr double kRateScale = 0.896;
// The espeakRATE for a rate in words a minute (at least espeak's 80).
int espeak_rate(int words_per_minute);

struct Event {
    enum class Kind : std::uint8_t { Word, Sentence };
    Kind kind = Kind::Word;
    std::int64_t sample = 0;      // position in this Speech's pcm (22050 Hz)
    std::uint32_t text_pos = 0;   // byte offset into the request text
    std::uint32_t length = 0;     // bytes (words); 0 for sentences
};

struct Speech {
    std::vector<std::int16_t> pcm;  // mono, kSampleRate
    std::vector<Event> events;      // in order of sample
};

struct Request {
    std::string text;   // plain text; never interpreted as SSML or markup
    Voice voice;
    std::string where;  // for messages: "talk.txt:42" names it "the turn at talk.txt:42", "" "segment <index>"
};

class Engine {
public:
    // data_path: the folder that holds espeak-ng-data; empty for espeak's
    // default. The first Engine initialises espeak for the whole process (it
    // is never terminated: 1.51 cannot re-initialise cleanly); later Engines
    // share it and must name the same folder. Construct it on the main thread
    // before starting other threads. Throws LibraryError.
    explicit Engine(const std::string& data_path = {});
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // Runs each request in its own forked child, at most `jobs` at a time, and
    // calls on_done(index, speech) in the parent as results arrive (any order).
    // Throws LibraryError if a child fails; Interrupted on SIGINT/SIGTERM.
    void synthesize(const std::vector<Request>& requests, int jobs,
                    const std::function<void(std::size_t, Speech)>& on_done);

    Speech synthesize_one(const Request& request);

    // espeak's phoneme mnemonics for text in a voice (as `espeak-ng -x`), computed
    // in a child so the parent stays pristine.
    std::string phonemes(const Request& request);
    // The same for many texts in one voice, in one child: one result per text.
    std::vector<std::string> phonemes(const std::vector<std::string>& texts, const Voice& voice,
                                      const std::string& where = {});

    // Whether espeak's dictionary knows each word or guesses it from its
    // spelling, and the phonemes it says; one child for all the words.
    struct Lookup {
        bool guessed = false;
        std::string phonemes;
    };
    std::vector<Lookup> lookup(const std::vector<std::string>& words, const Voice& voice);

    // "1.51" etc: part of every cache key.
    std::string version() const;

    // True if espeak has a voice by this name (e.g. "en-gb", "en-us").
    bool has_voice(const std::string& espeak_voice) const;
    // True if espeak has a voice variant by this name (e.g. "m3", "klatt4").
    bool has_variant(const std::string& variant) const;
    // Installed espeak voices: (name, languages) pairs; languages are
    // space-separated, most preferred first ("en-gb en"). Read in a child once
    // per process (listing loads every voice file) and cached.
    std::vector<std::pair<std::string, std::string>> list_voices() const;

    // The espeak voice specification a request is spoken with: the voice
    // file's identifier plus the variant, e.g. "gmw/en+m3" for {"en-gb", "m3"}.
    // espeak_SetVoiceByName("en-gb+m3") fails in 1.51 and the CLI's fallback
    // silently drops the variant, so names and languages are resolved here.
    // A voice with a question tune (Voice::question_tune, default q2) is
    // loaded instead from its voice file and variant merged in memory, with
    // that tune (voice_file.hpp): the spec is then "/proc/self/fd/N".
    // Throws ConfigError for an unknown voice or variant.
    std::string voice_spec(const Voice& voice) const;
};

// Interruption: main()'s SIGINT / SIGTERM handler sets the process-wide flag
// of core/stop.hpp (turncast::request_stop), which reaches a running
// synthesize(): it kills and reaps its children and throws Interrupted;
// later calls throw at once until the flag is cleared.

// A worker that has not delivered its segment within kWorkerSeconds plus
// kWorkerSecondsPerChar per character of its text (espeak speaks a character
// in well under a millisecond) is killed, and synthesize() throws a
// LibraryError naming the segment: a hung espeak never hangs a render.
constexpr double kWorkerSeconds = 60.0;
constexpr double kWorkerSecondsPerChar = 0.02;

// Test hooks for the fault paths: until switched off with Fault::None, the
// child for request `index` of every synthesize() call crashes (aborts after
// writing half its result), writes a truncated result and exits 0, or hangs
// (never writes). set_worker_time_limit_for_testing replaces the time limit
// above with `seconds` flat; a negative value restores it.
enum class Fault { None, Crash, ShortWrite, Hang };
void inject_fault_for_testing(Fault fault, std::size_t index = 0);
void set_worker_time_limit_for_testing(double seconds);

}  // namespace turncast::synth
