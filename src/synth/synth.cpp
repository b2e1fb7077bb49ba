// libespeak-ng behind a fork-per-request pool.
//
// Why a child per request: libespeak-ng 1.51 keeps global state that drifts
// with every synthesis (DESIGN.md), so the parent only initialises it and each
// request runs in a child forked from that pristine state (synthesize() forks
// them through per-voice templates: see "voice templates" below). The child
// sends one frame back over a pipe, its samples first, as espeak speaks them:
//
//   u32 magic 'TCS2' | n_pcm × i16 | head | u32 status (0 ok, 1 error) | u64 n_pcm | u64 head size | u32 'END!'
//
// so a child never holds its speech in memory (touching fresh pages costs
// more than speaking on a virtual machine: ~10 µs each). A frame that is
// short, lacks its trailer, or comes from a child that did not exit 0 is a
// LibraryError naming the request. A Speech head is
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

namespace turncast::synth {

namespace {

static_assert(std::atomic<bool>::is_always_lock_free, "request_stop must be async-signal-safe");

Fault g_fault = Fault::None;
std::size_t g_fault_index = 0;
double g_time_limit = -1.0;  // < 0: kWorkerSeconds + kWorkerSecondsPerChar per character

// A worker's time limit in seconds, for a text of `chars` characters.
double time_limit(std::size_t chars) {
    return g_time_limit >= 0.0 ? g_time_limit : kWorkerSeconds + kWorkerSecondsPerChar * double(chars);
}

// The process-wide espeak session, initialised by the first Engine.
bool g_initialised = false;
std::string g_data_path;

constexpr std::uint32_t kMagic = 0x32534354;    // "TCS2"
constexpr std::uint32_t kTrailer = 0x21444E45;  // "END!"
constexpr std::size_t kHeaderSize = 4;          // the magic; the samples follow
constexpr std::size_t kTailSize = 4 + 8 + 8 + 4;

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

// ---- child side -------------------------------------------------------------

void write_all(int fd, const void* data, std::size_t n) {
    const char* p = static_cast<const char*>(data);
    while (n > 0) {
        ssize_t w = ::write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            _exit(3);  // the parent is gone or the pipe broke: nothing to report to
        }
        p += w;
        n -= std::size_t(w);
    }
}

template <typename T>
void put(std::string& out, const T& v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
}


// The child's samples on their way to the pipe, a buffer at a time.
struct SampleStream {
    int fd = -1;
    std::uint64_t samples = 0;  // written or buffered
    std::size_t used = 0;       // buffered, in samples
    std::int16_t buf[32768];
};
SampleStream g_stream;  // one per child process

void flush_samples() {
    write_all(g_stream.fd, g_stream.buf, g_stream.used * sizeof(std::int16_t));
    g_stream.used = 0;
}

void stream_samples(const std::int16_t* p, std::size_t n) {
    g_stream.samples += n;
    constexpr std::size_t cap = sizeof g_stream.buf / sizeof g_stream.buf[0];
    while (n > 0) {
        const std::size_t take = std::min(n, cap - g_stream.used);
        std::memcpy(g_stream.buf + g_stream.used, p, take * sizeof(std::int16_t));
        g_stream.used += take;
        p += take;
        n -= take;
        if (g_stream.used == cap) flush_samples();
    }
}

// A child's work streams its samples (stream_samples) and returns the frame's
// head; a thrown error's message becomes the head of an error frame.
[[noreturn]] void run_child(int fd, const std::function<std::string()>& work, Fault fault) {
    // Die with the terminal's Ctrl-C like any child; the parent notices through
    // its own handler. Never return into the parent's code: _exit only, so no
    // atexit handlers run and no inherited stdio buffers are flushed twice.
    // Crash handlers inherited from the parent (a test framework's, a crash
    // reporter's) would report the parent's state: a crashing child just dies
    // and the parent reports it.
    for (int sig : {SIGINT, SIGTERM, SIGPIPE, SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL})
        ::signal(sig, SIG_DFL);

    g_stream.fd = fd;
    write_all(fd, &kMagic, sizeof kMagic);
    std::uint32_t status = 0;
    std::string head;
    try {
        head = work();
    } catch (const std::exception& e) {
        status = 1;
        head = e.what();
    } catch (...) {
        status = 1;
        head = "unknown error";
    }
    flush_samples();
    std::string tail;
    put(tail, status);
    put(tail, g_stream.samples);
    put(tail, std::uint64_t(head.size()));
    put(tail, kTrailer);

    if (fault == Fault::Hang)
        for (;;) ::pause();
    if (fault != Fault::None) {
        write_all(fd, head.data(), head.size() / 2);
        if (fault == Fault::Crash) std::abort();
        _exit(0);
    }
    write_all(fd, head.data(), head.size());
    write_all(fd, tail.data(), tail.size());
    _exit(0);
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
        ev.sample = std::clamp<std::int64_t>(e.sample, 0, std::int64_t(g_stream.samples));
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

// ---- parent side ------------------------------------------------------------

void reap(pid_t pid, int* status) {
    while (::waitpid(pid, status, 0) < 0 && errno == EINTR) {
    }
}

class Template;
int reap_from(Template* via, pid_t pid);

// One live child and the read end of its pipe. The destructor kills and reaps a
// child that was not finished normally, so no error path leaves a zombie or fd.
// A child forked by a voice template is reaped by the template, which reports
// its exit status.
struct Child {
    std::size_t index = 0;
    pid_t pid = -1;
    int fd = -1;
    Template* via = nullptr;
    std::vector<std::int16_t> buf;  // received bytes [0, filled), stored as samples (see Payload)
    std::size_t filled = 0;
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();

    Child() = default;
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child() {
        if (fd >= 0) ::close(fd);
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            reap_from(via, pid);
        }
    }
};

using Work = std::function<std::string(std::size_t)>;  // request index → frame head (run_child)

// A received frame: its samples are storage[kHeaderSize / 2, + samples), its
// head the `length` bytes after them. The storage is a sample vector so that
// a Speech can take it over without a copy.
struct Payload {
    std::vector<std::int16_t> storage;
    std::size_t samples = 0;
    std::size_t length = 0;
    const char* data() const {
        return reinterpret_cast<const char*>(storage.data()) + kHeaderSize + samples * sizeof(std::int16_t);
    }
    std::string str() const { return std::string(data(), length); }
};

// ---- voice templates ---------------------------------------------------------
//
// Forking the parent for every request cost twice over: every fork copied the
// parent's page tables and made each page it wrote next copy-on-write (on a
// virtual machine a fault and a TLB shootdown each), and every child loaded
// its voice's files again. So a synthesis first forks, once per voice, a
// template from the pristine parent, which selects that voice and then forks
// the voice's requests. Each child is still the pristine state plus one
// voice selection, as when it was forked from the parent, so its samples are
// the same; the parent never forks while payloads arrive.
//
// Parent and template talk over a SOCK_SEQPACKET pair: the parent sends a
// request index with the write end of that request's pipe (SCM_RIGHTS); the
// template answers "started, pid" at once and "exited, pid, status" when it
// has reaped the child.

Fault fault_for(std::size_t index) {
    return (g_fault != Fault::None && g_fault_index == index) ? g_fault : Fault::None;
}

struct TemplateMessage {
    std::uint32_t kind;  // 'S' started, 'F' fork failed (status = errno), 'X' exited (status = wait status)
    std::int32_t pid;
    std::int32_t status;
};

// A request on the socket: its index, and one descriptor (SCM_RIGHTS).
struct RequestMessage {
    std::uint64_t index = 0;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    iovec iov{};
    msghdr msg{};
    RequestMessage() {
        iov = {&index, sizeof index};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
    }
    RequestMessage(const RequestMessage&) = delete;
    RequestMessage& operator=(const RequestMessage&) = delete;
};

// What a failed fork() (here or in a template) reports.
LibraryError cannot_fork(int err) {
    return LibraryError("espeak-ng worker", std::string("cannot fork: ") + std::strerror(err),
                        "too many processes? try fewer --jobs");
}

void send_message(int sock, const TemplateMessage& m) {
    while (::send(sock, &m, sizeof m, MSG_NOSIGNAL) < 0 && errno == EINTR) {
    }
}

// The template's loop; never returns.
[[noreturn]] void run_template(int sock, pid_t parent, const std::string& spec, const Work& work) {
    for (int sig : {SIGINT, SIGTERM, SIGPIPE, SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL})
        ::signal(sig, SIG_DFL);
    // Die with the parent (no template outlives a killed render), and its
    // children die with it.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) _exit(1);
    // A voice that does not load is left unselected: each child then tries
    // again and reports espeak's error for its request.
    if (select_voice(spec) == ENS_OK) g_selected = spec;

    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    ::sigprocmask(SIG_BLOCK, &chld, nullptr);
    const int sfd = ::signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd < 0) _exit(1);
    for (;;) {
        pollfd fds[2] = {{sock, POLLIN, 0}, {sfd, POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            _exit(1);
        }
        if (fds[1].revents & POLLIN) {
            signalfd_siginfo info[8];
            while (::read(sfd, info, sizeof info) > 0) {
            }
            int status = 0;
            pid_t pid;
            while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) send_message(sock, {'X', pid, status});
        }
        if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        RequestMessage request;
        const ssize_t got = ::recvmsg(sock, &request.msg, MSG_CMSG_CLOEXEC);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) _exit(0);  // the parent closed its end: done
        cmsghdr* c = CMSG_FIRSTHDR(&request.msg);
        if (got != sizeof request.index || !c || c->cmsg_type != SCM_RIGHTS) _exit(1);
        const std::uint64_t index = request.index;
        int out = -1;
        std::memcpy(&out, CMSG_DATA(c), sizeof out);
        const pid_t pid = ::fork();
        if (pid == 0) {
            ::close(sock);
            ::close(sfd);
            ::sigprocmask(SIG_UNBLOCK, &chld, nullptr);
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            run_child(out, [&] { return work(std::size_t(index)); }, fault_for(std::size_t(index)));
        }
        const int err = errno;
        ::close(out);
        send_message(sock, pid > 0 ? TemplateMessage{'S', pid, 0} : TemplateMessage{'F', -1, err});
    }
}

// The parent's handle on one template process.
class Template {
public:
    Template(const std::string& spec, const Work& work, const std::vector<std::unique_ptr<Template>>& others) {
        int sv[2];
        if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
            throw LibraryError("espeak-ng worker", std::string("cannot create a socket: ") + std::strerror(errno),
                               "too many open files? try fewer --jobs");
        const pid_t parent = ::getpid();
        pid_ = ::fork();
        if (pid_ < 0) {
            const int err = errno;
            ::close(sv[0]);
            ::close(sv[1]);
            throw cannot_fork(err);
        }
        if (pid_ == 0) {
            ::close(sv[0]);
            for (const auto& o : others) ::close(o->sock_);  // so each template sees its own parent leave
            run_template(sv[1], parent, spec, work);
        }
        ::close(sv[1]);
        sock_ = sv[0];
    }
    ~Template() {
        ::close(sock_);
        ::kill(pid_, SIGKILL);
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
    }
    Template(const Template&) = delete;
    Template& operator=(const Template&) = delete;

    // Forks request `index`, its output going to `out`; returns the child's pid.
    pid_t start(std::size_t index, int out) {
        RequestMessage request;
        request.index = index;
        cmsghdr* c = CMSG_FIRSTHDR(&request.msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        std::memcpy(CMSG_DATA(c), &out, sizeof out);
        ssize_t sent;
        while ((sent = ::sendmsg(sock_, &request.msg, MSG_NOSIGNAL)) < 0 && errno == EINTR) {
        }
        if (sent != sizeof request.index) throw gone();
        for (;;) {
            const TemplateMessage m = next();
            if (m.kind == 'S') return m.pid;
            if (m.kind == 'F') throw cannot_fork(m.status);
            exited_[m.pid] = m.status;
        }
    }

    // The wait status of a child it started; a child whose template is gone
    // counts as killed.
    int reap(pid_t pid) {
        for (;;) {
            auto found = exited_.find(pid);
            if (found != exited_.end()) {
                const int status = found->second;
                exited_.erase(found);
                return status;
            }
            TemplateMessage m{};
            if (!receive(m)) return SIGKILL;  // as a wait status: killed by SIGKILL
            if (m.kind == 'X') exited_[m.pid] = m.status;
        }
    }

private:
    bool receive(TemplateMessage& m) {
        for (;;) {
            const ssize_t got = ::recv(sock_, &m, sizeof m, 0);
            if (got == sizeof m) return true;
            if (got < 0 && errno == EINTR) continue;
            return false;
        }
    }
    TemplateMessage next() {
        TemplateMessage m{};
        if (!receive(m)) throw gone();
        return m;
    }
    static LibraryError gone() {
        return LibraryError("espeak-ng worker", "a voice template process ended unexpectedly",
                            "this is a bug in espeak-ng or turncast; please report it");
    }

    pid_t pid_ = -1;
    int sock_ = -1;
    std::map<pid_t, int> exited_;  // statuses reported before they were asked for
};

int reap_from(Template* via, pid_t pid) {
    if (via) return via->reap(pid);
    int status = 0;
    reap(pid, &status);
    return status;
}

std::unique_ptr<Child> spawn(std::size_t index, const Work& work,
                             const std::vector<std::unique_ptr<Child>>& others, Template* via) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        throw LibraryError("espeak-ng worker", std::string("cannot create a pipe: ") + std::strerror(errno),
                           "too many open files? try fewer --jobs");
    auto child = std::make_unique<Child>();
    child->index = index;
    pid_t pid = -1;
    if (via) {
        child->via = via;
        try {
            pid = via->start(index, fds[1]);
        } catch (...) {
            ::close(fds[0]);
            ::close(fds[1]);
            throw;
        }
    } else {
        pid = ::fork();
    }
    if (pid < 0) {
        const int err = errno;
        ::close(fds[0]);
        ::close(fds[1]);
        throw cannot_fork(err);
    }
    if (pid == 0) {
        ::close(fds[0]);
        for (const auto& o : others) ::close(o->fd);  // siblings' read ends
        run_child(fds[1], [&] { return work(index); }, fault_for(index));
    }
    ::close(fds[1]);
    child->pid = pid;
    child->fd = fds[0];
    ::fcntl(child->fd, F_SETFL, ::fcntl(child->fd, F_GETFL) | O_NONBLOCK);
    // A bigger pipe means fewer wake-ups for a minute of PCM (best effort).
    ::fcntl(child->fd, F_SETPIPE_SZ, 1 << 20);
    return child;
}

std::string describe_exit(int status) {
    if (WIFSIGNALED(status))
        return std::string("killed by signal ") + std::to_string(WTERMSIG(status)) + " (" +
               strsignal(WTERMSIG(status)) + ")";
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    return "ended abnormally";
}

// Appends n bytes to the byte stream kept in c.buf (two bytes per element;
// an odd last byte waits in the low half of the last element).
void append_bytes(Child& c, const char* p, std::size_t n) {
    if (n == 0) return;
    if (c.filled % 2) {
        reinterpret_cast<char*>(c.buf.data())[c.filled] = *p++;
        --n;
        ++c.filled;
    }
    const std::size_t old = c.buf.size();
    c.buf.resize(old + (n + 1) / 2);
    std::memcpy(reinterpret_cast<char*>(c.buf.data()) + c.filled, p, n);
    c.filled += n;
}

// Reads everything available; returns true at end of file.
//
// Reads go through a small chunk and are appended to storage reserved (not
// touched) when the child was started (Child::buf). Writing straight into a
// buffer that was sized up front would be slower: every fork() shares the
// already touched pages with the new child, and rewriting them costs a
// copy-on-write fault each — most of the parent's time for an hour of speech.
bool drain(Child& c) {
    char chunk[65536];
    for (;;) {
        ssize_t r = ::read(c.fd, chunk, sizeof chunk);
        if (r > 0) {
            append_bytes(c, chunk, std::size_t(r));
            continue;
        }
        if (r == 0) return true;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
        throw LibraryError("espeak-ng worker", std::string("cannot read from a worker: ") + std::strerror(errno));
    }
}

// The child's payload, or a LibraryError naming the request.
Payload finish(Child& c, const std::function<std::string(std::size_t)>& describe) {
    ::close(c.fd);
    c.fd = -1;
    const int status = reap_from(c.via, c.pid);
    c.pid = -1;
    auto fail = [&](const std::string& why) {
        return LibraryError("espeak-ng", describe(c.index) + ": " + why,
                            "this is a bug in espeak-ng or turncast; please report it with the text");
    };
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw fail("the worker " + describe_exit(status));
    const char* d = reinterpret_cast<const char*>(c.buf.data());
    const std::size_t size = c.filled;
    std::uint32_t magic = 0, st = 0, trailer = 0;
    std::uint64_t samples = 0, length = 0;
    if (size < kHeaderSize + kTailSize)
        throw fail("the worker's result is truncated (" + std::to_string(size) + " bytes)");
    std::memcpy(&magic, d, 4);
    if (magic != kMagic) throw fail("the worker's result is malformed");
    const char* tail = d + size - kTailSize;
    std::memcpy(&st, tail, 4);
    std::memcpy(&samples, tail + 4, 8);
    std::memcpy(&length, tail + 12, 8);
    std::memcpy(&trailer, tail + 20, 4);
    // A frame cut short ends inside its samples or head, not with the trailer.
    if (trailer != kTrailer) throw fail("the worker's result is truncated (no end marker)");
    const std::size_t body = size - kHeaderSize - kTailSize;
    if (samples > body / 2 || length != body - samples * 2) throw fail("the worker's result is malformed");
    Payload payload{std::move(c.buf), std::size_t(samples), std::size_t(length)};
    if (st != 0) throw fail(payload.str());
    return payload;
}

// Runs work(i) for i in [0, n) in children, at most `jobs` at once, and hands
// each payload to on_payload in the parent as it arrives. With `voices`,
// request i is forked by the template of voices[voice_of[i]] (one per voice,
// forked here); without, by this process. A child still running
// time_limit(i) seconds after it was started is killed and reported.
void run_pool(std::size_t n, int jobs, const Work& work,
              const std::function<std::string(std::size_t)>& describe,
              const std::function<void(std::size_t, Payload)>& on_payload,
              const std::function<double(std::size_t)>& time_limit,
              const std::vector<std::string>& voices = {}, const std::vector<std::size_t>& voice_of = {},
              const std::function<std::size_t(std::size_t)>& room = {}) {
    std::vector<std::unique_ptr<Template>> templates;  // outlive `alive`: children are reaped through them
    for (const auto& v : voices) templates.push_back(std::make_unique<Template>(v, work, templates));
    const std::size_t max_alive = std::size_t(std::max(1, jobs));
    std::vector<std::unique_ptr<Child>> alive;  // destructors kill + reap on any throw
    std::size_t next = 0;
    std::vector<pollfd> fds;
    while (next < n || !alive.empty()) {
        if (stop_requested()) throw Interrupted();
        while (alive.size() < max_alive && next < n) {
            alive.push_back(spawn(next, work, alive, templates.empty() ? nullptr : templates[voice_of[next]].get()));
            if (room) reserve_large(alive.back()->buf, room(next));  // address space only, until written
            alive.back()->deadline = std::chrono::steady_clock::now() +
                                     std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                         std::chrono::duration<double>(time_limit(next)));
            ++next;
        }
        fds.assign(alive.size(), pollfd{});
        for (std::size_t i = 0; i < alive.size(); ++i) fds[i] = {alive[i]->fd, POLLIN, 0};
        // A short timeout closes the window between the stop check and poll().
        const int ready = ::poll(fds.data(), fds.size(), 50);
        if (ready < 0) {
            if (errno == EINTR) continue;
            throw LibraryError("espeak-ng worker", std::string("poll: ") + std::strerror(errno));
        }
        const auto now = std::chrono::steady_clock::now();
        for (const auto& c : alive)
            if (now > c->deadline)  // the destructors kill and reap it and the others
                throw LibraryError("espeak-ng", fmt::format("{}: espeak-ng did not finish speaking it within {:.0f} s",
                                                            describe(c->index), time_limit(c->index)),
                                   "this is a bug in espeak-ng; shorten or reword that paragraph and render again");
        for (std::size_t i = alive.size(); i-- > 0;) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            if (!drain(*alive[i])) continue;
            std::unique_ptr<Child> done = std::move(alive[i]);
            alive.erase(alive.begin() + std::ptrdiff_t(i));
            Payload payload = finish(*done, describe);
            if (stop_requested()) throw Interrupted();
            on_payload(done->index, std::move(payload));
        }
    }
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

// The process-wide flag of core/stop.hpp, which main()'s signal handler sets.
void request_stop() noexcept { turncast::request_stop(); }
bool stop_requested() noexcept { return turncast::stop_requested(); }
void clear_stop() noexcept { turncast::stop_flag().store(false); }

void inject_fault_for_testing(Fault fault, std::size_t index) {
    g_fault = fault;
    g_fault_index = index;
}

void set_worker_time_limit_for_testing(double seconds) { g_time_limit = seconds; }

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
        [&](std::size_t i) { return requests[i].text.size() * 2002 + 22050; });
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
