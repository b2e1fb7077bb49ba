#include "synth/workers.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fmt/format.h>
#include <map>
#include <memory>

#include "core/error.hpp"
#include "core/memory.hpp"
#include "core/stop.hpp"
#include "synth/synth.hpp"

namespace turncast::synth {

namespace {

static_assert(std::atomic<bool>::is_always_lock_free, "request_stop must be async-signal-safe");

Fault g_fault = Fault::None;
std::size_t g_fault_index = 0;
double g_time_limit = -1.0;  // < 0: kWorkerSeconds + kWorkerSecondsPerChar per character


}  // namespace

void inject_fault_for_testing(Fault fault, std::size_t index) {
    g_fault = fault;
    g_fault_index = index;
}

void set_worker_time_limit_for_testing(double seconds) { g_time_limit = seconds; }

namespace workers {

double time_limit(std::size_t chars) {
    return g_time_limit >= 0.0 ? g_time_limit : kWorkerSeconds + kWorkerSecondsPerChar * double(chars);
}

namespace {

constexpr std::uint32_t kMagic = 0x32534354;    // "TCS2"
constexpr std::uint32_t kTrailer = 0x21444E45;  // "END!"
constexpr std::size_t kTailSize = 4 + 8 + 8 + 4;

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

void append_samples(const std::int16_t* p, std::size_t n) {
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
[[noreturn]] void run_template(int sock, pid_t parent, const std::string& spec, const Work& work,
                               const Prepare& prepare) {
    for (int sig : {SIGINT, SIGTERM, SIGPIPE, SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL})
        ::signal(sig, SIG_DFL);
    // Die with the parent (no template outlives a killed render), and its
    // children die with it.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) _exit(1);
    // A voice that does not load is left unselected: each child then tries
    // again and reports espeak's error for its request.
    if (prepare) prepare(spec);

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
    Template(const std::string& spec, const Work& work, const std::vector<std::unique_ptr<Template>>& others,
             const Prepare& prepare) {
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
            run_template(sv[1], parent, spec, work, prepare);
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

}  // namespace

void stream_samples(const std::int16_t* p, std::size_t n) { append_samples(p, n); }
std::uint64_t streamed_samples() { return g_stream.samples; }

void run_pool(std::size_t n, int jobs, const Work& work,
              const std::function<std::string(std::size_t)>& describe,
              const std::function<void(std::size_t, Payload)>& on_payload,
              const std::function<double(std::size_t)>& time_limit,
              const std::vector<std::string>& voices, const std::vector<std::size_t>& voice_of,
              const std::function<std::size_t(std::size_t)>& room, const Prepare& prepare) {
    std::vector<std::unique_ptr<Template>> templates;  // outlive `alive`: children are reaped through them
    for (const auto& v : voices) templates.push_back(std::make_unique<Template>(v, work, templates, prepare));
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

}  // namespace workers
}  // namespace turncast::synth
