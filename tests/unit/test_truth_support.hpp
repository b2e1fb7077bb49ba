// Scores the pure core (parse → segment → cast) against a hand-annotated truth
// file: who speaks every turn, where every chapter should start, each person's
// role and stated sex. The format (tests/fixtures/truth/README.md):
//
//   # comment
//   @role Vladimir Putin<TAB>main
//   @sex Vladimir Putin<TAB>male
//   <line><TAB><speaker>[<TAB>*]     a turn starts on this 1-based line; '*': a chapter starts here
//
// A speaker of "-" marks text nobody should speak (headers, page furniture).
#pragma once

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cast/cast.hpp"
#include "core/model.hpp"
#include "parse/parse.hpp"
#include "parse/text.hpp"
#include "segment/segment.hpp"

namespace turncast::truth {

struct TruthTurn {
    int line = 0;
    std::string speaker;
    bool chapter = false;
};

struct Truth {
    std::vector<TruthTurn> turns;
    std::map<std::string, std::string> role, sex;
};

inline Truth load_truth(const std::string& path) {
    std::ifstream f(path);
    if (!f) throw std::runtime_error("cannot open truth file " + path);
    Truth t;
    std::string l;
    int n = 0;
    while (std::getline(f, l)) {
        ++n;
        if (!l.empty() && l.back() == '\r') l.pop_back();
        if (l.empty() || l[0] == '#') continue;
        std::vector<std::string> cols;
        std::stringstream ss(l);
        for (std::string c; std::getline(ss, c, '\t');) cols.push_back(c);
        auto bad = [&] { return std::runtime_error(path + ":" + std::to_string(n) + ": bad truth line: " + l); };
        if (l[0] == '@') {
            const std::size_t sp = cols[0].find(' ');
            if (cols.size() != 2 || sp == std::string::npos) throw bad();
            const std::string key = cols[0].substr(0, sp), who = cols[0].substr(sp + 1);
            if (key == "@role") t.role[who] = cols[1];
            else if (key == "@sex") t.sex[who] = cols[1];
            else throw bad();
            continue;
        }
        if (cols.size() < 2) throw bad();
        TruthTurn tt;
        tt.line = std::stoi(cols[0]);
        tt.speaker = cols[1];
        tt.chapter = cols.size() > 2 && cols[2] == "*";
        if (!t.turns.empty() && tt.line < t.turns.back().line) throw bad();
        t.turns.push_back(tt);
    }
    return t;
}

struct Score {
    std::size_t words = 0, right_words = 0, clutter_words = 0, narrated_words = 0;
    std::size_t truth_chapters = 0, plan_chapters = 0, chapters_hit = 0;
    std::size_t shared_in_chapter = 0;      // chapters where two speakers share a voice
    std::size_t role_checked = 0, role_wrong = 0, principal_miscast = 0;
    std::size_t sex_checked = 0, sex_wrong = 0;
    std::size_t truth_people = 0, people_found = 0;
    std::vector<std::string> notes;

    double word_accuracy() const { return words ? double(right_words) / double(words) : 1.0; }
    double chapter_accuracy() const { return truth_chapters ? double(chapters_hit) / double(truth_chapters) : 1.0; }
};

// The truth turn a source line belongs to; `nth` picks among turns sharing that line.
inline std::size_t truth_turn_at(const Truth& t, int line, std::size_t nth = 0) {
    auto it = std::upper_bound(t.turns.begin(), t.turns.end(), line,
                               [](int l, const TruthTurn& tt) { return l < tt.line; });
    if (it == t.turns.begin()) return 0;
    std::size_t last = std::size_t(it - t.turns.begin()) - 1;
    std::size_t first = last;
    while (first > 0 && t.turns[first - 1].line == t.turns[last].line) --first;
    return std::min(last, first + nth);
}

inline Score score(const Document& doc, const Script& script, const Truth& truth) {
    Score s;
    // Which plan speaker speaks each paragraph.
    std::vector<std::size_t> para_speaker(doc.paragraphs.size(), SIZE_MAX);
    for (const auto& turn : script.turns)
        for (std::size_t p : turn.paragraphs)
            if (p < para_speaker.size()) para_speaker[p] = turn.speaker;

    std::map<std::string, std::map<std::size_t, std::size_t>> overlap;  // truth speaker → plan speaker → words
    std::map<int, std::size_t> seen_on_line;
    for (std::size_t p = 0; p < doc.paragraphs.size(); ++p) {
        const Paragraph& para = doc.paragraphs[p];
        const std::size_t nth = seen_on_line[para.pos.line]++;
        if (para.stage_direction || para_speaker[p] == SIZE_MAX) continue;
        const std::size_t w = parse::text::count_words(para.text);
        const TruthTurn& tt = truth.turns[truth_turn_at(truth, para.pos.line, nth)];
        s.words += w;
        if (tt.speaker == "-") {
            // The narrator may read a lead paragraph or a place line; no speaker may.
            const bool narrated = script.speakers[para_speaker[p]].role == SpeakerRole::Narrator;
            if (!narrated) s.clutter_words += w;
            else s.narrated_words += w;
            s.notes.push_back("line " + std::to_string(para.pos.line) + ": spoken" +
                              (narrated ? " by the narrator" : "") + ", but nobody should: " + para.text.substr(0, 60));
            continue;
        }
        overlap[tt.speaker][para_speaker[p]] += w;
    }
    // One truth person ↔ one plan speaker, largest overlaps first.
    struct Pair { std::size_t words; std::string who; std::size_t plan; };
    std::vector<Pair> pairs;
    for (const auto& [who, m] : overlap)
        for (const auto& [plan, w] : m) pairs.push_back({w, who, plan});
    std::sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) {
        return a.words != b.words ? a.words > b.words : a.who < b.who;
    });
    std::map<std::string, std::size_t> match;
    std::set<std::size_t> used;
    for (const auto& p : pairs) {
        if (match.count(p.who) || used.count(p.plan)) continue;
        match[p.who] = p.plan;
        used.insert(p.plan);
        s.right_words += p.words;
    }
    for (const auto& [who, m] : overlap) {
        std::size_t total = 0;
        for (const auto& [plan, w] : m) total += w;
        const std::size_t right = match.count(who) ? m.at(match.at(who)) : 0;
        if (right * 10 < total * 9)
            s.notes.push_back(who + ": " + std::to_string(total - right) + " of " + std::to_string(total) +
                              " words in another speaker's voice" +
                              (match.count(who) ? " (matched to " + script.speakers[match.at(who)].name + ")" : ""));
    }
    std::set<std::string> people;
    for (const auto& tt : truth.turns)
        if (tt.speaker != "-") people.insert(tt.speaker);
    s.truth_people = people.size();
    for (const auto& who : people) s.people_found += match.count(who);

    // Chapters: each truth start should have a plan start within one turn.
    std::vector<std::size_t> plan_starts;
    for (const auto& c : script.chapters) {
        if (c.first_turn >= script.turns.size() || script.turns[c.first_turn].paragraphs.empty()) continue;
        const Paragraph& para = doc.paragraphs[script.turns[c.first_turn].paragraphs.front()];
        plan_starts.push_back(truth_turn_at(truth, para.pos.line));
    }
    s.plan_chapters = script.chapters.size();
    for (std::size_t i = 0; i < truth.turns.size(); ++i) {
        if (!truth.turns[i].chapter) continue;
        ++s.truth_chapters;
        bool hit = false;
        for (std::size_t ps : plan_starts) hit = hit || (ps + 1 >= i && ps <= i + 1);
        if (hit) ++s.chapters_hit;
        else s.notes.push_back("line " + std::to_string(truth.turns[i].line) + ": no chapter starts near here");
    }

    // No two speakers of one chapter in one voice.
    std::map<std::size_t, std::map<std::string, std::set<std::size_t>>> voices;  // chapter → voice → speakers
    for (const auto& seg : script.segments) voices[seg.chapter][seg.voice].insert(seg.speaker);
    for (const auto& [c, m] : voices) {
        bool shared = false;
        for (const auto& [v, who] : m) shared = shared || who.size() > 1;
        if (shared) {
            ++s.shared_in_chapter;
            s.notes.push_back("chapter " + std::to_string(c + 1) + ": two speakers share a voice");
        }
    }

    // Roles and sexes of the people matched.
    for (const auto& [who, role] : truth.role) {
        if (!match.count(who)) continue;
        const Speaker& sp = script.speakers[match.at(who)];
        const std::string got = to_string(sp.role);
        ++s.role_checked;
        const bool wrong = got != role && !(role == "other" && got != "main");
        if (wrong) {
            ++s.role_wrong;
            s.notes.push_back(who + ": role " + got + ", truth " + role);
        }
        if (role == "main" && (got == "moderator" || got == "questioner")) ++s.principal_miscast;
    }
    for (const auto& [who, sex] : truth.sex) {
        if (!match.count(who)) continue;
        const Speaker& sp = script.speakers[match.at(who)];
        const Voice* v = script.find_voice(sp.voice);
        ++s.sex_checked;
        if (v && v->sex != Sex::Unstated && to_string(v->sex) != sex) {
            ++s.sex_wrong;
            s.notes.push_back(who + ": " + sex + ", voice '" + sp.voice + "' is " + to_string(v->sex));
        }
    }
    return s;
}

}  // namespace turncast::truth
