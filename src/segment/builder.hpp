// The segmenter's Builder (private to src/segment): its three passes are
// defined in people.cpp (passes 1 and 2: identities and roles) and turns.cpp
// (pass 3: turns and exchanges); segment.cpp runs them.
#pragma once

#include <algorithm>
#include <optional>
#include <regex>
#include <set>
#include <cctype>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "parse/text.hpp"
#include "segment/segment.hpp"

namespace turncast::segment::detail {

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
    bool introduced = false;  // a turn opens with "Name, Outlet."
};

inline bool ends_with_question(const std::string& t) {
    std::size_t e = t.size();
    while (e > 0 && (t[e - 1] == ' ' || t[e - 1] == '"' || t[e - 1] == ')' || t[e - 1] == '\'')) --e;
    return e > 0 && t[e - 1] == '?';
}

class Builder {
public:
    Builder(const Document& doc, const parse::Rules& rules) : doc_(doc), rules_(rules) {
        for (const auto& h : rules.honorifics) honorifics_.insert(text::lower_ascii(h));
    }

    Segmentation run();

private:
    bool in(const std::vector<std::string>& list, const std::string& label) const;

    std::vector<std::string> name_key(const std::string& label) const;

    static bool is_suffix(const std::vector<std::string>& shorter, const std::vector<std::string>& longer);

    // Finds or creates the person a named label refers to.
    std::size_t person_for(const Paragraph& p);

    bool honorific_differs(const std::string& a, const std::string& b) const;

    // The shortest form with at least two words reads best: "Vladimir Putin",
    // not "President of Russia Vladimir Putin".
    void rename(std::size_t idx, const std::string& label);

    void warn_once(std::string w);

    // Pass 1: label spans and the people behind the named labels.
    void spans();

    // Machine transcripts label voices, not people ("Speaker 2", "Unknown
    // Speaker"), and one label may hold several people in turn. A
    // self-introduction in such a turn ("Hi, I'm Maria Lopez, ...") says who
    // speaks from there on under that label: a person already labelled by
    // name, or a new one.
    void generic_labels();

    // ------------------------------------------------------------ conversation cues

    // Lower-case tokens of the first and last words of a span: where a
    // handover names the next speaker ("Valery Sanfirov, Mayak. Please.",
    // "Secretary Clinton, two minutes.").
    std::vector<std::string> edge_tokens(const Span& s) const;

    // Does span `s` name person `who` (a word of their name of three letters or
    // more, honorifics aside) in its first or last words?
    bool names(const Span& s, const Person& who) const;

    static bool contains_phrase(const std::string& lower, const std::string& phrase);

    // A floor phrase ("go ahead", "next question") in the span's last words,
    // or anywhere in a short span.
    bool gives_floor(const Span& s) const;

    // Does the span's text break off ("On infrastructure, does —")?
    bool cut_off(const Span& s) const;

    bool opens_with(std::size_t para, const std::vector<std::string>& list) const;

    // Does the paragraph open by calling a principal or moderator by name
    // ("Jake?", "Mr. Sullivan?", "Jen, real quick: ...")?
    bool addresses_principal(std::size_t para) const;

    // "Valery Sanfirov, Mayak radio station." or "My name is Anna Ivanova, from
    // RIA Novosti." among a question's first sentences: the asker's name and
    // outlet. Names that share a word with a principal or moderator (the
    // person addressed: "Vladimir Vladimirovich, ...") are not introductions.
    struct Intro { std::string name, outlet; };
    std::optional<Intro> self_introduction(const Span& s) const;

    // Pass 2: roles from the title, the labels and the conversation: who
    // answers (principals), who gives the floor or asks every question
    // (moderators), who asks (questioners).
    // What pass 2 finds, person by person.
    struct Roles {
        std::vector<bool> in_title, principal, moderator, asker;
        std::optional<std::size_t> main;
        std::vector<std::set<std::size_t>> named_next;  // whom each person hands to by name
        std::vector<std::size_t> floor_turns;           // turns that give the floor
        explicit Roles(std::size_t n)
            : in_title(n, false), principal(n, false), moderator(n, false), asker(n, false), named_next(n),
              floor_turns(n, 0) {}
        void add_person() {
            for (auto* v : {&in_title, &principal, &moderator, &asker}) v->push_back(false);
            named_next.emplace_back();
            floor_turns.push_back(0);
        }
    };

    void people_roles();

    // The main speaker from the title: the person it names who speaks most,
    // or one it names in the possessive and who has no label of their own.
    void main_in_title(Roles& r, const std::vector<std::string>& tt, bool opening_unlabelled);

    // The conversation: whom each person hands to, and whether the briefer
    // manages the floor.
    void handovers(Roles& r);

    // Moderators: by their label, or by giving the floor to several people
    // in short turns; principals: those the title names, or, when it names
    // nobody, whoever speaks most and anyone else of comparable length who
    // mostly does not ask.
    void moderators_and_principals(Roles& r);

    void interviewer(Roles& r);

    void questioners(Roles& r, const std::vector<std::string>& tt);

    void add_speakers(const Roles& r, bool opening_unlabelled);

    static constexpr std::size_t kNone = static_cast<std::size_t>(-1);

    std::size_t add_speaker(Speaker sp);

    std::size_t narrator(const char* id, const char* name);

    std::size_t new_questioner();

    std::size_t moderator_speaker(const std::string& label);

    bool opens_follow_up(std::size_t para) const;

    bool asks_to_repeat(const Span& answer) const;

    Turn& push_turn(std::size_t speaker, TurnKind kind, const Span& s);

    // The person behind a speaker, if a label named them.
    std::optional<std::size_t> person_of(std::size_t speaker) const;
    bool is_principal_speaker(std::size_t speaker) const;

    // A questioner who introduced themselves ("Valery Sanfirov, Mayak."): the
    // named person if a label already names them, else a speaker of that name.
    std::size_t introduced_questioner(const Intro& intro);

    // Would span k start a new asker's question? (For a moderator's handover
    // just before it.)
    bool asks_next(std::size_t k, std::size_t asker) const;

    // Pass 3: turns, their kinds, and where each question exchange starts.
    // An exchange starts at a new asker's question, or at the moderator's
    // handover just before it, and holds the asker's follow-ups and every
    // answer up to the next asker.
    static constexpr std::size_t kShortTurnWords = 15;    // "Thank you. I'll take that question."
    static constexpr std::size_t kSectionWords = 80;      // opening remarks, not a word of thanks
    static constexpr std::size_t kAnswerWords = 4;        // an answer, not a "Yeah." handing over
    static constexpr std::size_t kNewQuestionWords = 25;  // an ungreeted briefing "Q" this long is a new asker's

    // Pass 3's state: the exchange being built.
    struct Exchange {
        std::size_t asker = kNone;               // the current exchange's asker
        bool anonymous_asker = false;            // asker is a role-label questioner
        bool open = false;                       // an exchange has started
        bool handover = false;                   // a handover opened the exchange; its question is still to come
        bool answered = false;                   // the exchange has had an answer of substance
        bool floor_given = false;                // the span before gave someone the floor
        std::size_t asker_span = kNone;          // where the asker last spoke
        std::size_t last_question_span = kNone;  // the transcript's last question
    } ex_;

    void turns();

    void start_exchange(Turn& t, std::size_t who, bool anonymous);

    void unlabelled_turn(std::size_t k);

    // A role label's question ("Question:", "Q"): a follow-up of the current
    // anonymous asker's, or a new asker's.
    void question_turn(std::size_t k, bool floor_before);

    // A remark from the floor.
    void remark_turn(std::size_t k);

    // A named speaker's (or a moderator label's) span: a moderator's question
    // or handover, a named questioner's question, or a principal's answer.
    void named_turn(std::size_t k);

    bool has_role_labels() const;

    void extend(Turn& t, const Span& s);

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
    std::optional<std::size_t> main_;
    std::vector<bool> principal_, moderator_;           // per person
    bool debate_ = false;                               // only moderators ask
    std::unordered_map<std::size_t, std::size_t> speaker_person_;  // speaker → person
    bool floor_managed_ = false;  // the briefer gives the floor by name, often
    std::unordered_map<std::string, std::size_t> introduced_;      // name key → speaker (self-introduced askers)
    std::unordered_set<std::string> principal_tokens_;            // name words of principals and moderators
    std::unordered_set<std::size_t> label_role_moderator_;        // people whose label's role says moderator
    bool main_from_title_ = false;  // only then do unlabelled opening paragraphs belong to the main speaker
    std::size_t narrator_ = kNone;
    std::size_t moderator_label_speaker_ = kNone;
    int questioners_ = 0;
    const Span* last_span_ = nullptr;
};

}  // namespace turncast::segment::detail
