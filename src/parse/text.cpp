#include "parse/text.hpp"

#include <unicode/uchar.h>
#include <unicode/translit.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <iterator>
#include <string>

#include "core/error.hpp"
#include "core/hash.hpp"
#include "parse/parse.hpp"

namespace turncast::parse::text {
namespace {

std::string where(const std::string& filename, int line, std::size_t byte) {
    return filename + ": line " + std::to_string(line) + ", byte " + std::to_string(byte);
}

const char* kIconvHint16 =
    "convert it to UTF-8 first, e.g. iconv -f UTF-16 -t UTF-8 FILE > FILE.utf8.txt";

// Decodes one UTF-8 sequence at s[i]; returns its length, or 0 if invalid
// (overlong, surrogate, above U+10FFFF, truncated).
std::size_t decode(std::string_view s, std::size_t i, char32_t& cp) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) { cp = b0; return 1; }
    std::size_t len;
    char32_t min;
    if ((b0 & 0xE0) == 0xC0) { len = 2; cp = b0 & 0x1F; min = 0x80; }
    else if ((b0 & 0xF0) == 0xE0) { len = 3; cp = b0 & 0x0F; min = 0x800; }
    else if ((b0 & 0xF8) == 0xF0) { len = 4; cp = b0 & 0x07; min = 0x10000; }
    else return 0;
    if (i + len > s.size()) return 0;
    for (std::size_t k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

// How one code point appears after hygiene; nullptr means "keep as is".
const char* replacement(char32_t cp) {
    switch (cp) {
    case U'\t': case U'\v': case U'\f': case 0x85: case 0xA0: case 0x1680:
    case 0x202F: case 0x205F: case 0x3000: case 0x2028: case 0x2029:
        return " ";
    case 0x200B: case 0x200C: case 0x200D: case 0x2060: case 0xFEFF: case 0xAD:
    // Direction marks and overrides ("\u202EJane Doe\u202C" is "Jane Doe"): they
    // change how a name looks, never who it is, and say nothing aloud.
    case 0x200E: case 0x200F: case 0x061C: case 0x202A: case 0x202B: case 0x202C: case 0x202D: case 0x202E:
    case 0x2066: case 0x2067: case 0x2068: case 0x2069:
        return "";
    case 0x2018: case 0x2019: case 0x201A: case 0x201B: case 0x2032: case 0x02BC:
        return "'";
    case 0x201C: case 0x201D: case 0x201E: case 0x201F: case 0x2033: case 0xAB: case 0xBB:
        return "\"";
    case 0x2026:
        return "...";
    default:
        break;
    }
    if (cp >= 0x2000 && cp <= 0x200A) return " ";
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) return " ";
    return nullptr;
}

bool looks_like_utf16(std::string_view b) {
    // Text in UTF-16 without a BOM has a NUL in every other byte.
    const std::size_t n = std::min<std::size_t>(b.size(), 2000) & ~std::size_t{1};
    if (n < 4) return false;
    std::size_t even = 0, odd = 0;
    for (std::size_t i = 0; i < n; i += 2) {
        if (b[i] == '\0') ++even;
        if (b[i + 1] == '\0') ++odd;
    }
    const std::size_t pairs = n / 2;
    return (even * 10 >= pairs * 7 && odd * 10 < pairs) || (odd * 10 >= pairs * 7 && even * 10 < pairs);
}

}  // namespace

std::vector<Line> clean_lines(std::string_view bytes, const std::string& filename) {
    if (bytes.empty())
        throw InputError(filename, "the file is empty",
                         "give a transcript with text in it, saved as UTF-8");
    const auto u = [&](std::size_t i) { return static_cast<unsigned char>(bytes[i]); };
    if (bytes.size() >= 4 && u(0) == 0xFF && u(1) == 0xFE && u(2) == 0 && u(3) == 0)
        throw InputError(where(filename, 1, 0), "the file is UTF-32, not UTF-8",
                         "convert it first, e.g. iconv -f UTF-32 -t UTF-8 FILE > FILE.utf8.txt");
    if (bytes.size() >= 2 && ((u(0) == 0xFF && u(1) == 0xFE) || (u(0) == 0xFE && u(1) == 0xFF)))
        throw InputError(where(filename, 1, 0), "the file is UTF-16 (it starts with a UTF-16 byte-order mark), not UTF-8",
                         kIconvHint16);

    std::size_t i = 0;
    if (bytes.size() >= 3 && u(0) == 0xEF && u(1) == 0xBB && u(2) == 0xBF) i = 3;

    std::vector<Line> lines;
    Line cur;
    cur.number = 1;
    cur.byte = 0;
    bool any_text = false;
    auto finish_line = [&](std::size_t next_byte) {
        while (!cur.text.empty() && cur.text.back() == ' ') cur.text.pop_back();
        lines.push_back(std::move(cur));
        cur = Line{};
        cur.number = static_cast<int>(lines.size()) + 1;
        cur.byte = next_byte;
    };
    while (i < bytes.size()) {
        const char c = bytes[i];
        if (c == '\0') {
            if (looks_like_utf16(bytes))
                throw InputError(where(filename, cur.number, i),
                                 "the file looks like UTF-16 (a NUL in every other byte), not UTF-8",
                                 kIconvHint16);
            throw InputError(where(filename, cur.number, i),
                             "the file holds binary data (a NUL byte), not text",
                             "give a plain-text transcript saved as UTF-8");
        }
        if (c == '\n') { finish_line(i + 1); ++i; continue; }
        if (c == '\r') {
            const std::size_t next = (i + 1 < bytes.size() && bytes[i + 1] == '\n') ? i + 2 : i + 1;
            finish_line(next);
            i = next;
            continue;
        }
        char32_t cp = 0;
        const std::size_t len = decode(bytes, i, cp);
        if (len == 0)
            throw InputError(where(filename, cur.number, i),
                             "bytes that are not UTF-8 (0x" +
                                 std::string(1, "0123456789ABCDEF"[u(i) >> 4]) +
                                 std::string(1, "0123456789ABCDEF"[u(i) & 15]) + ")",
                             "save the transcript as UTF-8, e.g. iconv -f WINDOWS-1252 -t UTF-8 FILE > FILE.utf8.txt");
        if (const char* r = replacement(cp)) {
            if (*r == ' ') {
                if (!cur.text.empty() && cur.text.back() != ' ') cur.text += ' ';
                else if (cur.text.empty()) cur.text += ' ';  // keep one leading blank (indentation is a hint)
            } else {
                cur.text += r;
                if (*r) any_text = true;
            }
        } else {
            cur.text.append(bytes.data() + i, len);
            if (cp != U' ') any_text = true;
        }
        i += len;
    }
    finish_line(bytes.size());
    // A final newline leaves an empty last line: drop it.
    if (lines.size() > 1 && lines.back().text.empty()) lines.pop_back();
    if (!any_text)
        throw InputError(filename, "the file holds only whitespace",
                         "give a transcript with text in it, saved as UTF-8");
    // Indentation carries no meaning here: strip it.
    for (auto& l : lines) {
        std::size_t k = 0;
        while (k < l.text.size() && l.text[k] == ' ') ++k;
        if (k) l.text.erase(0, k);
    }
    return lines;
}

std::string_view trim(std::string_view s) {
    std::size_t b = 0, e = s.size();
    while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
    return s.substr(b, e - b);
}

std::string collapse_spaces(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        if (c == ' ' || c == '\t' || c == '\n') {
            if (!out.empty() && out.back() != ' ') out += ' ';
        } else {
            out += c;
        }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

std::string lower_ascii(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

std::vector<std::string_view> words(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && s[i] == ' ') ++i;
        std::size_t j = i;
        while (j < s.size() && s[j] != ' ') ++j;
        if (j > i) out.push_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

std::size_t count_words(std::string_view s) {
    std::size_t n = 0;
    bool in = false;
    for (char c : s) {
        if (c == ' ') in = false;
        else if (!in) { in = true; ++n; }
    }
    return n;
}

bool has_word(std::string_view s) {
    for (char c : s) {
        const auto b = static_cast<unsigned char>(c);
        if ((b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || b >= 0xC0)
            return true;
    }
    return false;
}

std::vector<std::string> tokens(std::string_view s) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        const auto b = static_cast<unsigned char>(c);
        if ((b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || b >= 0x80) {
            cur += c;
        } else if (b >= 'A' && b <= 'Z') {
            cur += static_cast<char>(c - 'A' + 'a');
        } else if (!cur.empty()) {
            out.push_back(std::move(cur));
            cur.clear();
        }
    }
    if (!cur.empty()) out.push_back(std::move(cur));
    return out;
}

bool is_upper_letter(char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower_letter(char c) { return c >= 'a' && c <= 'z'; }

std::string pretty_name(std::string_view label) {
    // Case is Unicode's (ICU): "PRESIDENT LÓPEZ OBRADOR" → "President López Obrador".
    const icu::UnicodeString in = icu::UnicodeString::fromUTF8(icu::StringPiece(label.data(), label.size()));
    for (int32_t k = 0; k < in.length();) {
        const UChar32 c = in.char32At(k);
        if (u_islower(c)) return std::string(label);
        k += U16_LENGTH(c);
    }
    icu::UnicodeString out;
    bool start = true;
    for (int32_t k = 0; k < in.length();) {
        const UChar32 c = in.char32At(k);
        k += U16_LENGTH(c);
        if (u_isalpha(c)) {
            out.append(start ? c : u_tolower(c));
            start = false;
        } else {
            out.append(c);
            start = !u_isdigit(c);  // after a space, hyphen, apostrophe or period
        }
    }
    std::string utf8;
    out.toUTF8String(utf8);
    return utf8;
}

}  // namespace turncast::parse::text

namespace turncast::parse {

namespace {

// Any script → Latin → ASCII, by ICU's transliterators ("Пресс-конференция" →
// "Press-konferencia", "日本語" → "ri ben yu", "Erdoğan" → "Erdogan"). One
// instance, guarded: ICU transliterators are not safe to share across threads.
std::string to_ascii(std::string_view in) {
    static std::mutex m;
    static std::unique_ptr<icu::Transliterator> t = [] {
        UErrorCode err = U_ZERO_ERROR;
        std::unique_ptr<icu::Transliterator> tr(
            icu::Transliterator::createInstance("Any-Latin; Latin-ASCII", UTRANS_FORWARD, err));
        return U_SUCCESS(err) ? std::move(tr) : nullptr;
    }();
    icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(in.data(), int32_t(in.size())));
    if (t) {
        std::lock_guard<std::mutex> lock(m);
        t->transliterate(u);
    }
    std::string out;
    u.toUTF8String(out);
    return out;
}

}  // namespace

std::string slugify(std::string_view original) {
    const std::string in = to_ascii(original);
    std::string out;
    bool hyphen = false;
    auto put = [&](char c) {
        if (hyphen && !out.empty()) out += '-';
        hyphen = false;
        out += c;
    };
    for (std::size_t i = 0; i < in.size();) {
        const auto b = static_cast<unsigned char>(in[i]);
        if (b >= 'A' && b <= 'Z') { put(static_cast<char>(b - 'A' + 'a')); ++i; continue; }
        if ((b >= 'a' && b <= 'z') || (b >= '0' && b <= '9')) { put(static_cast<char>(b)); ++i; continue; }
        if (b == '\'') { ++i; continue; }  // "Lavrov's" → "lavrovs"
        // Anything else (punctuation, spaces, slashes, dots, what ICU left) separates.
        hyphen = true;
        ++i;
        while (i < in.size() && (static_cast<unsigned char>(in[i]) & 0xC0) == 0x80) ++i;
    }
    // At most 80 characters: a longer slug keeps its first 71 and a hash of
    // the whole, so titles sharing a long prefix stay apart.
    if (out.size() > kMaxSlug) {
        std::string head = out.substr(0, kMaxSlug - 9);
        while (!head.empty() && head.back() == '-') head.pop_back();
        out = head + "-" + short_hash(out);
    }
    while (!out.empty() && out.back() == '-') out.pop_back();
    // Nothing left (only symbols): a hash of the original, never one shared "untitled".
    if (out.empty()) out = original.empty() ? "untitled" : "untitled-" + short_hash(original);
    // Names Windows reserves for devices (con, nul, com1, ...) are no file or
    // folder names there, with or without an extension: "con" → "con-x".
    static const char* const devices[] = {"con", "prn", "aux", "nul"};
    bool device = std::any_of(std::begin(devices), std::end(devices), [&](const char* d) { return out == d; });
    if (out.size() == 4 && (out.compare(0, 3, "com") == 0 || out.compare(0, 3, "lpt") == 0) && out[3] >= '0' && out[3] <= '9')
        device = true;
    if (device) out += "-x";
    return out;
}

}  // namespace turncast::parse
