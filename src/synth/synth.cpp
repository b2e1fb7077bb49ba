// libespeak-ng behind a fork-per-request pool.
//
// Why a child per request: libespeak-ng 1.51 keeps global state that drifts
// with every synthesis (docs/design.md), so the parent only initialises it and each
// request runs in a child forked from that pristine state (through per-voice
// templates). This file holds the espeak calls: the session, voice
// selection, speaking a request into the child's frame, phoneme traces and
// the voice list; synth/workers.cpp supervises the processes (forks,
// templates, deadlines) and defines the frame. A Speech head is
//   u64 n_events | n_events × (u8 kind, i64 sample, u32 text_pos, u32 length)
// and an error's head its message; native byte order (parent and child are
// the same binary).
#include "synth/synth.hpp"

#include <espeak-ng/espeak_ng.h>
#include <espeak-ng/speak_lib.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <map>
#include <memory>
#include <optional>

#include "core/error.hpp"
#include "core/memory.hpp"
#include "core/read.hpp"
#include "core/stop.hpp"
#include "synth/voice_file.hpp"
#include "synth/workers.hpp"

namespace turncast::synth {

using namespace workers;

namespace {

// The process-wide espeak session, initialised by the first Engine.
bool g_initialised = false;
std::string g_data_path;

std::string espeak_message(espeak_ng_STATUS status) {
    char buf[256] = {};
    espeak_ng_GetStatusCodeMessage(status, buf, sizeof buf);
    return buf;
}

void check_espeak(espeak_ng_STATUS status, const std::string& what) {
    if (status != ENS_OK) throw LibraryError("espeak-ng", what + ": " + espeak_message(status));
}

std::string lower(std::string s) {
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    return s;
}

// Collects one synthesis's events and streams its samples; espeak's callback
// has no user pointer that reaches it in synchronous mode, so the child keeps
// the events in a static.
std::vector<espeak_EVENT>* g_events = nullptr;

int collect(short* wav, int n, espeak_EVENT* events) {
    for (espeak_EVENT* e = events; e && e->type != espeakEVENT_LIST_TERMINATED; ++e)
        if (e->type == espeakEVENT_WORD || e->type == espeakEVENT_SENTENCE) g_events->push_back(*e);
    if (wav && n > 0) stream_samples(wav, std::size_t(n));
    return 0;
}

// espeak reports text_position as a 1-based index in characters (code points)
// and length in characters; Event wants bytes. starts[i] is the byte offset of
// character i, with one entry past the end.
std::vector<std::uint32_t> char_starts(const std::string& s) {
    std::vector<std::uint32_t> starts;
    starts.reserve(s.size() + 1);
    for (std::size_t i = 0; i < s.size(); ++i)
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) starts.push_back(std::uint32_t(i));
    starts.push_back(std::uint32_t(s.size()));
    return starts;
}

// The voice a template process selected before forking (see Template): its
// children start from there instead of selecting it again.
std::string g_selected;

}  // namespace

int espeak_rate(int words_per_minute) {
    return std::max(80, int(std::lround(words_per_minute * kRateScale)));
}

namespace {

// A spec is a voice name ("gmw/en-US+m3") or, for a voice with its own
// question tune, the path of its voice file in memory ("/proc/self/fd/5+m3").
espeak_ng_STATUS select_voice(const std::string& spec) {
    return spec.front() == '/' ? espeak_ng_SetVoiceByFile(spec.c_str()) : espeak_ng_SetVoiceByName(spec.c_str());
}

void start_voice(const std::string& spec, const Voice& voice) {
    if (spec != g_selected) check_espeak(select_voice(spec), "cannot select voice '" + spec + "'");
    check_espeak(espeak_ng_SetParameter(espeakRATE, espeak_rate(voice.rate), 0), "cannot set the rate");
    check_espeak(espeak_ng_SetParameter(espeakVOLUME, voice.volume, 0), "cannot set the volume");
    check_espeak(espeak_ng_SetParameter(espeakPITCH, voice.pitch, 0), "cannot set the pitch");
    check_espeak(espeak_ng_SetParameter(espeakRANGE, voice.range, 0), "cannot set the pitch range");
}

// espeakCHARS_UTF8 | espeakPHONEMES: UTF-8 text in which [[...]] is phoneme
// input (the lexicon relies on it). Never espeakSSML: transcript text is never
// markup. No espeakENDPAUSE: the renderer owns every pause, so the output is a
// byte-exact prefix of `espeak-ng -z`'s.
constexpr unsigned kSynthFlags = espeakCHARS_UTF8 | espeakPHONEMES;

void speak(const std::string& text) {
    check_espeak(espeak_ng_Synthesize(text.c_str(), text.size() + 1, 0, POS_CHARACTER, 0,
                                      kSynthFlags, nullptr, nullptr),
                 "synthesis failed");
}

std::string synthesize_in_child(const Request& request, const std::string& spec) {
    std::vector<espeak_EVENT> raw;
    g_events = &raw;
    espeak_SetSynthCallback(collect);
    start_voice(spec, request.voice);
    speak(request.text);

    const auto starts = char_starts(request.text);
    const std::size_t nchars = starts.size() - 1;
    std::vector<Event> events;
    events.reserve(raw.size());
    for (const auto& e : raw) {
        Event ev;
        ev.kind = e.type == espeakEVENT_WORD ? Event::Kind::Word : Event::Kind::Sentence;
        ev.sample = std::clamp<std::int64_t>(e.sample, 0, std::int64_t(streamed_samples()));
        const std::size_t first = std::min<std::size_t>(e.text_position > 0 ? e.text_position - 1 : 0, nchars);
        ev.text_pos = starts[first];
        if (ev.kind == Event::Kind::Word) {
            // espeak emits a zero-length "word" for trailing punctuation: no word.
            if (e.length <= 0) continue;
            const std::size_t last = std::min<std::size_t>(first + std::size_t(e.length), nchars);
            ev.length = starts[last] - ev.text_pos;
        }
        events.push_back(ev);
    }
    std::stable_sort(events.begin(), events.end(),
                     [](const Event& a, const Event& b) { return a.sample < b.sample; });

    std::string head;
    head.reserve(8 + events.size() * 17);
    put(head, std::uint64_t(events.size()));
    for (const auto& e : events) {
        put(head, std::uint8_t(e.kind));
        put(head, e.sample);
        put(head, e.text_pos);
        put(head, e.length);
    }
    return head;
}

// The trace espeak writes while synthesising `spoken` (`mode`:
// espeakPHONEMES_SHOW, with espeakPHONEMES_TRACE as `espeak-ng -X`), as its
// non-blank lines, trimmed. The voice is already selected.
std::vector<std::string> trace_lines(const std::string& spoken, int mode) {
    char* buf = nullptr;
    std::size_t len = 0;
    FILE* trace = open_memstream(&buf, &len);
    if (!trace) throw LibraryError("phonemes", std::string("open_memstream: ") + std::strerror(errno));
    std::unique_ptr<FILE, int (*)(FILE*)> owner(trace, &std::fclose);
    espeak_SetPhonemeTrace(mode, trace);
    speak(spoken);
    espeak_SetPhonemeTrace(0, nullptr);
    owner.reset();  // fclose publishes buf/len
    const std::string text(buf ? buf : "", len);
    std::free(buf);
    std::vector<std::string> lines;
    for (std::size_t pos = 0; pos < text.size();) {
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string::npos) nl = text.size();
        const std::string line = text.substr(pos, nl - pos);
        const auto b = line.find_first_not_of(" \t\r");
        if (b != std::string::npos) lines.push_back(line.substr(b, line.find_last_not_of(" \t\r") - b + 1));
        pos = nl + 1;
    }
    return lines;
}

// fn(text) for each text in one voice, the results NUL-separated (no text
// holds a NUL: it would end espeak's input).
template <typename Fn>
std::string each_in_child(const std::vector<std::string>& texts, const Voice& voice, const std::string& spec, Fn fn) {
    espeak_SetSynthCallback([](short*, int, espeak_EVENT*) { return 0; });
    start_voice(spec, voice);
    std::string out;
    for (std::size_t i = 0; i < texts.size(); ++i) {
        if (i) out += '\0';
        out += fn(texts[i]);
    }
    return out;
}

// Like `espeak-ng -q -x`: the phonemes shown while synthesising, so that
// [[...]] phoneme input shows as espeak will speak it (espeak_TextToPhonemes
// spells it out letter by letter in 1.51). One line per clause.
std::string phonemes_in_child(const std::vector<std::string>& texts, const Voice& voice, const std::string& spec) {
    return each_in_child(texts, voice, spec, [](const std::string& t) {
        std::string out;
        for (const auto& line : trace_lines(t, espeakPHONEMES_SHOW)) out += (out.empty() ? "" : "\n") + line;
        return out;
    });
}

// Per word: 'G' (espeak guessed it by its spelling rules) or 'D' (its
// dictionary knows it), then the phonemes. `espeak-ng -X`'s trace says
// "Translate 'word'" for a guess and "Found: 'word'" for a dictionary entry;
// its last line is the phonemes.
std::string lookup_in_child(const std::vector<std::string>& words, const Voice& voice, const std::string& spec) {
    return each_in_child(words, voice, spec, [](const std::string& w) {
        const auto lines = trace_lines(w, espeakPHONEMES_SHOW | espeakPHONEMES_TRACE);
        const bool guessed = std::any_of(lines.begin(), lines.end(),
                                         [](const std::string& l) { return l.rfind("Translate '", 0) == 0; });
        return std::string(1, guessed ? 'G' : 'D') + (lines.empty() ? std::string() : lines.back());
    });
}

// Voices as text lines: identifier \t name \t priority:lang,priority:lang...
std::string list_voices_in_child() {
    const espeak_VOICE** voices = espeak_ListVoices(nullptr);
    std::string out;
    for (std::size_t i = 0; voices && voices[i]; ++i) {
        const espeak_VOICE* v = voices[i];
        out += v->identifier ? v->identifier : "";
        out += '\t';
        out += v->name ? v->name : "";
        out += '\t';
        // languages: (priority byte, NUL-terminated name)*, then a NUL.
        const char* p = v->languages;
        bool first = true;
        while (p && *p) {
            const int priority = static_cast<unsigned char>(*p++);
            if (!first) out += ',';
            first = false;
            out += std::to_string(priority) + ':' + p;
            p += std::strlen(p) + 1;
        }
        out += '\n';
    }
    return out;
}

// Bounds-checked reader for a Speech payload.
struct Reader {
    const char* data;
    std::size_t size;
    std::size_t pos = 0;
    void get(void* out, std::size_t n) {
        if (n > size - pos) throw std::runtime_error("payload too short");
        std::memcpy(out, data + pos, n);
        pos += n;
    }
    template <typename T>
    T get() {
        T v{};
        get(&v, sizeof v);
        return v;
    }
};

// Takes the payload's storage over as the PCM: one copy of the samples in
// the parent (the read), however long the speech.
static_assert(kHeaderSize % 2 == 0, "samples start on a sample boundary");
Speech decode_speech(Payload payload) {
    Reader r{payload.data(), payload.length};
    Speech s;
    const auto n_events = r.get<std::uint64_t>();
    if (n_events > payload.length / 17) throw std::runtime_error("bad event count");
    s.events.resize(n_events);
    for (auto& e : s.events) {
        e.kind = Event::Kind(r.get<std::uint8_t>());
        e.sample = r.get<std::int64_t>();
        e.text_pos = r.get<std::uint32_t>();
        e.length = r.get<std::uint32_t>();
    }
    if (r.pos != payload.length) throw std::runtime_error("bad event count");
    for (const auto& e : s.events)
        if (e.sample < 0 || std::uint64_t(e.sample) > payload.samples) throw std::runtime_error("event past the end");
    std::int16_t* base = payload.storage.data();
    std::memmove(base, base + kHeaderSize / 2, payload.samples * 2);
    payload.storage.resize(payload.samples);
    s.pcm = std::move(payload.storage);
    return s;
}

std::string first_words(const std::string& text) {
    std::string s;
    int words = 0;
    bool in_word = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const bool space = c == ' ' || c == '\n' || c == '\t';
        if (!space && !in_word && ++words > 6) break;
        in_word = !space;
        if (s.size() >= 48 && (static_cast<unsigned char>(c) & 0xC0) != 0x80) break;
        s += space ? ' ' : c;
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s.size() < text.size() ? s + "…" : s;
}

std::string describe_request(std::size_t index, const Request& r) {
    std::string voice = r.voice.espeak_voice + (r.voice.variant.empty() ? "" : "+" + r.voice.variant);
    if (!r.voice.id.empty()) voice = r.voice.id + ", " + voice;
    const std::string what = r.where.empty() ? "segment " + std::to_string(index) : "the turn at " + r.where;
    return what + " (voice " + voice + ": \"" + first_words(r.text) + "\")";
}

struct VoiceEntry {
    std::string identifier;
    std::string name;
    std::vector<std::pair<int, std::string>> languages;  // (priority, language)
};

}  // namespace

// ---- cached voice list --------------------------------------------------------

namespace {
std::optional<std::vector<VoiceEntry>> g_voices;  // per process; children inherit it

const std::vector<VoiceEntry>& voices() {
    if (g_voices) return *g_voices;
    std::string text;
    run_pool(1, 1, [](std::size_t) { return list_voices_in_child(); },
             [](std::size_t) { return std::string("listing the espeak-ng voices"); },
             [&](std::size_t, Payload payload) { text = payload.str(); },
             [](std::size_t) { return time_limit(0); });
    std::vector<VoiceEntry> list;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string::npos) nl = text.size();
        const std::string line = text.substr(pos, nl - pos);
        pos = nl + 1;
        const auto t1 = line.find('\t');
        const auto t2 = line.find('\t', t1 + 1);
        if (t1 == std::string::npos || t2 == std::string::npos) continue;
        VoiceEntry v;
        v.identifier = line.substr(0, t1);
        v.name = line.substr(t1 + 1, t2 - t1 - 1);
        std::size_t p = t2 + 1;
        while (p < line.size()) {
            std::size_t comma = line.find(',', p);
            if (comma == std::string::npos) comma = line.size();
            const std::string item = line.substr(p, comma - p);
            const auto colon = item.find(':');
            if (colon != std::string::npos)
                v.languages.emplace_back(std::atoi(item.substr(0, colon).c_str()), item.substr(colon + 1));
            p = comma + 1;
        }
        std::stable_sort(v.languages.begin(), v.languages.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        list.push_back(std::move(v));
    }
    g_voices = std::move(list);
    return *g_voices;
}

// The voice file for an espeak voice named by identifier, name or language.
const VoiceEntry* find_voice(const std::string& wanted) {
    const std::string w = lower(wanted);
    if (w.empty()) return nullptr;
    const auto& list = voices();
    for (const auto& v : list)
        if (lower(v.identifier) == w) return &v;
    for (const auto& v : list)
        if (lower(v.name) == w) return &v;
    const VoiceEntry* best = nullptr;
    int best_priority = 0;
    for (const auto& v : list)
        for (const auto& [priority, language] : v.languages)
            if (lower(language) == w && (!best || priority < best_priority)) {
                best = &v;
                best_priority = priority;
            }
    return best;
}

std::string data_dir() {
    const char* path = nullptr;
    espeak_Info(&path);
    return path ? path : "";
}

// Voice files with another question tune, per (identifier, variant, tune);
// children inherit the descriptors.
std::map<std::string, std::unique_ptr<MemoryFile>> g_tuned;

bool regular_file(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// What to load a voice by: its voice file in memory, merged with its variant
// and `tune` for its questions (voice_file.hpp); "" for espeak's own tunes,
// also for a voice whose files are not where espeak keeps them (an mbrola
// voice), which is then loaded by name.
std::string tuned_voice(const std::string& identifier, const std::string& variant, const std::string& tune) {
    if (tune.empty() || tune == "espeak") return {};
    const std::string key = identifier + '+' + variant + ' ' + tune;
    auto found = g_tuned.find(key);
    if (found == g_tuned.end()) {
        const std::string voice_path = data_dir() + "/lang/" + identifier;
        const std::string variant_path = data_dir() + "/voices/!v/" + variant;
        std::unique_ptr<MemoryFile> file;
        if (regular_file(voice_path) && (variant.empty() || regular_file(variant_path))) {
            const auto read = [](const std::string& path) {
                return read_file(path, kMaxConfigBytes, "espeak-ng voice file");
            };
            file = std::make_unique<MemoryFile>(
                key, with_question_tune(read(voice_path), variant.empty() ? "" : read(variant_path), tune));
        }
        found = g_tuned.emplace(key, std::move(file)).first;
    }
    return found->second ? found->second->path() : std::string();
}
}  // namespace

// ---- public API ---------------------------------------------------------------------


Engine::Engine(const std::string& data_path) {
    // espeak is initialised once per process and never terminated: in 1.51 an
    // espeak_ng_Terminate() followed by a new espeak_ng_Initialize() leaves the
    // library's fifo thread so that the next Terminate() hangs forever. Every
    // Engine after the first shares the first one's session.
    if (!g_initialised) {
        // espeak 1.51 quietly falls back to its default data for a path that
        // does not exist: say so instead.
        struct stat st {};
        if (!data_path.empty() && (::stat(data_path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)))
            throw LibraryError(data_path, "no such espeak-ng data folder",
                               "give the folder that holds espeak-ng-data, or none for the default");
        espeak_ng_InitializePath(data_path.empty() ? nullptr : data_path.c_str());
        espeak_ng_ERROR_CONTEXT context = nullptr;
        const espeak_ng_STATUS status = espeak_ng_Initialize(&context);
        espeak_ng_ClearErrorContext(&context);
        if (status != ENS_OK)
            throw LibraryError(data_path.empty() ? "espeak-ng" : data_path,
                               "cannot initialise espeak-ng: " + espeak_message(status),
                               "install espeak-ng-data (scripts/setup does)");
        check_espeak(espeak_ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, 0, nullptr),
                     "cannot initialise synchronous output");
        if (espeak_ng_GetSampleRate() != kSampleRate)
            throw LibraryError("espeak-ng", "unexpected sample rate " + std::to_string(espeak_ng_GetSampleRate()));
        g_initialised = true;
        g_data_path = data_path;
    } else if (data_path != g_data_path) {
        throw LibraryError("espeak-ng", "one process can use only one espeak-ng data folder",
                           "create every Engine with the same data path");
    }
}

Engine::~Engine() = default;

std::string Engine::voice_spec(const Voice& voice) const {
    const VoiceEntry* v = find_voice(voice.espeak_voice);
    if (!v)
        throw ConfigError("voice '" + voice.id + "'", "espeak-ng has no voice '" + voice.espeak_voice + "'",
                          "`espeak-ng --voices` lists the installed voices");
    if (!voice.variant.empty() && !has_variant(voice.variant))
        throw ConfigError("voice '" + voice.id + "'", "espeak-ng has no variant '" + voice.variant + "'",
                          "`espeak-ng --voices=variant` lists the installed variants");
    const std::string tuned = tuned_voice(v->identifier, voice.variant, voice.question_tune);
    if (!tuned.empty()) return tuned;
    return v->identifier + (voice.variant.empty() ? "" : "+" + voice.variant);
}

void Engine::synthesize(const std::vector<Request>& requests, int jobs,
                        const std::function<void(std::size_t, Speech)>& on_done) {
    // Resolve every voice first: a bad cast fails before any work starts.
    std::vector<std::string> specs, voices;
    std::vector<std::size_t> voice_of;
    specs.reserve(requests.size());
    for (const auto& r : requests) {
        specs.push_back(voice_spec(r.voice));
        const auto found = std::find(voices.begin(), voices.end(), specs.back());
        voice_of.push_back(std::size_t(found - voices.begin()));
        if (found == voices.end()) voices.push_back(specs.back());
    }
    auto describe = [&](std::size_t i) { return describe_request(i, requests[i]); };
    run_pool(
        requests.size(), jobs,
        [&](std::size_t i) { return synthesize_in_child(requests[i], specs[i]); }, describe,
        [&](std::size_t i, Payload payload) {
            Speech speech;
            try {
                speech = decode_speech(std::move(payload));
            } catch (const std::exception& e) {
                throw LibraryError("espeak-ng", describe(i) + ": the worker's result is malformed (" + e.what() + ")");
            }
            on_done(i, std::move(speech));
        },
        [&](std::size_t i) { return time_limit(requests[i].text.size()); }, voices, voice_of,
        // About 1,500 samples per character at 175 wpm, plus the events
        // (17 bytes a word): room for slower voices, grown if ever short.
        [&](std::size_t i) { return requests[i].text.size() * 2002 + 22050; },
        // Each template selects its voice once; its children start from there.
        [](const std::string& spec) {
            if (select_voice(spec) == ENS_OK) g_selected = spec;
        });
}

Speech Engine::synthesize_one(const Request& request) {
    Speech out;
    synthesize({request}, 1, [&](std::size_t, Speech s) { out = std::move(s); });
    return out;
}

std::string Engine::phonemes(const Request& request) {
    return phonemes(std::vector<std::string>{request.text}, request.voice, request.where).front();
}

std::vector<std::string> Engine::phonemes(const std::vector<std::string>& texts, const Voice& voice,
                                          const std::string& where) {
    const std::string spec = voice_spec(voice);
    std::size_t chars = 0;
    for (const auto& t : texts) chars += t.size();
    const Request named{texts.size() == 1 ? texts.front() : std::string(), voice, where};
    std::string joined;
    run_pool(1, 1, [&](std::size_t) { return phonemes_in_child(texts, voice, spec); },
             [&](std::size_t i) { return "phonemes of " + describe_request(i, named); },
             [&](std::size_t, Payload payload) { joined = payload.str(); },
             [&](std::size_t) { return time_limit(chars); });
    std::vector<std::string> out;
    out.reserve(texts.size());
    for (std::size_t at = 0;;) {
        const std::size_t nul = joined.find('\0', at);
        out.push_back(joined.substr(at, nul == std::string::npos ? std::string::npos : nul - at));
        if (nul == std::string::npos) break;
        at = nul + 1;
    }
    out.resize(texts.size());
    return out;
}

std::vector<Engine::Lookup> Engine::lookup(const std::vector<std::string>& words, const Voice& voice) {
    const std::string spec = voice_spec(voice);
    std::size_t chars = 0;
    for (const auto& w : words) chars += w.size();
    const Request named{std::string(), voice, "word lookup"};
    std::string joined;
    run_pool(1, 1, [&](std::size_t) { return lookup_in_child(words, voice, spec); },
             [&](std::size_t i) { return "looking up words for " + describe_request(i, named); },
             [&](std::size_t, Payload payload) { joined = payload.str(); },
             [&](std::size_t) { return time_limit(chars * 4); });
    std::vector<Lookup> out;
    for (std::size_t at = 0; at <= joined.size() && out.size() < words.size();) {
        std::size_t nul = joined.find('\0', at);
        if (nul == std::string::npos) nul = joined.size();
        const std::string item = joined.substr(at, nul - at);
        out.push_back({!item.empty() && item[0] == 'G', item.empty() ? std::string() : item.substr(1)});
        at = nul + 1;
    }
    out.resize(words.size());
    return out;
}

std::string Engine::version() const {
    // espeak_Info only reads static strings: safe in the pristine parent.
    return espeak_Info(nullptr);
}

bool Engine::has_voice(const std::string& espeak_voice) const { return find_voice(espeak_voice) != nullptr; }

bool Engine::has_variant(const std::string& variant) const {
    struct stat st {};
    const bool safe = !variant.empty() && variant.find('/') == std::string::npos && variant[0] != '.';
    return safe && ::stat((data_dir() + "/voices/!v/" + variant).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::vector<std::pair<std::string, std::string>> Engine::list_voices() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& v : voices()) {
        std::string langs;
        for (const auto& l : v.languages) langs += (langs.empty() ? "" : " ") + l.second;
        out.emplace_back(v.name, langs);
    }
    return out;
}

}  // namespace turncast::synth
