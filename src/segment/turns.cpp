// Segmenter pass 3: turns, their kinds, and where each question exchange
// starts. See builder.hpp.
#include "segment/builder.hpp"

namespace turncast::segment::detail {

void Builder::turns() {
    ex_ = {};
    for (std::size_t k = 0; k < spans_.size(); ++k)
        if (spans_[k].kind == LabelKind::Question ||
            (spans_[k].kind == LabelKind::Named && moderator_[spans_[k].named] && spans_[k].asks))
            ex_.last_question_span = k;
    for (std::size_t k = 0; k < spans_.size(); ++k) {
        const bool floor_before = ex_.floor_given;
        ex_.floor_given = false;
        switch (spans_[k].kind) {
        case LabelKind::None: unlabelled_turn(k); break;
        case LabelKind::Question: question_turn(k, floor_before); break;
        case LabelKind::Remark: remark_turn(k); break;
        case LabelKind::Moderator:
        case LabelKind::Named: named_turn(k); break;
        }
    }
}

void Builder::start_exchange(Turn& t, std::size_t who, bool anonymous) {
    t.opens_exchange = !ex_.handover;
    ex_.handover = false;
    ex_.open = true;
    ex_.answered = false;
    ex_.asker = who;
    ex_.anonymous_asker = anonymous;
}

void Builder::unlabelled_turn(std::size_t k) {
    const Span& s = spans_[k];
    // Unlabelled opening: the main speaker named in the title, else a
    // narrator. Text right before the main speaker's own first label
    // is a lead paragraph about the event: the narrator's.
    // Text before someone else's label (a debate's moderator) is not
    // the main speaker's either.
    const bool lead = k + 1 < spans_.size() && (spans_[k + 1].kind == LabelKind::Named ||
                                                spans_[k + 1].kind == LabelKind::Moderator);
    if (main_ && main_from_title_ && !lead) {
        push_turn(person_speaker_[*main_], TurnKind::Remarks, s);
    } else if (people_.empty() && !has_role_labels()) {
        push_turn(narrator("reader", "Reader"), TurnKind::Remarks, s);
        warn_once("no speaker labels: one voice (\"Reader\") reads the whole text");
    } else {
        bool all_stage = true;
        for (std::size_t i = s.first; i <= s.last; ++i) all_stage &= doc_.paragraphs[i].stage_direction;
        push_turn(narrator("narrator", "Narrator"), all_stage ? TurnKind::Stage : TurnKind::Remarks, s);
    }
}

void Builder::question_turn(std::size_t k, bool floor_before) {
    const Span& s = spans_[k];
    Turn* prev = seg_.turns.empty() ? nullptr : &seg_.turns.back();
    const std::string& label = doc_.paragraphs[s.first].label;
    const bool briefing_q = label == "Q";
    bool follow = false;
    if (ex_.open && ex_.asker != kNone && ex_.anonymous_asker && !ex_.handover) {
        const bool short_remark = s.words < 8 && !s.asks;  // "Thanks, Jen."
        if (ex_.answered && briefing_q && s.words <= 3 && addresses_principal(s.first)) {
            follow = false;  // "Jake?": a new reporter calling for the floor
        } else if (!ex_.answered || short_remark) {
            follow = true;
        } else if (floor_before) {
            // "But — go ahead." then "And, sorry, one more.": the floor
            // went back to the one who was asking.
            // So did a short "Go ahead." right after the asker's own
            // cut-off question ("On infrastructure, does —").
            follow = briefing_q && (opens_with(s.first, rules_.resumptions) ||
                                    (ex_.asker_span != kNone && ex_.asker_span + 2 == k &&
                                     cut_off(spans_[ex_.asker_span]) && last_span_ &&
                                     last_span_->words <= kShortTurnWords));
        } else if (prev && is_principal_speaker(prev->speaker) && last_span_ &&
                   last_span_->words <= kAnswerWords && !last_span_->asks) {
            follow = true;  // "Yeah." / "Sure.": the briefer lets the asker go on
        } else if (prev && prev->kind == TurnKind::Answer &&
                   s.words <= static_cast<std::size_t>(rules_.follow_up_max_words) &&
                   (last_span_->ends_with_question || opens_follow_up(s.first) ||
                    (last_span_->words <= static_cast<std::size_t>(rules_.short_answer_words) &&
                     asks_to_repeat(*last_span_)))) {
            follow = true;
        } else if (briefing_q) {
            // A briefing's "Q" goes on with the same reporter unless it
            // greets or calls the briefer ("Jake?", "Jen, real quick:")
            // or starts a long new question.
            follow = !addresses_principal(s.first) &&
                     (opens_with(s.first, rules_.continuations) ||
                      (!opens_with(s.first, rules_.greetings) &&
                       (floor_managed_ || s.words < kNewQuestionWords)));
        }
    }
    if (follow) {
        push_turn(ex_.asker, TurnKind::FollowUp, s);
    } else {
        const auto intro = self_introduction(s);
        const std::size_t who = intro ? introduced_questioner(*intro) : new_questioner();
        start_exchange(push_turn(who, TurnKind::Question, s), who, !intro);
    }
    ex_.asker_span = k;
}

void Builder::remark_turn(std::size_t k) {
    const Span& s = spans_[k];
    // From the floor: after a handover, the new asker; the current
    // anonymous asker if they spoke just now; else someone new, never
    // a chapter of its own once questions have begun.
    if (ex_.handover) {
        const std::size_t who = new_questioner();
        start_exchange(push_turn(who, TurnKind::Question, s), who, true);
        ex_.asker_span = k;
    } else if (ex_.open && ex_.asker != kNone && ex_.anonymous_asker && ex_.asker_span != kNone && k - ex_.asker_span <= 3) {
        push_turn(ex_.asker, TurnKind::FollowUp, s);
        ex_.asker_span = k;
    } else if (!ex_.open) {
        const std::size_t who = new_questioner();
        start_exchange(push_turn(who, TurnKind::Question, s), who, true);
        ex_.asker_span = k;
    } else {
        push_turn(new_questioner(), TurnKind::Remarks, s);
    }
}

void Builder::named_turn(std::size_t k) {
    const Span& s = spans_[k];
    Turn* prev = seg_.turns.empty() ? nullptr : &seg_.turns.back();
    const bool by_label = s.kind == LabelKind::Moderator;
    const std::size_t sp = by_label ? moderator_speaker(doc_.paragraphs[s.first].label)
                                    : person_speaker_[s.named];
    const SpeakerRole role = seg_.speakers[sp].role;
    const bool is_main = !by_label && main_ && s.named == *main_;
    if (role == SpeakerRole::Moderator) {
        const bool next_principal = k + 1 < spans_.size() && spans_[k + 1].kind == LabelKind::Named &&
                                    principal_[spans_[k + 1].named];
        const bool ready = !ex_.open || ex_.answered;
        if (s.asks && s.words >= 5 && next_principal && ready) {
            // A debate: the moderator's question to a principal.
            start_exchange(push_turn(sp, TurnKind::Question, s), sp, false);
        } else if ((!ex_.open || ex_.answered) &&
                   (asks_next(k + 1, ex_.asker) || (ex_.open && gives_floor(s) && !debate_) ||
                    (k + 2 < spans_.size() && spans_[k + 1].words < kShortTurnWords && asks_next(k + 2, ex_.asker)))) {
            // A handover: the exchange starts here, its question follows.
            Turn& t = push_turn(sp, TurnKind::Remarks, s);
            t.opens_exchange = true;
            ex_.handover = true;
            ex_.open = true;
            ex_.answered = false;
            ex_.asker = kNone;
        } else if (prev && prev->speaker == sp) {
            extend(*prev, s);
        } else {
            push_turn(sp, s.asks && ex_.open ? TurnKind::FollowUp : TurnKind::Remarks, s);
        }
        ex_.floor_given = true;
        return;
    }
    if (role == SpeakerRole::Questioner) {
        if (ex_.open && sp == ex_.asker) {
            if (prev && prev->speaker == sp) extend(*prev, s);
            else push_turn(sp, TurnKind::FollowUp, s);
        } else if (ex_.open && !ex_.answered && !ex_.handover && ex_.asker != kNone) {
            push_turn(sp, TurnKind::Remarks, s);  // cutting in before the answer
        } else {
            if (auto intro = self_introduction(s); intro && seg_.speakers[sp].affiliation.empty())
                seg_.speakers[sp].affiliation = intro->outlet;
            start_exchange(push_turn(sp, TurnKind::Question, s), sp, false);
        }
        ex_.asker_span = k;
        return;
    }
    // Principals and everyone else answer within an exchange.
    const bool after_last_question = ex_.last_question_span == kNone || k > ex_.last_question_span;
    if (prev && prev->speaker == sp) {
        // The same label again: one continuing turn — except the main
        // speaker's closing words after answering the last question.
        if (is_main && ex_.open && after_last_question && prev->kind == TurnKind::Answer) {
            push_turn(sp, TurnKind::Closing, s);
        } else {
            extend(*prev, s);
        }
    } else {
        // Before the questions, a second principal's own remarks.
        const bool section = !ex_.open && role == SpeakerRole::Main && s.words >= kSectionWords && prev &&
                             is_principal_speaker(prev->speaker);
        push_turn(sp, ex_.open ? TurnKind::Answer : TurnKind::Remarks, s).opens_section = section;
    }
    if (ex_.open && !ex_.handover && s.words >= kAnswerWords) ex_.answered = true;
    ex_.floor_given = gives_floor(s) || (k + 1 < spans_.size() && spans_[k + 1].kind == LabelKind::Named &&
                                     !principal_[spans_[k + 1].named] && names(s, people_[spans_[k + 1].named]));
}

bool Builder::has_role_labels() const {
    for (const auto& s : spans_)
        if (s.kind != LabelKind::None && s.kind != LabelKind::Named) return true;
    return false;
}

void Builder::extend(Turn& t, const Span& s) {
    for (std::size_t i = s.first; i <= s.last; ++i) t.paragraphs.push_back(i);
    last_span_ = &s;
}

}  // namespace turncast::segment::detail
