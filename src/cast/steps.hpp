// The steps of cast() (cast.cpp), shared by the files that hold them:
// voices (voices.cpp) and chapters (chapters.cpp). Private to src/cast.
#pragma once

#include <cstddef>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "cast/cast.hpp"

namespace turncast::cast::detail {

constexpr int kTitleWords = 8;
// Chapters by length: a break at a paragraph once a chapter has run this long…
constexpr double kMinChapterS = 5 * 60, kTargetChapterS = 7.5 * 60, kMaxChapterS = 10 * 60;
// …unless what is left would make a stub chapter.
constexpr double kMinTailS = 2 * 60;
// Debate: a moderator's question opens a chapter after at least this much.
constexpr double kMinDebateChapterS = 60;

constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
// Casting and chapter planning depend on each other; they settle within a few rounds.
constexpr int kCastingRounds = 4;

// A segment being planned, with what the later steps need to know about it.
struct Planned {
    Segment seg;
    std::string display;  // the words as written (for chapter titles)
    int extra_pause_ms = 0;
    int words = 0;
    bool continues = false;  // the rest of a paragraph too long for one segment
};

// Where a chapter starts in the plan, and its title.
struct ChapterStart {
    std::size_t segment;
    std::string title;
};

// Helpers of step 1 (cast.cpp) the other steps use.
std::string collapse_spaces(const std::string& s);
// Whether each turn opens a question exchange.
std::vector<bool> exchange_starts(const Segmentation& seg);
// A speaker known only by role ("Questioner 2").
bool anonymous(const Speaker& sp);
// A question's words for a chapter title, without the asker's introduction.
std::string question_words(const std::string& turn, const std::string& asker);
bool same_name(const std::string& a, const std::string& b);

// Step 2 (voices.cpp): gives every speaker a voice and returns the speakers
// who share theirs with another speaker; see there for the rules.
std::set<std::size_t> assign_voices(std::vector<Speaker>& speakers, std::size_t narrator,
                                    const std::vector<Planned>& plan,
                                    const std::vector<std::set<std::size_t>>& chapters, const CastConfig& cfg,
                                    std::vector<std::string>& warnings);

// Step 3 (chapters.cpp).
std::vector<ChapterStart> plan_chapters(const Document& doc, const Segmentation& seg,
                                        const std::vector<Speaker>& speakers, const std::vector<Planned>& plan,
                                        const std::vector<int>& durations_ms);
// The chapters each speaker is heard in.
std::vector<std::set<std::size_t>> chapters_heard(const std::vector<Planned>& plan,
                                                  const std::vector<ChapterStart>& starts, std::size_t speakers);
}  // namespace turncast::cast::detail
