// Cache keys: what identifies a segment's speech and its encoded pieces.
#include "core/hash.hpp"
#include "master/policy.hpp"
#include "render/renderer.hpp"

namespace turncast::render {

std::string speech_key(const std::string& engine_version, const Voice& v, const std::string& text) {
    return Hasher()
        .add("speech/3")
        .add(engine_version)
        .add(v.espeak_voice)
        .add(v.variant)
        .add(std::int64_t(v.rate))
        .add(std::int64_t(v.pitch))
        .add(std::int64_t(v.range))
        .add(std::int64_t(v.volume))
        .add(v.question_tune)
        .add(synth::kRateScale)
        .add(text)
        .hex();
}

double target_lufs(const Options& o, const Voice& v) { return o.loudness.integrated_lufs + v.gain_db; }

std::string piece_key(const SegmentKeys& k, const Options& o, const Voice& v, encode::Codec codec) {
    master::LoudnessTarget loudness = o.loudness;
    loudness.integrated_lufs = target_lufs(o, v);
    const auto mastering = master::for_output(loudness, true);
    return Hasher()
        .add("piece/17")
        .add(k.speech)
        .add(kSpeechLead)
        .add(k.span.at(codec))
        .add(mastering.target.integrated_lufs)
        .add(mastering.target.true_peak_dbtp)
        .add(master::fingerprint(mastering.limiter))
        .add(master::decoded_peak_limit(loudness))
        .add(encode::fingerprint(codec, o.encoder))
        .hex();
}

}  // namespace turncast::render
