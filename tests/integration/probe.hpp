// Test helpers: reopen what turncast wrote with libavformat/libavcodec, as an
// independent reader would, and run the other independent readers (ffprobe,
// opusinfo, mediainfo).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace turncast::test {

struct ProbedChapter {
    std::string title;
    double start = 0, end = 0;  // seconds
};

struct Probe {
    std::string format;        // libavformat's short name: "ogg", "mov,mp4,m4a,3gp,3g2,mj2"
    std::string codec;         // "opus", "aac"
    int sample_rate = 0;
    int channels = 0;
    double duration = 0;       // seconds, from the container
    // Where playing starts, in seconds: MP3's LAME-header delay, which
    // libavformat counts into `duration` (the frames' length); 0 elsewhere.
    double start = 0;
    std::vector<ProbedChapter> chapters;
    std::map<std::string, std::string> tags;  // format + stream metadata, keys lowercased
};

Probe probe(const std::string& path);

// Decodes the whole first audio stream to mono float at its own rate, with the
// container's pre-skip / edit list honoured.
std::vector<float> decode(const std::string& path, int* rate = nullptr);

// Runs a command, returns its exit status; stdout+stderr in *output.
int run(const std::string& command, std::string* output = nullptr);

// A fresh temporary folder, removed with its contents by the destructor.
struct TempDir {
    TempDir();
    ~TempDir();
    std::string path;
};

}  // namespace turncast::test
