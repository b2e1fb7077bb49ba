// What a transcript says about its speakers' sex: a title in a speaker's label
// ("Ms. Psaki"), titles before their name in the text ("Thank you, Mr Putin")
// and pronouns that follow a mention of their name ("Secretary Clinton … she
// voted"). Never their first name: "Jean" or "Sasha" says nothing.
#include <algorithm>
#include <array>
#include <cctype>
#include <map>
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
    Reader(const std::unordered_map<std::string, int>& keys, std::vector<Evidence>& evidence)
        : keys_(keys), evidence_(evidence) {}

    void read(const SexText& st) {
        t_ = st.text;
        st_ = &st;
        sentence_ = 0;
        title_ = {};
        mention_ = {};
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

    std::string where() const { return st_->line > 0 ? fmt::format("line {}: ", st_->line) : std::string(); }

    void word(std::size_t begin, std::size_t end, const std::string& lw) {
        ++index_;
        const std::string_view w = t_.substr(begin, end - begin);
        if (const Sex p = pronoun_sex(lw); p != Sex::Unstated) {
            if (mention_.who >= 0 && !mention_.spent && sentence_ - mention_.sentence <= 1)
                evidence_[mention_.who].add(p, fmt::format("{}{} \xE2\x80\xA6 {}", where(), mention_.written, w));
            mention_.spent = true;
            title_ = {};
            return;
        }
        if (const Sex s = title_sex(lw); s != Sex::Unstated || person_title(lw)) {
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
            // A speaker's own words about themselves say nothing: their name
            // still stands between another person's and a pronoun.
            mention_ = {self ? kSomeoneElse : who, sentence_, false, base};
            title_ = {};
        } else if (who == kAmbiguous || after_title) {
            mention_ = {kSomeoneElse, sentence_, false, base};  // "President Yoon": somebody else
        }
    }

    const std::unordered_map<std::string, int>& keys_;
    std::vector<Evidence>& evidence_;
    std::string_view t_;
    const SexText* st_ = nullptr;
    long sentence_ = 0, index_ = 0;
    Title title_;
    Mention mention_;
};

}  // namespace

Sex stated_sex(std::string_view name) {
    const std::size_t end = name.find(' ');
    if (end == std::string_view::npos) return Sex::Unstated;  // a title needs a name after it
    return title_sex(name.substr(0, end));
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
    for (std::size_t i = 0; i < names.size(); ++i) {
        const std::string key = surname_key(names[i]);
        if (key.empty()) continue;
        auto [it, fresh] = keys.emplace(key, static_cast<int>(i));
        if (!fresh && it->second != static_cast<int>(i)) it->second = kAmbiguous;  // two Bidens: neither
    }
    std::vector<Evidence> evidence(names.size());
    Reader reader(keys, evidence);
    for (const SexText& st : texts) reader.read(st);

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
