#include "cast/text.hpp"

#include <cctype>

namespace turncast::cast::text {

std::size_t char_len(std::string_view s, std::size_t pos) {
    const unsigned char c = static_cast<unsigned char>(s[pos]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
    if (pos + n > s.size()) return 1;
    for (std::size_t k = 1; k < n; ++k)
        if ((static_cast<unsigned char>(s[pos + k]) & 0xC0) != 0x80) return 1;
    return n;
}

std::uint32_t code_point(std::string_view s, std::size_t pos) {
    const unsigned char c = static_cast<unsigned char>(s[pos]);
    const std::size_t n = char_len(s, pos);
    if (c < 0x80) return c;
    if (n == 1) return 0xFFFD;
    std::uint32_t cp = n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[pos + k]) & 0x3F);
    return cp;
}

bool is_word_cp(std::uint32_t cp) {
    if (cp < 0x80) return std::isalnum(static_cast<int>(cp)) != 0;
    if (cp == 0xFFFD) return false;
    if (cp >= 0xA0 && cp <= 0xBF) return false;    // no-break space, ¡ « » ° …
    if (cp == 0xD7 || cp == 0xF7) return false;    // × ÷
    if (cp >= 0x2000 && cp <= 0x206F) return false;  // general punctuation: ’ ‒ – — “ ” … zero-width
    if (cp >= 0x2100 && cp <= 0x2BFF) return false;  // letterlike (№), arrows, maths, symbols
    if (cp >= 0x3000 && cp <= 0x303F) return false;  // CJK punctuation
    if (cp >= 0xFE30 && cp <= 0xFE4F) return false;
    if (cp >= 0xFF01 && cp <= 0xFF0F) return false;
    if (cp == 0xFEFF) return false;                  // BOM / zero-width no-break space
    return true;
}

bool is_word_at(std::string_view s, std::size_t pos) {
    return pos < s.size() && is_word_cp(code_point(s, pos));
}

bool is_word_before(std::string_view s, std::size_t pos) {
    if (pos == 0 || pos > s.size()) return false;
    std::size_t start = pos - 1;
    // Step back over continuation bytes (at most 3) to the sequence's lead byte.
    while (start > 0 && pos - start < 4 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    if (start + char_len(s, start) != pos) return false;
    return is_word_at(s, start);
}

std::string trim(std::string_view s) {
    std::size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    return std::string(s.substr(b, e - b));
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

int count_words(std::string_view s) {
    int n = 0;
    bool in = false;
    for (std::size_t i = 0; i < s.size(); i += char_len(s, i)) {
        if (is_word_at(s, i)) {
            if (!in) ++n;
            in = true;
        } else if (std::isspace(static_cast<unsigned char>(s[i])) || code_point(s, i) == 0xA0) {
            in = false;
        }
    }
    return n;
}

std::string first_words(std::string_view s, int n) {
    std::string out;
    int words = 0;
    std::size_t i = 0;
    auto space = [&](std::size_t k) {
        return std::isspace(static_cast<unsigned char>(s[k])) != 0 || code_point(s, k) == 0xA0;
    };
    while (i < s.size()) {
        while (i < s.size() && space(i)) i += char_len(s, i);
        if (i >= s.size()) break;
        std::size_t e = i;
        while (e < s.size() && !space(e)) e += char_len(s, e);
        if (words == n) {
            // Cut: drop trailing punctuation (", ; :"), then mark the cut.
            while (!out.empty() && !is_word_before(out, out.size())) {
                std::size_t p = out.size() - 1;
                while (p > 0 && (static_cast<unsigned char>(out[p]) & 0xC0) == 0x80) --p;
                out.erase(p);
            }
            return out + "\xE2\x80\xA6";  // …
        }
        if (!out.empty()) out += ' ';
        out.append(s.substr(i, e - i));
        ++words;
        i = e;
    }
    return out;
}

}  // namespace turncast::cast::text
