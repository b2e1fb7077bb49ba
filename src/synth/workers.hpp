// Forked workers: each request runs in a child process forked from a pristine
// parent (or from a per-voice template forked from it), sends one frame back
// over a pipe, and is killed when it overstays its time. libespeak-ng's
// calls live in synth.cpp; this is the process supervision around them
// (fork templates, SCM_RIGHTS, signalfd, deadlines).
//
//   u32 magic 'TCS2' | n_pcm × i16 | head | u32 status (0 ok, 1 error) | u64 n_pcm | u64 head size | u32 'END!'
//
//   run_pool(n, jobs, [&](std::size_t i) { stream_samples(pcm, k); return head; }, describe,
//            [&](std::size_t i, Payload p) { ... }, time_limit);
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace turncast::synth::workers {

using Work = std::function<std::string(std::size_t)>;  // request index → frame head (run_child)

constexpr std::size_t kHeaderSize = 4;  // the magic; the samples follow

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

// Appends v's bytes to a frame's head (native byte order: parent and child
// are the same binary).
template <typename T>
void put(std::string& out, const T& v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

// In a child: streams samples to the parent, a buffer at a time.
void stream_samples(const std::int16_t* p, std::size_t n);
// In a child: the samples streamed so far.
std::uint64_t streamed_samples();

// A worker's time limit in seconds, for a text of `chars` characters
// (kWorkerSeconds + kWorkerSecondsPerChar each, or the test hook's).
double time_limit(std::size_t chars);

// What a template does once, before forking its requests: select its voice.
using Prepare = std::function<void(const std::string& spec)>;

// Runs work(i) for i in [0, n) in children, at most `jobs` at once, and hands
// each payload to on_payload in the parent as it arrives. With `voices`,
// request i is forked by the template of voices[voice_of[i]] (one per voice,
// forked here, each running `prepare` with its voice first); without, by
// this process. A child still running time_limit(i) seconds after it was
// started is killed and reported; `room` reserves address space for a
// request's samples.
void run_pool(std::size_t n, int jobs, const Work& work, const std::function<std::string(std::size_t)>& describe,
              const std::function<void(std::size_t, Payload)>& on_payload,
              const std::function<double(std::size_t)>& time_limit, const std::vector<std::string>& voices = {},
              const std::vector<std::size_t>& voice_of = {}, const std::function<std::size_t(std::size_t)>& room = {},
              const Prepare& prepare = {});

}  // namespace turncast::synth::workers
