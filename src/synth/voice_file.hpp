// espeak voice files with another question tune. espeak's English tune for a
// clause that ends in '?' ends almost flat (q1: -1.7 semitones a second over
// its last 500 ms); q2 rises (+5 to +12). A voice file's `tunes` line names the
// statement, comma, question and exclamation tunes (espeak-ng-data/intonations),
// so a voice asks its questions rising when it is loaded from a copy of its
// file whose third tune is q2. The copy lives in memory (memfd), where the
// forked espeak workers inherit it: nothing is written to disk.
//
//   auto text = turncast::synth::with_question_tune(read("…/lang/gmw/en-US"), read("…/voices/!v/m3"), "q2");
//   turncast::synth::MemoryFile file("en-US+m3 q2", text);
//   espeak_ng_SetVoiceByFile(file.path().c_str());
#pragma once

#include <string>

namespace turncast::synth {

// One voice file that speaks as the installed `voice_file` loaded with
// `variant_file` ("" for none) does, but ends questions with `tune`: the
// variant's lines (all but `name` and `language`) follow the voice's, which
// espeak reads exactly as it reads a variant (a test holds the samples
// identical); the third name of the `tunes` line becomes `tune`, or, for a
// file without one, a line with espeak's English tunes (s1 c1 q1 e1) and
// `tune` for questions is added. An `intonation` line (en-GB-x-gbcwmd's, the
// variant m5's) would choose every clause's tune from an older table, over
// the `tunes` line: it is dropped, so such a voice's statements end as
// espeak's English ones do (falling) too.
std::string with_question_tune(const std::string& voice_file, const std::string& variant_file,
                               const std::string& tune);

// A file in memory, open until destroyed; path() is /proc/self/fd/N, valid in
// this process and in every child forked from it. Throws LibraryError.
class MemoryFile {
public:
    MemoryFile(const std::string& name, const std::string& contents);
    ~MemoryFile();
    MemoryFile(const MemoryFile&) = delete;
    MemoryFile& operator=(const MemoryFile&) = delete;
    std::string path() const;

private:
    int fd_ = -1;
};

}  // namespace turncast::synth
