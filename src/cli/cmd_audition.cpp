// `turncast audition SPEAKER TRANSCRIPT`: a few seconds of one speaker's voice
// as the render would cast it, written to a WAV, so a producer can preview a
// cast or lexicon change without a full render.
//
// Order matters: the transcript, cast file and lexicon are all read and
// checked (and the espeak voice looked up) before the WAV is opened, so any
// error leaves nothing behind.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <memory>

#include "cast/cast.hpp"
#include "cli/commands.hpp"
#include "core/error.hpp"
#include "io/file.hpp"
#include "io/sndfile.hpp"
#include "render/render.hpp"
#include "synth/synth.hpp"

namespace turncast::cli {

namespace {

struct AuditionArgs {
    std::string speaker, transcript, voice, output, text, cast_path, lexicon_path;
    double seconds = 8.0;
};

void write_wav(const std::string& path, const std::vector<std::int16_t>& pcm);
void trim_to(synth::Speech& speech, double seconds);

// `audition --voice ID`: a palette voice on its own, no transcript needed.
void run_voice_audition(const AuditionArgs& a, const Globals& g) {
    const auto cfg = cast::load_cast(a.cast_path.empty() ? cast::default_cast_path() : a.cast_path);
    const Voice* voice = cfg.voice(a.voice);
    if (!voice)
        throw Error(ExitCode::Usage, "audition", fmt::format("no voice '{}' in {}", a.voice, cfg.source_path),
                    "`turncast voices` lists the palette");
    const std::string words = a.text.empty() ? "The talks went well, and both sides will meet again next month. "
                                               "Will the agreement hold?"
                                             : a.text;
    const std::string text = cast::speakable(words, cast::default_lexicon(a.lexicon_path));
    synth::Engine engine;
    cast::check_espeak_voices(
        cfg, [&](const std::string& v) { return v != voice->espeak_voice || engine.has_voice(v); },
        [&](const std::string& v) { return v != voice->variant || engine.has_variant(v); });
    synth::Speech speech = engine.synthesize_one(synth::Request{text, *voice});
    trim_to(speech, a.seconds);
    const std::string path = a.output.empty() ? fmt::format("audition-{}.wav", voice->id) : a.output;
    write_wav(path, speech.pcm);
    if (!g.quiet)
        std::fprintf(stderr, "turncast: %s: voice '%s' (%s%s%s), %.1f s\n", path.c_str(), voice->id.c_str(),
                     voice->espeak_voice.c_str(), voice->variant.empty() ? "" : "+", voice->variant.c_str(),
                     double(speech.pcm.size()) / synth::kSampleRate);
    std::printf("%s\n", path.c_str());
}


std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// By id or name, case-insensitively; else a unique partial name ("Lavrov").
std::size_t find_speaker(const Script& s, const std::string& wanted) {
    const std::string w = lower(wanted);
    for (std::size_t i = 0; i < s.speakers.size(); ++i)
        if (lower(s.speakers[i].id) == w || lower(s.speakers[i].name) == w) return i;
    std::vector<std::size_t> partial;
    for (std::size_t i = 0; i < s.speakers.size(); ++i)
        if (lower(s.speakers[i].name).find(w) != std::string::npos) partial.push_back(i);
    if (partial.size() == 1) return partial[0];
    std::string names;
    for (std::size_t i = 0; i < s.speakers.size(); ++i)
        if (partial.empty() || std::find(partial.begin(), partial.end(), i) != partial.end())
            names += (names.empty() ? "" : ", ") + s.speakers[i].name;
    throw Error(ExitCode::Usage, "audition",
                partial.empty() ? fmt::format("no speaker '{}' in the transcript", wanted)
                                : fmt::format("'{}' matches several speakers", wanted),
                "speakers: " + names);
}

// The speaker's first turn, as the render would speak it.
std::string first_turn_text(const Script& s, std::size_t speaker) {
    std::string text;
    std::size_t turn = SIZE_MAX;
    for (const auto& seg : s.segments) {
        if (seg.speaker != speaker) continue;
        const bool narrator = s.speakers[speaker].role == SpeakerRole::Narrator;
        if (seg.narration != narrator) continue;
        if (turn == SIZE_MAX) turn = seg.turn;
        if (seg.turn != turn) break;
        text += (text.empty() ? "" : " ") + seg.text;
    }
    return text;
}

void write_wav(const std::string& path, const std::vector<std::int16_t>& pcm) {
    io::AtomicFile out(path);
    io::write_wav16(out.temp_path(), path, pcm, synth::kSampleRate);
    out.commit();
}

// Cut after `seconds` at the start of the first word that would run past it,
// with a 20 ms fade so the cut does not click.
void trim_to(synth::Speech& speech, double seconds) {
    const auto limit = static_cast<std::int64_t>(seconds * synth::kSampleRate);
    if (static_cast<std::int64_t>(speech.pcm.size()) <= limit) return;
    std::int64_t cut = limit;
    for (const auto& e : speech.events)
        if (e.kind == synth::Event::Kind::Word && e.sample > synth::kSampleRate / 2 && e.sample <= limit) cut = e.sample;
    speech.pcm.resize(static_cast<std::size_t>(cut));
    const std::size_t fade = std::min<std::size_t>(speech.pcm.size(), synth::kSampleRate / 50);
    for (std::size_t k = 0; k < fade; ++k) {
        auto& x = speech.pcm[speech.pcm.size() - fade + k];
        x = static_cast<std::int16_t>(x * double(fade - k) / double(fade));
    }
}

void run_audition(const AuditionArgs& a, const Globals& g) {
    if (!a.voice.empty()) {
        if (!a.speaker.empty() || !a.transcript.empty())
            throw Error(ExitCode::Usage, "audition", "--voice takes no speaker or transcript",
                        "give either --voice ID [--text WORDS], or SPEAKER TRANSCRIPT");
        return run_voice_audition(a, g);
    }
    if (a.speaker.empty() || a.transcript.empty())
        throw Error(ExitCode::Usage, "audition", "a speaker and a transcript are needed",
                    "turncast audition SPEAKER TRANSCRIPT, or turncast audition --voice ID --text WORDS");
    render::PlanOptions po;
    po.cast_path = a.cast_path;
    po.lexicon_path = a.lexicon_path;
    const render::Plan plan = render::make_plan(a.transcript, po);  // parse, cast: throws before any write
    const Script& script = plan.script;
    const std::size_t who = find_speaker(script, a.speaker);
    const Speaker& sp = script.speakers[who];
    const Voice& voice = script.voice(sp.voice);

    std::string text;
    if (!a.text.empty()) {
        const auto lex = cast::default_lexicon(a.lexicon_path);
        text = cast::speakable(a.text, lex);
    } else {
        text = first_turn_text(script, who);
    }
    if (text.empty())
        throw Error(ExitCode::Usage, "audition", fmt::format("{} says nothing in {}", sp.name, a.transcript),
                    "give the words with --text");
    // Speak only about as much as will be kept (espeak is fast; this keeps it instant).
    const std::size_t keep_words = static_cast<std::size_t>(a.seconds * voice.rate / 60.0 * 1.5) + 4;
    std::size_t words = 0, cut = text.size();
    bool phonemes = false;  // never cut inside a lexicon's [[...]]
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text.compare(i, 2, "[[") == 0) phonemes = true;
        if (text.compare(i, 2, "]]") == 0) phonemes = false;
        if (text[i] == ' ' && !phonemes && ++words == keep_words) {
            cut = i;
            break;
        }
    }
    text.resize(cut);

    synth::Engine engine;
    cast::check_espeak_voices(plan.cast, [&](const std::string& v) {
        return v != voice.espeak_voice || engine.has_voice(v);
    });
    synth::Speech speech = engine.synthesize_one(synth::Request{text, voice});
    trim_to(speech, a.seconds);

    const std::string path = a.output.empty() ? fmt::format("audition-{}.wav", sp.id) : a.output;
    write_wav(path, speech.pcm);
    if (!g.quiet)
        std::fprintf(stderr, "turncast: %s: %s as voice '%s' (%s%s%s), %.1f s\n", path.c_str(), sp.name.c_str(),
                     voice.id.c_str(), voice.espeak_voice.c_str(), voice.variant.empty() ? "" : "+",
                     voice.variant.c_str(), double(speech.pcm.size()) / synth::kSampleRate);
    std::printf("%s\n", path.c_str());
}

}  // namespace

void add_audition(CLI::App& app, Globals& g) {
    auto a = std::make_shared<AuditionArgs>();
    auto* cmd = app.add_subcommand("audition", "Render a few seconds of one speaker's voice (or a palette voice) "
                                                "to a WAV file");
    cmd->add_option("speaker", a->speaker, "Speaker name or id as `turncast plan` shows it (\"Sergey Lavrov\", "
                                           "\"questioner-2\", \"narrator\"); a unique part of a name will do");
    cmd->add_option("transcript", a->transcript, "Transcript file (UTF-8 text)");
    cmd->add_option("--voice", a->voice, "A palette voice id (`turncast voices`) instead of a transcript's speaker");
    cmd->add_option("-o,--output", a->output, "WAV file to write (default audition-<speaker-id>.wav)");
    cmd->add_option("--text", a->text, "Words to speak instead of the speaker's first turn");
    cmd->add_option("--seconds", a->seconds, "Length at most, in seconds")
        ->capture_default_str()
        ->check(finite_number())
        ->check(CLI::Range(1.0, 120.0));
    cmd->add_option("--cast", a->cast_path, "Cast file (default voices/cast.toml)");
    cmd->add_option("--lexicon", a->lexicon_path, "Extra pronunciation lexicon (TSV), applied over the default");
    cmd->callback([a, &g] { run_audition(*a, g); });
}

}  // namespace turncast::cli
