// What a transcript says about its speakers' sex: a title in a speaker's label
// ("Ms. Psaki"), titles before their name in the text ("Thank you, Mr Putin")
// and pronouns that follow a mention of their name ("Secretary Clinton … she
// voted"). Never their first name: "Jean" or "Sasha" says nothing.
#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include <fmt/format.h>

#include "cast/cast.hpp"
#include "cast/text.hpp"

namespace turncast::cast {

namespace {

// "Ms", "Mr.", "MADAM", "Sir", ...: the sex a title says; Unstated for any other word.
Sex title_sex(std::string_view word) {
    static const std::set<std::string> female = {"ms",   "mrs",  "miss",     "madam",    "madame",
                                                  "mme",  "mlle", "lady",     "dame",     "baroness",
                                                  "duchess", "countess", "queen", "princess"};
    static const std::set<std::string> male = {"mr", "mister", "sir", "lord", "baron", "duke", "king", "prince",
                                               "monsieur"};
    std::string title = text::lower(std::string(word));
    if (!title.empty() && title.back() == '.') title.pop_back();
    if (female.count(title)) return Sex::Female;
    if (male.count(title)) return Sex::Male;
    return Sex::Unstated;
}

// A byte that continues a word: ASCII letters and digits, and every byte of a
// multi-byte UTF-8 character (names like "Erdoğan").
bool word_byte(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x80 || std::isalnum(u) || c == '-' || c == '\'';
}


// Words that stand before a person's name without saying their sex
// ("President Yoon", "Prime Minister Trudeau", "Dr. Fauci").
bool person_title(const std::string& lw) {
    static const std::set<std::string> titles = {
        "president", "vice",      "secretary", "senator",   "sen",        "governor", "gov",     "minister",
        "prime",     "chancellor", "ambassador", "general", "gen",        "dr",       "doctor",  "professor",
        "prof",      "representative", "rep",  "congressman", "congresswoman", "speaker", "chairman",
        "chairwoman", "chair",    "mayor",     "premier",   "colonel",    "captain",  "admiral", "judge",
        "justice",   "leader",    "commissioner", "director", "deputy",   "emir",     "sheikh",  "pope",
        "patriarch", "comrade",   "spokesman", "spokeswoman", "officer",  "agent",    "lieutenant", "sergeant"};
    std::string t = lw;
    if (!t.empty() && t.back() == '.') t.pop_back();
    return titles.count(t) > 0;
}

// Labels that name a part, not a person: they give no surname to look for.
bool role_word(const std::string& lw) {
    static const std::set<std::string> roles = {
        "questioner", "question", "moderator", "narrator", "participant", "audience", "reporter", "interpreter",
        "journalist", "voice",    "unidentified", "unknown", "male",     "female",   "speaker",  "president",
        "answer",     "remark",   "remarks",  "host",     "anchor",      "operator", "staff",    "official",
        "member",     "guest",    "chairman", "chair",    "secretary",   "minister", "translator"};
    return roles.count(lw) > 0;
}

Sex pronoun_sex(const std::string& lw) {
    if (lw == "he" || lw == "him" || lw == "his" || lw == "himself") return Sex::Male;
    if (lw == "she" || lw == "her" || lw == "hers" || lw == "herself") return Sex::Female;
    return Sex::Unstated;
}

bool capitalised(std::string_view w) {
    const auto c = static_cast<unsigned char>(w.front());
    return c >= 0x80 || std::isupper(c);
}

// A full stop after these does not end a sentence ("Mr. Putin", "J. Biden").
bool abbreviation(const std::string& lw) {
    static const std::set<std::string> abbr = {"mr", "ms", "mrs", "dr", "st", "jr", "sr", "prof", "gen", "sen",
                                               "rep", "gov", "lt", "col", "sgt", "capt", "mt", "no", "vs"};
    return lw.size() == 1 || abbr.count(lw) > 0;
}

constexpr int kNobody = -1, kAmbiguous = -2, kSomeoneElse = -3;

// The key a speaker is found by: their surname (the label's last word,
// lowered), or "" when the label names a part ("Questioner 3", "Moderator").
std::string surname_key(std::string_view name) {
    std::string_view last = name;
    while (!last.empty() && last.back() == ' ') last.remove_suffix(1);
    last = last.substr(last.rfind(' ') == std::string_view::npos ? 0 : last.rfind(' ') + 1);
    if (last.size() < 2 || !capitalised(last)) return {};
    std::string lw = text::lower(last);
    if (role_word(lw) || title_sex(lw) != Sex::Unstated) return {};
    return lw;
}

struct Evidence {
    std::array<int, 2> count{};                    // female, male
    std::array<std::vector<std::string>, 2> items;  // the first few of each, in text order
    void add(Sex sex, std::string item) {
        const int side = sex == Sex::Female ? 0 : 1;
        ++count[side];
        if (items[side].size() < 3) items[side].push_back(std::move(item));
    }
};

// Reads one text, crediting `evidence` (indexed like the names in `keys`).
class Reader {
public:
    // keys: surnames and given names → speaker; titles: "senator" → the one
    // speaker the text calls Senator, so "the Senator" is a mention of them.
    Reader(const std::unordered_map<std::string, int>& keys, const std::unordered_map<std::string, int>& titles,
           std::vector<Evidence>& evidence)
        : keys_(keys), titles_(titles), evidence_(evidence) {}

    void read(const SexText& st) {
        t_ = st.text;
        st_ = &st;
        sentence_ = 0;
        title_ = {};
        mention_ = {};
        prev_.clear();
        sentence_start_ = index_ + 1;
        std::string last_lw;
        std::size_t last_end = std::string_view::npos;
        for (std::size_t i = 0; i < t_.size();) {
            if (text::is_word_at(t_, i)) {
                std::size_t j = i;
                while (j < t_.size()) {
                    if (text::is_word_at(t_, j)) j += text::char_len(t_, j);
                    else if ((t_[j] == '-' || t_[j] == '\'') && text::is_word_at(t_, j + 1)) ++j;
                    else break;
                }
                last_lw = text::lower(t_.substr(i, j - i));
                word(i, j, last_lw);
                last_end = j;
                i = j;
                continue;
            }
            const char c = t_[i];
            if (c == '.' || c == '!' || c == '?') {
                const bool at_end = i + 1 >= t_.size() || std::isspace(static_cast<unsigned char>(t_[i + 1])) ||
                                    t_[i + 1] == '"' || t_[i + 1] == ')' || static_cast<unsigned char>(t_[i + 1]) >= 0x80;
                const bool abbreviated = c == '.' && last_end == i && abbreviation(last_lw);
                if (at_end && !abbreviated) {
                    ++sentence_;
                    sentence_start_ = index_ + 1;
                    title_ = {};
                }
            }
            i += text::char_len(t_, i);
        }
    }

private:
    struct Title {
        long at = -1;  // word index, -1: none
        Sex sex = Sex::Unstated;
        std::size_t begin = 0;
    };
    struct Mention {
        int who = kNobody;
        long sentence = 0;
        bool spent = false;  // a pronoun has followed it
        std::string_view written;
    };

    // A name the speaker addresses: alone before a comma or the sentence's
    // end, at the sentence's start or after a comma ("Thank you, Karin.").
    bool vocative(std::size_t begin, std::size_t end) const {
        std::size_t a = end;
        if (a + 1 < t_.size() && t_[a] == '\'' && t_[a + 1] == 's') return false;
        if (a >= t_.size() || std::string_view(",?!").find(t_[a]) == std::string_view::npos) {
            if (!(a < t_.size() && t_[a] == '.')) return false;
        }
        std::size_t b = begin;
        while (b > 0 && t_[b - 1] == ' ') --b;
        return b == 0 || t_[b - 1] == ',' || sentence_start_ == index_;
    }

    std::string where() const { return st_->line > 0 ? fmt::format("line {}: ", st_->line) : std::string(); }

    void word(std::size_t begin, std::size_t end, const std::string& lw) {
        ++index_;
        const std::string_view w = t_.substr(begin, end - begin);
        const bool after_the = prev_ == "the";
        prev_ = lw;
        if (const Sex p = pronoun_sex(lw); p != Sex::Unstated) {
            if (mention_.who >= 0 && !mention_.spent && sentence_ - mention_.sentence <= 1)
                evidence_[mention_.who].add(p, fmt::format("{}{} \xE2\x80\xA6 {}", where(), mention_.written, w));
            mention_.spent = true;
            title_ = {};
            return;
        }
        if (const Sex s = title_sex(lw); s != Sex::Unstated || person_title(lw)) {
            // "the Senator": the one speaker called so; a name after it decides instead.
            if (after_the && capitalised(w)) {
                std::string t = lw;
                if (!t.empty() && t.back() == '.') t.pop_back();
                if (auto it = titles_.find(t); it != titles_.end() && it->second >= 0) {
                    const bool self = st_->speaker == static_cast<std::size_t>(it->second);
                    mention_ = {self ? kSomeoneElse : it->second, sentence_, false, w};
                }
            }
            // "Mr President" keeps the sex of "Mr".
            if (title_.at >= 0 && index_ - title_.at == 1 && s == Sex::Unstated) {
                title_.at = index_;
                return;
            }
            title_ = {index_, s, begin};
            return;
        }
        if (!capitalised(w)) {
            title_ = {};
            return;
        }
        const bool after_title = title_.at >= 0 && index_ - title_.at <= 3;
        std::string_view base = w;
        std::string key = lw;
        if (key.size() > 2 && key.compare(key.size() - 2, 2, "'s") == 0) {
            key.resize(key.size() - 2);
            base.remove_suffix(2);
        }
        auto it = keys_.find(key);
        const int who = it == keys_.end() ? kNobody : it->second;
        if (who >= 0) {
            const bool self = st_->speaker == static_cast<std::size_t>(who);
            if (after_title && title_.sex != Sex::Unstated && !self)
                evidence_[who].add(title_.sex, where() + std::string(t_.substr(title_.begin, begin + base.size() - title_.begin)));
            // A speaker's own words about themselves say nothing, nor does a
            // name they are called by ("Karin, he has released..."): the
            // name still stands between another person's and a pronoun.
            mention_ = {self || vocative(begin, end) ? kSomeoneElse : who, sentence_, false, base};
            title_ = {};
        } else if (who == kAmbiguous || after_title) {
            mention_ = {kSomeoneElse, sentence_, false, base};  // "President Yoon": somebody else
        }
    }

    const std::unordered_map<std::string, int>& keys_;
    const std::unordered_map<std::string, int>& titles_;
    std::vector<Evidence>& evidence_;
    std::string prev_;
    long sentence_start_ = 0;  // the index of the sentence's first word
    std::string_view t_;
    const SexText* st_ = nullptr;
    long sentence_ = 0, index_ = 0;
    Title title_;
    Mention mention_;
};

// Calls fn(word, joined) for each word of t ("Putin's", "Jean-Pierre"):
// joined is false when anything but one space separates it from the word before.
template <typename Fn>
void for_each_word(std::string_view t, Fn&& fn) {
    std::size_t prev_end = std::string_view::npos;
    for (std::size_t i = 0; i < t.size();) {
        if (!text::is_word_at(t, i)) {
            i += text::char_len(t, i);
            continue;
        }
        std::size_t j = i;
        while (j < t.size()) {
            if (text::is_word_at(t, j)) j += text::char_len(t, j);
            else if ((t[j] == '-' || t[j] == '\'') && text::is_word_at(t, j + 1)) ++j;
            else break;
        }
        fn(t.substr(i, j - i), prev_end != std::string_view::npos && i == prev_end + 1 && t[prev_end] == ' ');
        prev_end = j;
        i = j;
    }
}

// Who is given the floor is often described, not named: "Go ahead, young
// lady", "Please give him a microphone", "That young woman over there". Such
// words in the last two sentences before another speaker's turn, with a word
// that gives the floor, are evidence about the one who speaks next; "sir" or
// "madam" in a reply's first sentence is about the one who spoke before.
// Sex-telling words in the last two sentences of a turn that gives the
// floor ("Go ahead, young lady", "Please give him a microphone"), with the
// item shown as evidence.
std::optional<std::pair<Sex, std::string>> handover_words(const SexText& a) {
    static const std::set<std::string> cue = {"please", "go", "ahead", "microphone", "mic", "floor", "question",
                                              "next", "yes", "stand", "raise", "give", "pass"};
    static const std::set<std::string> det = {"young", "that", "this", "the", "a"};
    std::string_view t = a.text;
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
    std::size_t from = 0;
    int ends = 0;
    for (std::size_t k = t.size(); k-- > 0;)
        if ((t[k] == '.' || t[k] == '?' || t[k] == '!') && k + 1 < t.size() && t[k + 1] == ' ' && ++ends == 2) {
            from = k + 1;
            break;
        }
    std::vector<std::string> w;
    for_each_word(t.substr(from), [&](std::string_view word, bool) { w.push_back(text::lower(std::string(word))); });
    if (std::none_of(w.begin(), w.end(), [](const std::string& x) { return cue.count(x) > 0; })) return std::nullopt;
    for (std::size_t k = 1; k < w.size(); ++k) {
        Sex sex = Sex::Unstated;
        const std::string& x = w[k];
        if (det.count(w[k - 1]) && (x == "lady" || x == "woman" || x == "girl")) sex = Sex::Female;
        else if (det.count(w[k - 1]) && (x == "man" || x == "gentleman" || x == "guy")) sex = Sex::Male;
        else if ((w[k - 1] == "give" || w[k - 1] == "pass" || w[k - 1] == "let") && pronoun_sex(x) != Sex::Unstated)
            sex = pronoun_sex(x);
        if (sex == Sex::Unstated) continue;
        const std::string item = w[k - 1] + " " + x;
        return std::make_pair(sex, a.line > 0 ? fmt::format("line {}: {}", a.line, item) : item);
    }
    return std::nullopt;
}

void read_handovers(const std::vector<SexText>& texts, std::vector<Evidence>& evidence) {
    for (std::size_t i = 0; i + 1 < texts.size(); ++i) {
        const SexText& a = texts[i];
        const SexText& b = texts[i + 1];
        if (b.speaker >= evidence.size() || a.speaker == b.speaker || a.speaker >= evidence.size()) continue;
        // The reply's first sentence addresses the one who just spoke: "Thank you, sir."
        {
            std::string_view head = b.text.substr(0, b.text.find_first_of(".?!"));
            std::vector<std::string> w;
            for_each_word(head, [&](std::string_view word, bool) { w.push_back(text::lower(std::string(word))); });
            for (const std::string& x : w) {
                const Sex sex = x == "sir" ? Sex::Male : (x == "madam" || x == "ma'am") ? Sex::Female : Sex::Unstated;
                if (sex == Sex::Unstated) continue;
                evidence[a.speaker].add(sex, fmt::format("{}{}", b.line > 0 ? fmt::format("line {}: ", b.line) : "", x));
                break;
            }
        }
        // The words that gave the floor: in the turn just before, or in the
        // one before that when the turn between is a short aside ("Please
        // raise your hand").
        auto described = handover_words(a);
        if (!described && i >= 1 && texts[i - 1].speaker != b.speaker && texts[i - 1].speaker < evidence.size() &&
            std::count(a.text.begin(), a.text.end(), ' ') < 25)
            described = handover_words(texts[i - 1]);
        if (described) evidence[b.speaker].add(described->first, described->second);
    }
}

}  // namespace

Sex stated_sex(std::string_view name) {
    const std::size_t end = name.find(' ');
    if (end == std::string_view::npos) return Sex::Unstated;  // a title needs a name after it
    if (const Sex s = title_sex(name.substr(0, end)); s != Sex::Unstated) return s;
    // "UNIDENTIFIED MALE", "Female Voice", "Audience Member (Woman)".
    Sex said = Sex::Unstated;
    for_each_word(name, [&](std::string_view w, bool) {
        const std::string lw = text::lower(std::string(w));
        if (lw == "male" || lw == "man") said = Sex::Male;
        else if (lw == "female" || lw == "woman") said = Sex::Female;
    });
    return said;
}

std::vector<Sex> addressed_sexes(const std::vector<std::string_view>& names,
                                 const std::vector<std::string_view>& texts) {
    // A name's surname is its last word, capitalised, two letters or more
    // ("Questioner 3" has none).
    auto surname_of = [](std::string_view name) {
        const std::string_view last = name.substr(name.rfind(' ') + 1);
        return last.size() >= 2 && std::isupper(static_cast<unsigned char>(last[0])) ? last : std::string_view();
    };
    // Per surname and whole name: the titles found before it that say female, and male.
    std::map<std::string_view, std::array<int, 2>, std::less<>> found;
    std::size_t longest = 0;
    for (std::string_view name : names) {
        if (surname_of(name).empty()) continue;
        found[surname_of(name)];
        found[name];
        longest = std::max(longest, name.size());
    }
    // One pass over the text: after each title and one space ("Mr Putin",
    // "Ms. Jean-Pierre"), every name that stands there as words of its own
    // ("Putin's" counts, "Putinism" does not).
    auto delimits = [](char c) { return c == ' ' || c == '\n' || c == '(' || c == '"'; };
    for (std::string_view t : texts) {
        if (found.empty()) break;
        for (std::size_t from = 0, end = 0; from < t.size(); from = end + 1) {
            for (end = from; end < t.size() && !delimits(t[end]);) ++end;
            const Sex sex = title_sex(t.substr(from, end - from));
            const std::size_t at = end + 1;  // where the name would start
            if (sex == Sex::Unstated || at >= t.size() || t[end] != ' ') continue;
            for (std::size_t stop = at + 1; stop <= std::min(t.size(), at + longest); ++stop) {
                if (stop < t.size() && word_byte(t[stop]) && t[stop] != '\'') continue;
                if (auto it = found.find(t.substr(at, stop - at)); it != found.end())
                    ++it->second[sex == Sex::Female ? 0 : 1];
            }
        }
    }
    std::vector<Sex> out;
    for (std::string_view name : names) {
        std::array<int, 2> n{};
        // The surname alone and the whole name ("Mr Vladimir Putin"), once where they are one.
        const std::string_view surname = surname_of(name);
        for (std::string_view key : {surname, surname.size() < name.size() ? name : std::string_view()})
            if (auto it = found.find(key); !key.empty() && it != found.end())
                n[0] += it->second[0], n[1] += it->second[1];
        out.push_back(n[0] > n[1] ? Sex::Female : n[1] > n[0] ? Sex::Male : Sex::Unstated);
    }
    return out;
}

Sex addressed_sex(std::string_view name, const std::vector<std::string_view>& texts) {
    return addressed_sexes({name}, texts).front();
}

std::vector<SexReading> read_sexes(const std::vector<std::string_view>& names, const std::vector<SexText>& texts) {
    std::unordered_map<std::string, int> keys;
    auto claim = [](std::unordered_map<std::string, int>& map, const std::string& key, int who) {
        auto [it, fresh] = map.emplace(key, who);
        if (!fresh && it->second != who) it->second = kAmbiguous;  // two Bidens: neither
    };
    for (std::size_t i = 0; i < names.size(); ++i)
        if (const std::string key = surname_key(names[i]); !key.empty()) claim(keys, key, static_cast<int>(i));

    // Who the text's given names and titles refer to: "Karin Halvorsen" makes
    // "Karin" a mention of Halvorsen, "Senator Claire Ashford" makes "the
    // Senator" one of Ashford, when no other person has that name or title. A
    // word the text also writes in lower case ("So Putin said") is no name.
    std::unordered_map<std::string, int> given, titles;
    std::set<std::string> lower_words;
    for (std::size_t i = 0; i < names.size(); ++i) {
        const std::string_view n = names[i];
        const std::size_t sp = n.find(' ');
        if (sp == std::string_view::npos || surname_key(n).empty()) continue;
        const std::string first = text::lower(std::string(n.substr(0, sp)));
        if (first.size() >= 2 && capitalised(n) && title_sex(first) == Sex::Unstated && !person_title(first))
            claim(given, first, static_cast<int>(i));
    }
    for (const SexText& st : texts) {
        std::string w2, w1;  // the two words before, lowered ("" after a non-space gap)
        std::string pending;  // a title before a capitalised word that is no surname
        bool cap1 = false;
        for_each_word(st.text, [&](std::string_view w, bool joined) {
            std::string lw = text::lower(std::string(w));
            if (!capitalised(w)) lower_words.insert(lw);
            std::string key = lw;
            if (key.size() > 2 && key.compare(key.size() - 2, 2, "'s") == 0) key.resize(key.size() - 2);
            if (!joined) {
                if (!pending.empty()) claim(titles, pending, kAmbiguous);
                w1.clear(), w2.clear(), pending.clear();
            }
            const auto it = keys.find(key);
            if (capitalised(w) && it != keys.end() && it->second >= 0) {
                if (!w1.empty() && cap1 && !person_title(w1) && title_sex(w1) == Sex::Unstated && !keys.count(w1))
                    claim(given, w1, it->second);
                std::string t = person_title(w1) ? w1 : person_title(w2) ? w2 : std::string();
                if (!t.empty() && t.back() == '.') t.pop_back();
                if (!t.empty()) claim(titles, t, it->second);
            } else if (!pending.empty()) {
                claim(titles, pending, kAmbiguous);  // "President Joe Biden", who does not speak
            }
            pending.clear();
            if (joined && capitalised(w) && person_title(w1) && !person_title(lw) && title_sex(lw) == Sex::Unstated &&
                !(it != keys.end() && it->second >= 0)) {
                pending = w1;  // decided by the next word: a speaker's surname, or not
                if (pending.back() == '.') pending.pop_back();
            }
            w2 = std::move(w1);
            w1 = std::move(lw);
            cap1 = capitalised(w);
        });
        if (!pending.empty()) claim(titles, pending, kAmbiguous);
    }
    for (const auto& [name, who] : given)
        if (!lower_words.count(name) && !keys.count(name)) keys.emplace(name, who);

    std::vector<Evidence> evidence(names.size());
    Reader reader(keys, titles, evidence);
    for (const SexText& st : texts) reader.read(st);
    read_handovers(texts, evidence);

    std::vector<SexReading> out(names.size());
    for (std::size_t i = 0; i < names.size(); ++i) {
        const Evidence& e = evidence[i];
        SexReading& r = out[i];
        r.female = e.count[0];
        r.male = e.count[1];
        r.sex = r.female > r.male ? Sex::Female : r.male > r.female ? Sex::Male : Sex::Unstated;
        // The winning side's first items, then one that disagrees (two of each on a tie).
        const int win = r.sex == Sex::Male ? 1 : 0;
        const std::size_t keep_win = r.sex == Sex::Unstated ? 2 : 3, keep_lose = r.sex == Sex::Unstated ? 2 : 1;
        for (std::size_t k = 0; k < e.items[win].size() && k < keep_win; ++k) r.evidence.push_back(e.items[win][k]);
        for (std::size_t k = 0; k < e.items[1 - win].size() && k < keep_lose; ++k)
            r.evidence.push_back(e.items[1 - win][k]);
    }
    return out;
}

}  // namespace turncast::cast
