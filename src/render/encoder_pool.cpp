// The encoder pool: threads that master and encode segments as they are
// queued, while espeak still speaks others and after; and the repair of a
// segment whose cached speech was found damaged.
#include <filesystem>

#include "core/cpu_time.hpp"
#include "core/error.hpp"
#include "core/memory.hpp"
#include "core/stop.hpp"
#include "master/policy.hpp"
#include "render/renderer.hpp"

namespace turncast::render {

void encoder_input(const synth::Speech& speech, const Options& o, const Voice& v, Scratch& s,
                   std::vector<float>& out) {
    master::LoudnessTarget loudness = o.loudness;
    loudness.integrated_lufs = target_lufs(o, v);
    master::master_speech(speech.pcm, master::for_output(loudness, true), s.pcm, s.work);
    master::Resampler r(s.pcm.data(), std::int64_t(s.pcm.size()), encode::kInputRate);
    resize_large(out, std::size_t(r.size()));
    r.read(out.data(), r.size());
}

// Loads segment i's speech and masters it (level it, resample it once to the
// encoders' 24 kHz input): one job per piece still missing. Throws
// SpeechMissing when the cached speech is damaged or pruned.
std::vector<Renderer::EncodeJob> Renderer::master_segment(std::size_t i, Scratch& scratch) {
    const auto& k = keys_[i];
    if (!cache_->load_speech(k.speech, scratch.speech)) throw SpeechMissing{};
    auto input = inputs_.take();
    encoder_input(scratch.speech, opt_, s_.voice(s_.segments[i].voice), scratch, input);
    auto mastered = inputs_.share(std::move(input));
    std::vector<EncodeJob> jobs;
    for (auto c : codecs_)
        if (!cache_->has_piece(k.piece.at(c), c)) jobs.push_back({i, c, mastered});
    return jobs;
}

// A segment's speech piece: kSpeechLead of silence, the speech, silence to
// the span; encoded again quieter where it decodes over the ceiling.
void Renderer::encode(const EncodeJob& job) {
    const auto& k = keys_[job.segment];
    const auto c = job.codec;
    cache_->store_piece(k.piece.at(c), encode::encode_under(c, opt_.encoder, job.speech->data(),
                                                           std::int64_t(job.speech->size()),
                                                           encode::codec_samples(c, kSpeechLead), k.span.at(c),
                                                           master::decoded_peak_limit(opt_.loudness),
                                                           opt_.loudness.true_peak_dbtp));
    ++encoded_;
}

// Two kinds of job: master a segment (load its speech, level it, resample it
// once to the encoders' 24 kHz input), then encode it once per missing
// codec. Mastering yields one encode job per codec, so the two encoders of
// one segment run on two cores — what makes a one-segment re-render fast.
// Workers take encode jobs first, which bounds memory to about one mastered
// segment per worker, and each batch queued is mastered longest first, so no
// long job is left for the end while the other cores idle.
void Renderer::queue_for_encoding(std::vector<std::size_t> segments) {
    if (segments.empty()) return;
    std::stable_sort(segments.begin(), segments.end(),
                     [&](std::size_t a, std::size_t b) { return keys_[a].work > keys_[b].work; });
    std::lock_guard<std::mutex> lock(pool_.mutex);
    for (auto i : segments) {
        if (queued_[i]) continue;
        queued_[i] = 1;
        pool_.to_master.push_back(i);
        ++pool_.queued;
        pool_.queued_work += double(keys_[i].work);
    }
    if (pool_.threads.empty()) {
        pool_.started = std::chrono::steady_clock::now();
        pool_.eta = RemainingTime(jobs(), cores(), jobs());  // as many speaking workers as encoder threads
        for (int t = 0; t < jobs(); ++t) pool_.threads.emplace_back([this] { encode_worker(); });
    }
    pool_.wake.notify_all();
}

void Renderer::encode_worker() {
    auto& p = pool_;
    Scratch scratch;
    auto segment_done = [&](std::size_t i) {  // with the lock held
        const auto work = double(keys_[i].work);
        ++p.finished;
        p.finished_work += work;
        p.eta.segment_done(work, p.cpu[i]);
        p.cpu.erase(i);
        if (p.showing) progress_.step(1, work, remaining());
    };
    auto job_done = [&](std::size_t i, double cpu) {  // with the lock held
        p.cpu[i] += cpu;
        p.eta.job_done(seconds_now(), cpu);
    };
    std::unique_lock<std::mutex> lock(p.mutex);
    for (;;) {
        p.wake.wait(lock, [&] {
            return p.failure || !p.encodes.empty() || !p.to_master.empty() || (p.closed && p.mastering == 0);
        });
        if (p.failure) return;
        if (!p.encodes.empty()) {
            EncodeJob job = std::move(p.encodes.front());
            p.encodes.pop_front();
            lock.unlock();
            try {
                throw_if_stopped();
                const double cpu0 = thread_cpu_seconds();
                encode(job);
                job.speech.reset();  // the last job of a segment frees its PCM here
                const double cpu = thread_cpu_seconds() - cpu0;
                lock.lock();
                job_done(job.segment, cpu);
                if (--p.pending[job.segment] == 0) segment_done(job.segment);
            } catch (...) {
                lock.lock();
                if (!p.failure) p.failure = std::current_exception();
                p.wake.notify_all();
                return;
            }
        } else if (!p.to_master.empty()) {
            const std::size_t i = p.to_master.front();
            p.to_master.pop_front();
            ++p.mastering;
            lock.unlock();
            std::vector<EncodeJob> jobs;
            std::exception_ptr error;
            bool missing = false;
            const double cpu0 = thread_cpu_seconds();
            try {
                throw_if_stopped();
                jobs = master_segment(i, scratch);  // SpeechMissing: spoken again after the pool (finish_encoding)
            } catch (const SpeechMissing&) {
                missing = true;
            } catch (...) {
                error = std::current_exception();
            }
            const double cpu = thread_cpu_seconds() - cpu0;
            lock.lock();
            --p.mastering;
            job_done(i, cpu);
            if (error && !p.failure) p.failure = error;
            if (missing) {
                p.resynth.push_back(i);  // encoded on the main thread after the pool: not counted here
                p.cpu.erase(i);
            } else if (jobs.empty()) {
                segment_done(i);
            }
            p.pending[i] = int(jobs.size());
            for (auto& j : jobs) p.encodes.push_back(std::move(j));
            p.wake.notify_all();
        } else {
            return;  // closed, nothing queued, nothing being mastered: done
        }
    }
}

// Waits for everything queued to be encoded (with progress from here on),
// then speaks again and encodes, on this thread, the segments whose cached
// speech was damaged or pruned meanwhile.
void Renderer::finish_encoding() {
    {
        std::lock_guard<std::mutex> lock(pool_.mutex);
        pool_.closed = true;
        if (pool_.queued > 0) {
            progress_.stage("encoding", pool_.queued, pool_.queued_work, pool_.finished, pool_.finished_work,
                            pool_.started, Progress::Remaining::Given);
            pool_.showing = true;
        }
        pool_.wake.notify_all();
    }
    for (auto& t : pool_.threads) t.join();
    pool_.threads.clear();
    if (pool_.failure) std::rethrow_exception(pool_.failure);
    // All threads are joined: forking for espeak is safe again.
    for (auto i : pool_.resynth) encode_again(i);
    pool_.resynth.clear();
}

// Encodes segment i's missing pieces on this thread (no encoder pool
// running), speaking it again first when its cached speech is damaged.
void Renderer::encode_again(std::size_t i) {
    Scratch scratch;
    std::vector<EncodeJob> jobs;
    try {
        jobs = master_segment(i, scratch);
    } catch (const SpeechMissing&) {
        const auto& seg = s_.segments[i];
        cache_->finish_uploads();  // no thread may run while espeak forks
        cache_->store_speech(keys_[i].speech, engine_.synthesize_one({seg.text, s_.voice(seg.voice), where(i)}));
        ++synthesized_;
        jobs = master_segment(i, scratch);
    }
    for (const auto& job : jobs) encode(job);
}

Renderer::~Renderer() {
    if (!pool_.threads.empty()) {  // else finish_encoding() joined them
        // A failure elsewhere: the encoder pool stops after the jobs in hand.
        std::unique_lock<std::mutex> lock(pool_.mutex);
        if (!pool_.failure) pool_.failure = std::make_exception_ptr(Interrupted());
        pool_.wake.notify_all();
        lock.unlock();
        for (auto& t : pool_.threads) t.join();
    }
    std::error_code ec;
    if (!private_cache_.empty()) std::filesystem::remove_all(private_cache_, ec);  // --no-cache
}

}  // namespace turncast::render
