// Segmenter passes 1 and 2: every label to one person, and who is who
// (principals, moderators, questioners). See builder.hpp.
#include "segment/builder.hpp"

namespace turncast::segment::detail {

bool Builder::in(const std::vector<std::string>& list, const std::string& label) const {
    std::string l = label;
    while (!l.empty() && l.back() == '.') l.pop_back();
    for (const auto& w : list)
        if (text::iequals(w, l)) return true;
    return false;
}

std::vector<std::string> Builder::name_key(const std::string& label) const {
    auto toks = text::tokens(label);
    std::vector<std::string> out;
    for (auto& t : toks)
        if (!honorifics_.count(t)) out.push_back(std::move(t));
    if (out.empty()) return text::tokens(label);
    return out;
}

bool Builder::is_suffix(const std::vector<std::string>& shorter, const std::vector<std::string>& longer) {
    if (shorter.size() > longer.size() || shorter.empty()) return false;
    return std::equal(shorter.rbegin(), shorter.rend(), longer.rbegin());
}

std::size_t Builder::person_for(const Paragraph& p) {
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

bool Builder::honorific_differs(const std::string& a, const std::string& b) const {
    auto first_h = [&](const std::string& l) {
        for (const auto& t : text::tokens(l))
            if (honorifics_.count(t)) return t;
        return std::string();
    };
    return first_h(a) != first_h(b);
}

void Builder::rename(std::size_t idx, const std::string& label) {
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

void Builder::warn_once(std::string w) {
    if (warned_.insert(w).second) seg_.warnings.push_back(std::move(w));
}

void Builder::spans() {
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
                // "ANDERSON COOPER, CNN ANCHOR:": the role after the name says moderator.
                for (const auto& t : text::tokens(p.label_role))
                    if (in(rules_.moderator_labels, t)) label_role_moderator_.insert(s.named);
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
    generic_labels();
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

void Builder::generic_labels() {
    static const std::regex generic("(?:speaker|unknown speaker|unidentified speaker|voice)(?: ?\\d+)?",
                                    std::regex::icase);
    std::unordered_map<std::size_t, std::size_t> now;  // generic person → who speaks under it
    for (auto& s : spans_) {
        if (s.kind != LabelKind::Named || !std::regex_match(people_[s.named].first_label, generic)) continue;
        const std::size_t label = s.named;
        if (const auto intro = self_introduction(s)) {
            Paragraph named = doc_.paragraphs[s.first];
            named.label = intro->name;
            now[label] = person_for(named);
        }
        if (auto it = now.find(label); it != now.end()) s.named = it->second;
    }
}

std::vector<std::string> Builder::edge_tokens(const Span& s) const {
    constexpr std::size_t kEdge = 30;
    std::vector<std::string> out;
    const auto& ps = doc_.paragraphs;
    std::vector<std::string> first, last;
    for (std::size_t i = s.first; i <= s.last && first.size() < kEdge; ++i)
        if (!ps[i].stage_direction)
            for (auto& t : text::tokens(std::string_view(ps[i].text).substr(0, 400))) {
                if (first.size() >= kEdge) break;
                first.push_back(std::move(t));
            }
    for (std::size_t i = s.last + 1; i-- > s.first && last.size() < kEdge;)
        if (!ps[i].stage_direction) {
            const std::string& t = ps[i].text;
            auto toks = text::tokens(std::string_view(t).substr(t.size() > 400 ? t.size() - 400 : 0));
            for (std::size_t k = toks.size(); k-- > 0 && last.size() < kEdge;) last.push_back(std::move(toks[k]));
        }
    out = std::move(first);
    out.insert(out.end(), last.begin(), last.end());
    return out;
}

bool Builder::names(const Span& s, const Person& who) const {
    const auto toks = edge_tokens(s);
    for (const auto& k : who.key)
        if (k.size() >= 3 && !honorifics_.count(k) && std::find(toks.begin(), toks.end(), k) != toks.end())
            return true;
    return false;
}

bool Builder::contains_phrase(const std::string& lower, const std::string& phrase) {
    const std::string p = text::lower_ascii(phrase);
    for (std::size_t at = lower.find(p); at != std::string::npos; at = lower.find(p, at + 1)) {
        const bool left = at == 0 || !std::isalnum(static_cast<unsigned char>(lower[at - 1]));
        const std::size_t e = at + p.size();
        const bool right = e >= lower.size() || !std::isalnum(static_cast<unsigned char>(lower[e])) ||
                           !std::isalnum(static_cast<unsigned char>(p.back()));
        if (left && right) return true;
    }
    return false;
}

bool Builder::gives_floor(const Span& s) const {
    const auto& ps = doc_.paragraphs;
    std::size_t i = s.last + 1;
    while (i-- > s.first && ps[i].stage_direction) {}
    if (i == static_cast<std::size_t>(-1) || i < s.first) return false;
    const std::string& t = ps[i].text;
    // A long answer's last paragraph that is only "Yeah." points at the next asker.
    if (i > s.first)
        for (const auto& w : rules_.floor_words)
            if (text::iequals(text::trim(t), w)) return true;
    const std::string tail = text::lower_ascii(std::string_view(t).substr(t.size() > 160 ? t.size() - 160 : 0));
    for (const auto& f : rules_.floor_phrases)
        if (contains_phrase(tail, f)) return true;
    return false;
}

bool Builder::cut_off(const Span& s) const {
    const auto& ps = doc_.paragraphs;
    for (std::size_t i = s.last + 1; i-- > s.first;) {
        if (ps[i].stage_direction) continue;
        std::string_view t = text::trim(ps[i].text);
        for (std::string_view dash : {"\u2014", "\u2013", "-", "--"})
            if (t.size() >= dash.size() && t.substr(t.size() - dash.size()) == dash) return true;
        return false;
    }
    return false;
}

bool Builder::opens_with(std::size_t para, const std::vector<std::string>& list) const {
    const std::string head = text::lower_ascii(std::string_view(doc_.paragraphs[para].text).substr(0, 80));
    for (const auto& w : list) {
        const std::string l = text::lower_ascii(w);
        if (head.compare(0, l.size(), l) != 0) continue;
        if (head.size() == l.size() || !std::isalnum(static_cast<unsigned char>(head[l.size()])) ||
            !std::isalnum(static_cast<unsigned char>(l.back())))
            return true;
    }
    return false;
}

bool Builder::addresses_principal(std::size_t para) const {
    const std::string& t = doc_.paragraphs[para].text;
    const auto toks = text::tokens(std::string_view(t).substr(0, 40));
    std::size_t k = 0;
    while (k < toks.size() && honorifics_.count(toks[k])) ++k;
    if (k >= toks.size() || !principal_tokens_.count(toks[k])) return false;
    // The name stands alone: "Jake?" or "Jen, ...", not "Jake Sullivan said".
    const std::size_t after = text::lower_ascii(t).find(toks[k]) + toks[k].size();
    return after >= t.size() || t[after] == ',' || t[after] == '?' || t[after] == '.' || t[after] == ':';
}

auto Builder::self_introduction(const Span& s) const -> std::optional<Intro> {
    const auto& ps = doc_.paragraphs;
    std::size_t i = s.first;
    while (i <= s.last && ps[i].stage_direction) ++i;
    if (i > s.last) return std::nullopt;
    const std::string head(std::string_view(ps[i].text).substr(0, 300));
    static const std::regex intro(
        "(?:^|[.!?] )(?:(?:Hello|Hi|Good (?:afternoon|morning|evening))[^.!?]*[.!] )?(?:My name is |I am |I'm |This is )?"
        "((?:[A-Z][a-z'-]+ ){1,2}[A-Z][a-z'-]+), (?:from |of |with |I am from |I'm from )?"
        "((?:the )?[A-Z0-9][^.!?]{1,60})[.!]");
    std::smatch m;
    static const std::regex named_as("(?:[Mm]y name is|I am|I'm) ((?:[A-Z][a-z'-]+ ){0,2}[A-Z][a-z'-]+)"
                                     "(?:,? (?:and )?(?:from|of|with|I represent|representing|I work for|I am from|I'm from) "
                                     "((?:the )?[A-Z0-9][^.!?,]{1,60}))?");
    if (std::regex_search(head, m, named_as)) {
        const std::string name = m[1];
        const auto toks = text::tokens(name);
        bool addressee = toks.size() < 1;
        for (const auto& t : toks)
            for (const auto& p : principal_tokens_) addressee = addressee || t == p;
        static const std::unordered_set<std::string> not_names = {"sorry", "not", "very", "sure", "glad", "from", "here", "the"};
        if (!toks.empty() && not_names.count(toks[0])) addressee = true;
        if (!addressee) return Intro{name, m[2].matched ? std::string(m[2]) : std::string()};
    }
    for (auto it = head.cbegin(); std::regex_search(it, head.cend(), m, intro); it = m[0].second) {
        const std::string name = m[1], outlet = m[2];
        if (text::count_words(outlet) > 8) continue;
        const auto toks = text::tokens(name);
        bool addressee = false;
        for (const auto& t : toks) {
            if (honorifics_.count(t)) addressee = true;
            for (const auto& p : principal_tokens_) addressee = addressee || t == p;
        }
        // "Mr President", "Dear colleagues": a title or a greeting, not a name.
        static const std::unordered_set<std::string> not_names = {
            "thank", "thanks", "dear", "president", "minister", "prime", "secretary", "colleagues",
            "good", "hello", "ladies", "gentlemen", "mister", "madam", "sir", "excellency", "yes", "well"};
        for (const auto& t : toks) addressee = addressee || not_names.count(t);
        if (addressee) continue;
        // An outlet that starts a sentence of its own ("Russia is ...") is not one.
        const auto ow = text::tokens(outlet);
        static const std::unordered_set<std::string> verbs = {"is", "are", "was", "were", "has", "have",
                                                              "will", "would", "can", "could", "do", "does",
                                                              "i", "you", "we", "it", "please"};
        bool sentence = false;
        for (const auto& t : ow) sentence = sentence || verbs.count(t);
        if (sentence) continue;
        return Intro{name, outlet};
    }
    return std::nullopt;
}

void Builder::people_roles() {
    const std::string& title = doc_.meta.title;
    // A title is a line; a megabyte "title" from front matter names nobody.
    const auto tt = title.size() <= 2000 ? text::tokens(title) : std::vector<std::string>{};
    Roles r(people_.size());
    const bool opening_unlabelled = !spans_.empty() && spans_.front().kind == LabelKind::None;
    main_in_title(r, tt, opening_unlabelled);
    main_from_title_ = r.main.has_value();
    bool has_questions = false;
    for (const auto& s : spans_) has_questions |= s.kind == LabelKind::Question;
    handovers(r);
    moderators_and_principals(r);
    if (!has_questions) interviewer(r);
    if (r.main && r.moderator[*r.main]) r.main.reset();
    if (!r.main) {
        for (std::size_t idx = 0; idx < people_.size(); ++idx)
            if (r.principal[idx] && (!r.main || people_[idx].words > people_[*r.main].words)) r.main = idx;
    }
    questioners(r, tt);
    // A debate or interview: nobody but the moderators asks, so only their
    // questions start exchanges (giving a candidate the floor does not).
    debate_ = !has_questions && std::find(r.asker.begin(), r.asker.end(), true) == r.asker.end() &&
              std::find(r.moderator.begin(), r.moderator.end(), true) != r.moderator.end();
    main_ = r.main;
    principal_ = r.principal;
    moderator_ = r.moderator;
    add_speakers(r, opening_unlabelled);
}

void Builder::main_in_title(Roles& r, const std::vector<std::string>& tt, bool opening_unlabelled) {
    const std::string& title = doc_.meta.title;
    for (std::size_t idx = 0; idx < people_.size(); ++idx) {
        const auto& key = people_[idx].key;
        bool found = false;
        for (std::size_t s = 0; !found && s + key.size() <= tt.size(); ++s)
            found = std::equal(key.begin(), key.end(), tt.begin() + s);
        if (!found && key.size() >= 2)  // surname alone in the title ("Lavrov's remarks")
            found = std::find(tt.begin(), tt.end(), key.back()) != tt.end() && key.back().size() >= 4;
        r.in_title[idx] = found;
        if (found && (!r.main || people_[idx].words > people_[*r.main].words)) r.main = idx;
    }
    if (!r.main && opening_unlabelled) {
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
            r.add_person();
            r.in_title.back() = true;
            r.main = people_.size() - 1;
        }
    }
}

void Builder::handovers(Roles& r) {
    // The conversation: whom each person hands to.
    for (std::size_t k = 0; k + 1 < spans_.size(); ++k) {
        const Span& s = spans_[k];
        const Span& n = spans_[k + 1];
        if (s.kind != LabelKind::Named) continue;
        if (n.kind == LabelKind::Named && n.named != s.named && names(s, people_[n.named]))
            r.named_next[s.named].insert(n.named);
        if (n.kind != LabelKind::None && gives_floor(s)) ++r.floor_turns[s.named];
    }
    // A briefing where the briefer hands out the floor ("Go ahead, Phil.")
    // at least once per eight questions: a reporter not handed it is the
    // one still asking.
    std::size_t q_turns = 0, handed = 0;
    for (const auto& s : spans_) q_turns += s.kind == LabelKind::Question;
    for (std::size_t n : r.floor_turns) handed += n;
    floor_managed_ = q_turns > 0 && handed * 8 >= q_turns;
}

void Builder::moderators_and_principals(Roles& r) {
    double max_wpt = 0;
    std::size_t most_words = 0;
    for (std::size_t idx = 0; idx < people_.size(); ++idx) {
        const Person& p = people_[idx];
        if (p.turns >= 2) max_wpt = std::max(max_wpt, double(p.words) / double(p.turns));
        if (p.words > people_[most_words].words) most_words = idx;
    }
    auto wpt = [&](std::size_t idx) {
        return people_[idx].turns ? double(people_[idx].words) / double(people_[idx].turns) : 0.0;
    };
    bool any_principal = false;
    for (std::size_t idx = 0; idx < people_.size(); ++idx) {
        r.principal[idx] = r.in_title[idx];
        any_principal = any_principal || r.in_title[idx];
    }
    // Moderators: by their label, or by giving the floor to several people
    // in short turns.
    for (std::size_t idx = 0; idx < people_.size(); ++idx) {
        const Person& p = people_[idx];
        if (r.principal[idx] || (!any_principal && idx == most_words)) continue;
        if (in(rules_.moderator_labels, p.first_label) || label_role_moderator_.count(idx)) {
            r.moderator[idx] = true;
            continue;
        }
        if (p.turns < 3 || wpt(idx) >= 0.6 * max_wpt) continue;
        const std::size_t handing = std::max(r.named_next[idx].size(), r.floor_turns[idx]);
        if (handing >= 2 && (p.asking_turns + r.floor_turns[idx] + r.named_next[idx].size()) * 2 >= p.turns)
            r.moderator[idx] = true;
    }
    // Principals when the title names nobody: whoever speaks most, and
    // anyone else of comparable length who mostly does not ask.
    if (!any_principal && !people_.empty()) {
        for (std::size_t idx = 0; idx < people_.size(); ++idx) {
            const Person& p = people_[idx];
            if (r.moderator[idx]) continue;
            const bool big = p.words * 10 >= people_[most_words].words * 3;
            if (idx == most_words || (big && p.asking_turns * 2 < p.turns + 1 && p.turns >= 2)) r.principal[idx] = true;
        }
    }
}

void Builder::interviewer(Roles& r) {
    // Interviews and two-person debates without "Question:" labels: the
    // one whose turns ask is the moderator.
    const bool any_moderator = std::find(r.moderator.begin(), r.moderator.end(), true) != r.moderator.end();
    if (!any_moderator && people_.size() >= 2) {
        std::optional<std::size_t> m;
        for (std::size_t idx = 0; idx < people_.size(); ++idx) {
            const Person& p = people_[idx];
            if (r.in_title[idx] && people_.size() > 2) continue;
            if (p.asking_turns < 2 || p.asking_turns * 2 < p.turns) continue;
            if (!m || p.asking_turns > people_[*m].asking_turns) m = idx;
        }
        if (m && !(r.main && *m == *r.main && people_.size() > 2)) {
            r.moderator[*m] = true;
            r.principal[*m] = false;
        }
    }
}

void Builder::questioners(Roles& r, const std::vector<std::string>& tt) {
    // Questioners: the rest who ask, or introduce themselves, in turns far
    // shorter than the principals'.
    std::size_t principal_words = 0;
    for (std::size_t idx = 0; idx < people_.size(); ++idx)
        if (r.principal[idx]) principal_words = std::max(principal_words, people_[idx].words);
    for (std::size_t idx = 0; idx < people_.size(); ++idx) {
        if (!r.principal[idx] && !r.moderator[idx]) continue;
        for (const auto& t : people_[idx].key) principal_tokens_.insert(t);
        // "Press Secretary Jen Psaki" in the title: "Jen" calls "MS. PSAKI" too.
        const std::string& surname = people_[idx].key.back();
        for (std::size_t s = 1; s < tt.size(); ++s)
            if (tt[s] == surname && tt[s - 1].size() >= 3 && !honorifics_.count(tt[s - 1])) principal_tokens_.insert(tt[s - 1]);
    }
    for (const auto& s : spans_)
        if (s.kind == LabelKind::Named && !r.principal[s.named] && !r.moderator[s.named] && self_introduction(s))
            people_[s.named].introduced = true;
    // Who first speaks right after a moderator, or asks in their first turn.
    std::vector<bool> called(people_.size(), false), seen_person(people_.size(), false);
    for (std::size_t k = 0; k < spans_.size(); ++k) {
        const Span& s = spans_[k];
        if (s.kind != LabelKind::Named || seen_person[s.named]) continue;
        seen_person[s.named] = true;
        const bool after_moderator = k > 0 && (spans_[k - 1].kind == LabelKind::Moderator ||
                                               (spans_[k - 1].kind == LabelKind::Named && r.moderator[spans_[k - 1].named]));
        called[s.named] = s.asks || after_moderator;
    }
    for (std::size_t idx = 0; idx < people_.size(); ++idx) {
        const Person& p = people_[idx];
        if (r.principal[idx] || r.moderator[idx]) continue;
        const bool asks = p.asking_turns * 2 >= p.turns || p.introduced || called[idx];
        if (asks && p.words * 2 < std::max<std::size_t>(principal_words, 1)) r.asker[idx] = true;
    }
}

void Builder::add_speakers(const Roles& r, bool opening_unlabelled) {
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
        sp.role = r.principal[idx] ? SpeakerRole::Main
                  : r.moderator[idx] ? SpeakerRole::Moderator
                  : r.asker[idx] ? SpeakerRole::Questioner
                               : SpeakerRole::Other;
        person_speaker_[idx] = add_speaker(std::move(sp));
        speaker_person_[person_speaker_[idx]] = idx;
    }    }

std::size_t Builder::add_speaker(Speaker sp) {
    std::string base = parse::slugify(sp.name);
    if (base == "untitled") base = "speaker";
    std::string id = base;
    for (int n = 2; ids_.count(id); ++n) id = base + "-" + std::to_string(n);
    ids_.insert(id);
    sp.id = id;
    seg_.speakers.push_back(std::move(sp));
    return seg_.speakers.size() - 1;
}

std::size_t Builder::narrator(const char* id, const char* name) {
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

std::size_t Builder::new_questioner() {
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

std::size_t Builder::moderator_speaker(const std::string& label) {
    if (moderator_label_speaker_ == kNone) {
        Speaker sp;
        sp.name = text::pretty_name(label);
        sp.role = SpeakerRole::Moderator;
        sp.role_only = true;
        moderator_label_speaker_ = add_speaker(std::move(sp));
    }
    return moderator_label_speaker_;
}

bool Builder::opens_follow_up(std::size_t para) const {
    const std::string& t = doc_.paragraphs[para].text;
    for (const auto& w : rules_.follow_up_openers)
        if (text::istarts_with(t, w)) return true;
    return false;
}

bool Builder::asks_to_repeat(const Span& answer) const {
    for (std::size_t i = answer.first; i <= answer.last; ++i) {
        const std::string t = text::lower_ascii(doc_.paragraphs[i].text);
        for (const auto& c : rules_.clarifications)
            if (t.find(text::lower_ascii(c)) != std::string::npos) return true;
    }
    return false;
}

Turn& Builder::push_turn(std::size_t speaker, TurnKind kind, const Span& s) {
    Turn t;
    t.speaker = speaker;
    t.kind = kind;
    t.pos = doc_.paragraphs[s.first].pos;
    for (std::size_t i = s.first; i <= s.last; ++i) t.paragraphs.push_back(i);
    seg_.turns.push_back(std::move(t));
    last_span_ = &s;
    return seg_.turns.back();
}

std::optional<std::size_t> Builder::person_of(std::size_t speaker) const {
    auto it = speaker_person_.find(speaker);
    if (it == speaker_person_.end()) return std::nullopt;
    return it->second;
}

bool Builder::is_principal_speaker(std::size_t speaker) const {
    auto p = person_of(speaker);
    return p && principal_[*p];
}

std::size_t Builder::introduced_questioner(const Intro& intro) {
    const auto key = name_key(intro.name);
    std::string joined;
    for (const auto& t : key) joined += t + " ";
    if (auto it = by_key_.find(joined); it != by_key_.end() && person_speaker_[it->second] != kNone) {
        Speaker& sp = seg_.speakers[person_speaker_[it->second]];
        if (sp.affiliation.empty()) sp.affiliation = intro.outlet;
        return person_speaker_[it->second];
    }
    if (auto it = introduced_.find(joined); it != introduced_.end()) return it->second;
    Speaker sp;
    sp.name = intro.name;
    sp.role = SpeakerRole::Questioner;
    sp.affiliation = intro.outlet;
    const std::size_t idx = add_speaker(std::move(sp));
    introduced_.emplace(joined, idx);
    return idx;
}

bool Builder::asks_next(std::size_t k, std::size_t asker) const {
    if (k >= spans_.size()) return false;
    const Span& n = spans_[k];
    if (n.kind == LabelKind::Question || n.kind == LabelKind::Remark) return true;
    if (n.kind != LabelKind::Named) return false;
    const std::size_t sp = person_speaker_[n.named];
    return sp != asker && seg_.speakers[sp].role == SpeakerRole::Questioner;
}

}  // namespace turncast::segment::detail
