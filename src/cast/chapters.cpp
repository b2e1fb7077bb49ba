// Step 3 of cast(): chapters, by question, by moderator question or by length.
#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include <fmt/format.h>

#include "cast/cast.hpp"
#include "cast/steps.hpp"
#include "cast/text.hpp"

namespace turncast::cast::detail {


// The first segment of each turn (narrator announcement included).
bool first_of_turn(const std::vector<Planned>& plan, std::size_t i) {
    return i == 0 || plan[i - 1].seg.turn != plan[i].seg.turn;
}

// A point where a chapter can begin without parting an announcement from its speech.
bool can_break_before(const std::vector<Planned>& plan, std::size_t i) {
    if (i == 0) return true;
    const Segment& prev = plan[i - 1].seg;
    return !(prev.narration && prev.turn == plan[i].seg.turn && !plan[i].seg.narration);
}

// The first words spoken from segment `from` on (narrator lines skipped), read
// on into the same turn's next paragraphs when the first is short ("Jake,").
std::string opening_words(const std::vector<Planned>& plan, std::size_t from) {
    std::size_t i = from;
    while (i < plan.size() && plan[i].seg.narration) ++i;
    if (i == plan.size()) return text::first_words(plan.empty() ? "" : plan[from].display, kTitleWords);
    std::string words = plan[i].display;
    for (std::size_t k = i + 1; k < plan.size() && text::count_words(words) <= kTitleWords; ++k) {
        if (plan[k].seg.narration || plan[k].seg.turn != plan[i].seg.turn) break;
        words += " " + plan[k].display;
    }
    return text::first_words(words, kTitleWords);
}

// A turn's words, all paragraphs (stage directions left out).
std::string turn_text(const Document& doc, const Segmentation& seg, std::size_t t) {
    std::string out;
    for (std::size_t pi : seg.turns[t].paragraphs)
        if (pi < doc.paragraphs.size() && !doc.paragraphs[pi].stage_direction)
            out += (out.empty() ? "" : " ") + collapse_spaces(neutralise_markup(doc.paragraphs[pi].text));
    return out;
}

// Chapters of an event with questions: the opening, each further principal's
// opening remarks, one per question exchange (titled with its number, its
// asker and its first words), closing remarks.
std::vector<ChapterStart> question_chapters(const Document& doc, const Segmentation& seg,
                                            const std::vector<Speaker>& speakers, const std::vector<Planned>& plan,
                                            const std::vector<bool>& opens) {
    std::vector<ChapterStart> starts;
    auto kind = [&](std::size_t i) { return seg.turns.empty() ? TurnKind::Remarks : seg.turns[plan[i].seg.turn].kind; };
    auto turn_text = [&](std::size_t t) { return cast::detail::turn_text(doc, seg, t); };
    int question_no = 0;
    bool in_closing = false;
    std::size_t counted_to = 0;  // exchanges counted in turns [0, counted_to)
    for (std::size_t i = 0; i < plan.size(); ++i) {
        if (!first_of_turn(plan, i) && i != 0) continue;
        const std::size_t t = plan[i].seg.turn;
        if (seg.turns.empty()) break;
        // Question numbers count exchanges, including any without segments.
        for (; counted_to <= t && counted_to < opens.size(); ++counted_to) question_no += opens[counted_to];
        if (opens[t]) {
            // The question itself: this turn, or the first question after a handover.
            std::size_t q = t;
            for (std::size_t k = t; k < seg.turns.size() && (k == t || !opens[k]); ++k)
                if (seg.turns[k].kind == TurnKind::Question) { q = k; break; }
            // "Jake?" calls for the floor: the title reads the asker's next turn.
            for (std::size_t k = q + 1; k < seg.turns.size() && !opens[k] && text::count_words(turn_text(q)) <= 3; ++k)
                if (seg.turns[k].speaker == seg.turns[q].speaker) { q = k; break; }
            const Speaker& who = speakers[seg.turns[q].speaker];
            std::string asker;
            if (!anonymous(who)) asker = who.name;
            if (!asker.empty() && !who.affiliation.empty()) asker += ", " + who.affiliation;
            const std::string words = text::first_words(question_words(turn_text(q), who.name), kTitleWords);
            starts.push_back({i, asker.empty() ? fmt::format("Question {}: {}", question_no, words)
                                               : fmt::format("Question {} \u2014 {}: {}", question_no, asker, words)});
            in_closing = false;
        } else if (kind(i) == TurnKind::Closing && !in_closing) {
            starts.push_back({i, "Closing remarks"});
            in_closing = true;
        } else if (seg.turns[t].opens_section && i != 0) {
            starts.push_back({i, fmt::format("Opening remarks \u2014 {}", speakers[seg.turns[t].speaker].name)});
        } else if (i == 0) {
            starts.push_back({0, "Opening remarks"});
        }
    }
    return starts;
    return starts;
}

std::vector<ChapterStart> plan_chapters(const Document& doc, const Segmentation& seg,
                                        const std::vector<Speaker>& speakers, const std::vector<Planned>& plan,
                                        const std::vector<int>& durations_ms) {
    std::vector<ChapterStart> starts;
    if (plan.empty()) return starts;
    auto kind = [&](std::size_t i) { return seg.turns.empty() ? TurnKind::Remarks : seg.turns[plan[i].seg.turn].kind; };
    const std::vector<bool> opens = exchange_starts(seg);
    if (std::find(opens.begin(), opens.end(), true) != opens.end())
        return question_chapters(doc, seg, speakers, plan, opens);

    // A debate: a moderator's question (a turn that asks something) opens a chapter.
    // i: a speech segment that opens its turn's speech.
    auto is_moderator_question = [&](std::size_t i) {
        const Segment& s = plan[i].seg;
        if (s.narration) return false;
        if (i > 0 && plan[i - 1].seg.turn == s.turn && !plan[i - 1].seg.narration) return false;
        if (speakers[s.speaker].role != SpeakerRole::Moderator) return false;
        const std::string& d = plan[i].display;
        return d.find('?') != std::string::npos && text::count_words(d) >= kTitleWords;
    };
    bool debate = false;
    for (std::size_t i = 0; i < plan.size(); ++i) debate = debate || is_moderator_question(i);

    starts.push_back({0, opening_words(plan, 0)});
    double elapsed = 0;  // seconds in the current chapter
    double remaining = 0;
    for (int d : durations_ms) remaining += d / 1000.0;
    for (std::size_t i = 0; i < plan.size(); ++i) {
        const double here = durations_ms[i] / 1000.0;
        if (i > 0 && can_break_before(plan, i)) {
            // A turn's announcement goes with its speech: look at the speech.
            std::size_t speech = i;
            if (plan[i].seg.narration && i + 1 < plan.size() && plan[i + 1].seg.turn == plan[i].seg.turn)
                speech = i + 1;
            if (kind(i) == TurnKind::Closing && first_of_turn(plan, i)) {
                if (starts.back().title != "Closing remarks") {
                    starts.push_back({i, "Closing remarks"});
                    elapsed = 0;
                }
            } else if (debate) {
                // The opening may be short; later questions need a minute between them.
                if (first_of_turn(plan, i) && (elapsed >= kMinDebateChapterS || starts.size() == 1) &&
                    is_moderator_question(speech)) {
                    starts.push_back({i, opening_words(plan, speech)});
                    elapsed = 0;
                }
            } else if (elapsed >= kMinChapterS && remaining >= kMinTailS &&
                       (elapsed >= kTargetChapterS || elapsed + here > kMaxChapterS)) {
                starts.push_back({i, opening_words(plan, i)});
                elapsed = 0;
            }
        }
        elapsed += here;
        remaining -= here;
    }
    return starts;
}

// The chapters each speaker is heard in, by `starts` (in segment order).
std::vector<std::set<std::size_t>> chapters_heard(const std::vector<Planned>& plan,
                                                  const std::vector<ChapterStart>& starts, std::size_t speakers) {
    std::vector<std::set<std::size_t>> heard(speakers);
    std::size_t chapter = 0;
    for (std::size_t i = 0, next = 0; i < plan.size(); ++i) {
        while (next < starts.size() && starts[next].segment <= i) chapter = next++;
        heard[plan[i].seg.speaker].insert(chapter);
    }
    return heard;
}

}  // namespace turncast::cast::detail
