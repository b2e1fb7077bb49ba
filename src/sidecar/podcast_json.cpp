// Podcasting 2.0 JSON sidecars: chapters (v1.2.0) and transcript (v1.0.0).
// https://github.com/Podcastindex-org/podcast-namespace/blob/main/chapters/jsonChapters.md
// https://github.com/Podcastindex-org/podcast-namespace/blob/main/transcripts/transcripts.md
#include <nlohmann/json.hpp>

#include "sidecar/sidecar.hpp"
#include "sidecar/text.hpp"

namespace turncast::sidecar {

std::string chapters_json(const Script& script, const Timeline& timeline) {
    check_timeline(script, timeline);
    nlohmann::ordered_json chapters = nlohmann::ordered_json::array();
    const auto& starts = timeline.chapter_starts;
    for (std::size_t i = 0; i < script.chapters.size(); ++i) {
        // A chapter ends where the next begins; the last one with the audio.
        std::int64_t end = i + 1 < starts.size() ? starts[i + 1] : timeline.total;
        nlohmann::ordered_json c;
        c["startTime"] = seconds_ms(starts[i]);
        c["endTime"] = seconds_ms(end);
        c["title"] = script.chapters[i].title;
        chapters.push_back(std::move(c));
    }
    nlohmann::ordered_json doc = {{"version", "1.2.0"}};
    if (!script.meta.title.empty()) doc["title"] = script.meta.title;
    doc["chapters"] = std::move(chapters);
    // Invalid UTF-8 in a title must not abort a render: replace it.
    return doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::string transcript_json(const Script& script, const Timeline& timeline) {
    check_timeline(script, timeline);
    nlohmann::ordered_json segments = nlohmann::ordered_json::array();
    for (const auto& s : timed_sentences(script, timeline)) {
        nlohmann::ordered_json j;
        j["speaker"] = speaker_name(script, script.segments[s.segment]);
        j["startTime"] = seconds_ms(s.start);
        j["endTime"] = seconds_ms(s.end);
        j["body"] = s.body;
        segments.push_back(std::move(j));
    }
    nlohmann::ordered_json doc;
    doc["version"] = "1.0.0";
    doc["segments"] = std::move(segments);
    return doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace turncast::sidecar
