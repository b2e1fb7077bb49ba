// Listening by numbers: what a stretch of synthesised speech measures as —
// its median pitch, the pitch's slope at its end, its speaking rate, its
// silences and clipped samples. `turncast voices --measure` and the palette
// test use these to keep voices apart and true to the cast file. Pitch is
// aubio's YIN estimate.
#pragma once

#include <cstdint>
#include <vector>

namespace turncast::measure {

// Pitch track: one estimate per hop (10 ms), Hz; 0 where unvoiced or unsure,
// and for a lone estimate between unvoiced hops.
std::vector<double> pitch_track(const std::vector<std::int16_t>& pcm, int sample_rate);

// Median of the voiced estimates, Hz (0 if none).
double median_pitch(const std::vector<double>& track);

// Least-squares slope of the voiced pitch, in semitones per second, over the
// last `seconds` of voiced speech (0 if too little is voiced).
double end_slope(const std::vector<double>& track, double seconds);

// Semitones from a to b (positive when b is higher).
double semitones(double a_hz, double b_hz);

// Samples at full scale (±32767, -32768).
std::size_t clipped(const std::vector<std::int16_t>& pcm);

// Samples of silence (below -50 dBFS, in 10 ms blocks) at the start and at the end.
std::size_t leading_silence(const std::vector<std::int16_t>& pcm, int sample_rate);
std::size_t trailing_silence(const std::vector<std::int16_t>& pcm, int sample_rate);

// Words per minute: `words` over the time from the first sound to the last.
double words_per_minute(const std::vector<std::int16_t>& pcm, int sample_rate, int words);

}  // namespace turncast::measure
