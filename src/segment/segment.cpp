// Document → speakers and turns. Three passes:
//   1. identities: every label → one speaker (long/short forms, honorifics and
//      mislabels merged; role labels become questioners or the moderator);
//   2. the main speaker (named in the title) and, in debates, the moderator;
//   3. turns: a label starts a turn that runs to the next label, and each turn
//      gets its kind (Remarks, Question, FollowUp, Answer, Closing, Stage).
#include "segment/segment.hpp"

#include <algorithm>
#include <optional>
#include <regex>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "parse/text.hpp"

namespace turncast::segment {
namespace {

namespace text = parse::text;

enum class LabelKind { None, Question, Remark, Moderator, Named };

struct Span {  // paragraphs [first, last] under one label
    std::size_t first = 0, last = 0;
    LabelKind kind = LabelKind::None;
    std::size_t named = 0;  // index into Builder::people for Named
    std::size_t words = 0;
    bool asks = false;      // holds a question mark
    bool ends_with_question = false;
};

struct Person {
    std::vector<std::string> key;    // name tokens without honorifics
    std::string display;
    std::size_t display_words = 0;
    std::string first_label;
    std::size_t words = 0;
    std::size_t turns = 0, asking_turns = 0;
    std::size_t first_seen = 0;
};

bool ends_with_question(const std::string& t) {
    std::size_t e = t.size();
    while (e > 0 && (t[e - 1] == ' ' || t[e - 1] == '"' || t[e - 1] == ')' || t[e - 1] == '\'')) --e;
    return e > 0 && t[e - 1] == '?';
}

class Builder {
public:
    Builder(const Document& doc, const parse::Rules& rules) : doc_(doc), rules_(rules) {
        for (const auto& h : rules.honorifics) honorifics_.insert(text::lower_ascii(h));
    }

    Segmentation run() {
        spans();
        people_roles();
        turns();
        return std::move(seg_);
    }

private:
    bool in(const std::vector<std::string>& list, const std::string& label) const {
        std::string l = label;
        while (!l.empty() && l.back() == '.') l.pop_back();
        for (const auto& w : list)
            if (text::iequals(w, l)) return true;
        return false;
    }

    std::vector<std::string> name_key(const std::string& label) const {
        auto toks = text::tokens(label);
        std::vector<std::string> out;
        for (auto& t : toks)
            if (!honorifics_.count(t)) out.push_back(std::move(t));
        if (out.empty()) return text::tokens(label);
        return out;
    }

    static bool is_suffix(const std::vector<std::string>& shorter, const std::vector<std::string>& longer) {
        if (shorter.size() > longer.size() || shorter.empty()) return false;
        return std::equal(shorter.rbegin(), shorter.rend(), longer.rbegin());
    }

    // Finds or creates the person a named label refers to.
    std::size_t person_for(const Paragraph& p) {
        auto key = name_key(p.label);
        std::string joined;
        for (const auto& t : key) joined += t + " ";
        if (auto it = by_key_.find(joined); it != by_key_.end()) {
            Person& who = people_[it->second];
            if (!text::iequals(who.first_label, p.label) && text::tokens(who.first_label) != text::tokens(p.label) &&
                name_key(who.first_label) == key && honorific_differs(who.first_label, p.label))
                warn_once("line " + std::to_string(p.pos.line) + ": \"" + p.label + "\" taken to be \"" +
                          who.first_label + "\" (same name, different title: probably a mislabel)");
            rename(it->second, p.label);
            return it->second;
        }
        // Long form at first mention, short later (or the other way round):
        // the new key is a word-suffix of someone's key, or someone's key is a
        // word-suffix of the new one. Both lookups are hash probes, so 10,000
        // speakers sharing a surname stay linear.
        std::optional<std::size_t> match;
        bool ambiguous = false;
        auto consider = [&](std::size_t idx) {
            if (match && *match != idx) ambiguous = true;
            match = idx;
        };
        if (auto it = by_suffix_.find(joined); it != by_suffix_.end()) {
            consider(it->second.first);
            if (it->second.second) ambiguous = true;
        }
        std::string suffix;
        for (std::size_t k = key.size(); k-- > 1;) {
            suffix = key[k] + " " + suffix;
            if (auto it = by_key_.find(suffix); it != by_key_.end()) consider(it->second);
        }
        if (match && !ambiguous) {
            by_key_.emplace(joined, *match);
            rename(*match, p.label);
            return *match;
        }
        Person who;
        who.key = key;
        who.first_label = p.label;
        who.display = text::pretty_name(p.label);
        who.display_words = key.size();
        people_.push_back(std::move(who));
        const std::size_t idx = people_.size() - 1;
        by_key_.emplace(joined, idx);
        std::string tail;
        for (std::size_t k = people_[idx].key.size(); k-- > 1;) {  // proper suffixes only
            tail = people_[idx].key[k] + " " + tail;
            auto [it, fresh] = by_suffix_.emplace(tail, std::make_pair(idx, false));
            if (!fresh && it->second.first != idx) it->second.second = true;
        }
        return idx;
    }

    bool honorific_differs(const std::string& a, const std::string& b) const {
        auto first_h = [&](const std::string& l) {
            for (const auto& t : text::tokens(l))
                if (honorifics_.count(t)) return t;
            return std::string();
        };
        return first_h(a) != first_h(b);
    }

    // The shortest form with at least two words reads best: "Vladimir Putin",
    // not "President of Russia Vladimir Putin".
    void rename(std::size_t idx, const std::string& label) {
        Person& who = people_[idx];
        const auto k = name_key(label);
        if (k.size() >= 2 && k.size() < who.display_words) {
            who.display = text::pretty_name(label);
            who.display_words = k.size();
        } else if (who.display_words < 2 && k.size() > who.display_words) {
            who.display = text::pretty_name(label);
            who.display_words = k.size();
        }
    }

    void warn_once(std::string w) {
        if (warned_.insert(w).second) seg_.warnings.push_back(std::move(w));
    }

    // Pass 1: label spans and the people behind the named labels.
    void spans() {
        const auto& ps = doc_.paragraphs;
        for (std::size_t i = 0; i < ps.size(); ++i) {
            const Paragraph& p = ps[i];
            if (!p.label.empty()) {
                Span s;
                s.first = s.last = i;
                if (in(rules_.question_labels, p.label)) s.kind = LabelKind::Question;
                else if (in(rules_.remark_labels, p.label)) s.kind = LabelKind::Remark;
                else if (in(rules_.moderator_labels, p.label)) s.kind = LabelKind::Moderator;
                else {
                    s.kind = LabelKind::Named;
                    s.named = person_for(p);
                }
                spans_.push_back(s);
            } else if (spans_.empty()) {
                Span s;
                s.first = s.last = i;
                s.kind = LabelKind::None;
                spans_.push_back(s);
            } else {
                spans_.back().last = i;
            }
            if (!p.stage_direction) {
                spans_.back().words += text::count_words(p.text);
                if (p.text.find('?') != std::string::npos) spans_.back().asks = true;
            }
        }
        for (auto& s : spans_) {
            for (std::size_t i = s.last + 1; i-- > s.first;)
                if (!ps[i].stage_direction) { s.ends_with_question = ends_with_question(ps[i].text); break; }
            if (s.kind == LabelKind::Named) {
                Person& who = people_[s.named];
                who.words += s.words;
                who.turns += 1;
                who.asking_turns += s.asks;
            }
        }
    }

    // Pass 2: who is the main speaker, who moderates.
    void people_roles() {
        const std::string& title = doc_.meta.title;
        // A title is a line; a megabyte "title" from front matter names nobody.
        const auto tt = title.size() <= 2000 ? text::tokens(title) : std::vector<std::string>{};
        std::optional<std::size_t> main;
        for (std::size_t idx = 0; idx < people_.size(); ++idx) {
            const auto& key = people_[idx].key;
            bool found = false;
            for (std::size_t s = 0; !found && s + key.size() <= tt.size(); ++s)
                found = std::equal(key.begin(), key.end(), tt.begin() + s);
            if (!found && key.size() >= 2)  // surname alone in the title ("Lavrov's remarks")
                found = std::find(tt.begin(), tt.end(), key.back()) != tt.end() && key.back().size() >= 4;
            if (found && (!main || people_[idx].words > people_[*main].words)) main = idx;
        }
        const bool opening_unlabelled = !spans_.empty() && spans_.front().kind == LabelKind::None;
        if (!main && opening_unlabelled) {
            // "Sergey Lavrov's remarks at ..." with no "Sergey Lavrov:" label anywhere.
            static const std::regex possessive(
                "^((?:[A-Z][A-Za-z.-]+ ){0,3}[A-Z][A-Za-z-]+)'s? (?:remarks|speech|statement|address|opening|"
                "interview|answers|lecture|keynote|comments|introductory|video address)\\b.*");
            std::smatch m;
            if (title.size() < 600 && std::regex_match(title, m, possessive)) {
                Person who;
                who.key = name_key(m[1]);
                who.display = m[1];
                who.display_words = who.key.size();
                who.first_label = m[1];
                people_.push_back(who);
                main = people_.size() - 1;
            }
        }
        main_from_title_ = main.has_value();
        bool has_questions = false;
        for (const auto& s : spans_) has_questions |= s.kind == LabelKind::Question;
        if (!main && !people_.empty() && (has_questions || people_.size() == 1)) {
            main = 0;
            for (std::size_t idx = 1; idx < people_.size(); ++idx)
                if (people_[idx].words > people_[*main].words) main = idx;
        }
        // Debates and interviews: without "Question:" labels, the person whose
        // turns ask questions is the moderator.
        std::optional<std::size_t> moderator;
        if (!has_questions && people_.size() >= 2) {
            for (std::size_t idx = 0; idx < people_.size(); ++idx) {
                const Person& p = people_[idx];
                if (main && idx == *main && people_.size() > 2) continue;
                if (p.asking_turns < 2 || p.asking_turns * 2 < p.turns) continue;
                if (!moderator || p.asking_turns > people_[*moderator].asking_turns) moderator = idx;
            }
            if (moderator && main && *moderator == *main) main.reset();
        }
        main_ = main;
        moderator_ = moderator;

        // Speakers, in order of first appearance, with unique slug ids.
        person_speaker_.assign(people_.size(), kNone);
        std::vector<std::size_t> order;
        std::vector<bool> seen(people_.size(), false);
        if (opening_unlabelled && main_ && main_from_title_) { order.push_back(*main_); seen[*main_] = true; }
        for (const auto& s : spans_)
            if (s.kind == LabelKind::Named && !seen[s.named]) { order.push_back(s.named); seen[s.named] = true; }
        for (std::size_t idx : order) {
            Speaker sp;
            sp.name = people_[idx].display;
            sp.role = (main_ && idx == *main_) ? SpeakerRole::Main
                      : (moderator_ && idx == *moderator_) ? SpeakerRole::Moderator
                                                            : SpeakerRole::Other;
            person_speaker_[idx] = add_speaker(std::move(sp));
        }
    }

    static constexpr std::size_t kNone = static_cast<std::size_t>(-1);

    std::size_t add_speaker(Speaker sp) {
        std::string base = parse::slugify(sp.name);
        if (base == "untitled") base = "speaker";
        std::string id = base;
        for (int n = 2; ids_.count(id); ++n) id = base + "-" + std::to_string(n);
        ids_.insert(id);
        sp.id = id;
        seg_.speakers.push_back(std::move(sp));
        return seg_.speakers.size() - 1;
    }

    std::size_t narrator(const char* id, const char* name) {
        if (narrator_ == kNone) {
            Speaker sp;
            sp.name = name;
            sp.role = SpeakerRole::Narrator;
            if (ids_.count(id)) {
                narrator_ = add_speaker(std::move(sp));
            } else {
                sp.id = id;
                ids_.insert(id);
                seg_.speakers.push_back(std::move(sp));
                narrator_ = seg_.speakers.size() - 1;
            }
        }
        return narrator_;
    }

    std::size_t new_questioner() {
        Speaker sp;
        const int n = ++questioners_;
        sp.name = "Questioner " + std::to_string(n);
        sp.role = SpeakerRole::Questioner;
        std::string id = "questioner-" + std::to_string(n);
        if (ids_.count(id)) return add_speaker(std::move(sp));
        sp.id = id;
        ids_.insert(id);
        seg_.speakers.push_back(std::move(sp));
        return seg_.speakers.size() - 1;
    }

    std::size_t moderator_speaker(const std::string& label) {
        if (moderator_label_speaker_ == kNone) {
            Speaker sp;
            sp.name = text::pretty_name(label);
            sp.role = SpeakerRole::Moderator;
            moderator_label_speaker_ = add_speaker(std::move(sp));
        }
        return moderator_label_speaker_;
    }

    bool opens_follow_up(std::size_t para) const {
        const std::string& t = doc_.paragraphs[para].text;
        for (const auto& w : rules_.follow_up_openers)
            if (text::istarts_with(t, w)) return true;
        return false;
    }

    bool asks_to_repeat(const Span& answer) const {
        for (std::size_t i = answer.first; i <= answer.last; ++i) {
            const std::string t = text::lower_ascii(doc_.paragraphs[i].text);
            for (const auto& c : rules_.clarifications)
                if (t.find(text::lower_ascii(c)) != std::string::npos) return true;
        }
        return false;
    }

    void push_turn(std::size_t speaker, TurnKind kind, const Span& s) {
        Turn t;
        t.speaker = speaker;
        t.kind = kind;
        t.pos = doc_.paragraphs[s.first].pos;
        for (std::size_t i = s.first; i <= s.last; ++i) t.paragraphs.push_back(i);
        seg_.turns.push_back(std::move(t));
        last_span_ = &s;
    }

    // Pass 3: turns and their kinds.
    void turns() {
        std::size_t last_question_span = kNone;
        for (std::size_t k = 0; k < spans_.size(); ++k)
            if (spans_[k].kind == LabelKind::Question ||
                (moderator_ && spans_[k].kind == LabelKind::Named && spans_[k].named == *moderator_ && spans_[k].asks))
                last_question_span = k;

        std::size_t questioner = kNone;  // the current question's asker
        bool question_open = false;
        for (std::size_t k = 0; k < spans_.size(); ++k) {
            const Span& s = spans_[k];
            Turn* prev = seg_.turns.empty() ? nullptr : &seg_.turns.back();
            switch (s.kind) {
            case LabelKind::None: {
                // Unlabelled opening: the main speaker named in the title, else a narrator.
                if (main_ && main_from_title_) {
                    push_turn(person_speaker_[*main_], TurnKind::Remarks, s);
                } else if (people_.empty() && !has_role_labels()) {
                    push_turn(narrator("reader", "Reader"), TurnKind::Remarks, s);
                    warn_once("no speaker labels: one voice (\"Reader\") reads the whole text");
                } else {
                    bool all_stage = true;
                    for (std::size_t i = s.first; i <= s.last; ++i) all_stage &= doc_.paragraphs[i].stage_direction;
                    push_turn(narrator("narrator", "Narrator"), all_stage ? TurnKind::Stage : TurnKind::Remarks, s);
                }
                break;
            }
            case LabelKind::Question: {
                bool follow = false;
                if (question_open && questioner != kNone && prev && prev->kind == TurnKind::Answer &&
                    s.words <= static_cast<std::size_t>(rules_.follow_up_max_words)) {
                    const Span* answer = last_span_;
                    follow = answer->ends_with_question || opens_follow_up(s.first) ||
                             (answer->words <= static_cast<std::size_t>(rules_.short_answer_words) &&
                              asks_to_repeat(*answer));
                }
                if (follow) {
                    push_turn(questioner, TurnKind::FollowUp, s);
                } else {
                    questioner = new_questioner();
                    push_turn(questioner, TurnKind::Question, s);
                }
                question_open = true;
                break;
            }
            case LabelKind::Remark: {
                if (questioner == kNone) {
                    questioner = new_questioner();
                    push_turn(questioner, TurnKind::Question, s);
                    question_open = true;
                } else {
                    push_turn(questioner, question_open ? TurnKind::FollowUp : TurnKind::Remarks, s);
                }
                break;
            }
            case LabelKind::Moderator: {
                const bool asks = s.asks;
                push_turn(moderator_speaker(doc_.paragraphs[s.first].label), asks ? TurnKind::Question : TurnKind::Remarks, s);
                if (asks) { question_open = true; questioner = kNone; }
                break;
            }
            case LabelKind::Named: {
                const std::size_t sp = person_speaker_[s.named];
                const bool is_main = main_ && s.named == *main_;
                const bool is_mod = moderator_ && s.named == *moderator_;
                if (is_mod) {
                    if (s.asks) {
                        push_turn(sp, TurnKind::Question, s);
                        question_open = true;
                        questioner = kNone;
                    } else if (prev && prev->speaker == sp) {
                        extend(*prev, s);
                    } else {
                        push_turn(sp, TurnKind::Remarks, s);
                    }
                    break;
                }
                const bool after_last_question = last_question_span == kNone || k > last_question_span;
                if (prev && prev->speaker == sp) {
                    // The same label again: one continuing turn — except the main
                    // speaker's closing words after answering the last question.
                    if (is_main && question_open && after_last_question && prev->kind == TurnKind::Answer) {
                        push_turn(sp, TurnKind::Closing, s);
                    } else {
                        extend(*prev, s);
                    }
                    break;
                }
                push_turn(sp, question_open ? TurnKind::Answer : TurnKind::Remarks, s);
                break;
            }
            }
        }
    }

    bool has_role_labels() const {
        for (const auto& s : spans_)
            if (s.kind != LabelKind::None && s.kind != LabelKind::Named) return true;
        return false;
    }

    void extend(Turn& t, const Span& s) {
        for (std::size_t i = s.first; i <= s.last; ++i) t.paragraphs.push_back(i);
        last_span_ = &s;
    }

    const Document& doc_;
    const parse::Rules& rules_;
    Segmentation seg_;
    std::unordered_set<std::string> honorifics_, warned_, ids_;
    std::vector<Span> spans_;
    std::vector<Person> people_;
    std::unordered_map<std::string, std::size_t> by_key_;
    // proper word-suffix of a key → (first person with it, whether several have it)
    std::unordered_map<std::string, std::pair<std::size_t, bool>> by_suffix_;
    std::vector<std::size_t> person_speaker_;
    std::optional<std::size_t> main_, moderator_;
    bool main_from_title_ = false;  // only then do unlabelled opening paragraphs belong to the main speaker
    std::size_t narrator_ = kNone;
    std::size_t moderator_label_speaker_ = kNone;
    int questioners_ = 0;
    const Span* last_span_ = nullptr;
};

}  // namespace

Segmentation segment(const Document& doc, const parse::Rules& rules) {
    return Builder(doc, rules).run();
}

}  // namespace turncast::segment
