// Small UTF-8 text helpers shared by the cast module's files (not a public
// interface: other modules have their own needs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace turncast::cast::text {

// Bytes in the UTF-8 sequence starting at pos (1 for a stray byte).
std::size_t char_len(std::string_view s, std::size_t pos);
// The code point starting at pos (U+FFFD for a malformed sequence).
std::uint32_t code_point(std::string_view s, std::size_t pos);

// Word characters: ASCII letters and digits and every non-ASCII code point
// except punctuation, spaces and symbols (’ – — “ ” no-break space, …).
bool is_word_cp(std::uint32_t cp);
bool is_word_at(std::string_view s, std::size_t pos);
// Is the code point that ends just before pos a word character?
bool is_word_before(std::string_view s, std::size_t pos);

std::string trim(std::string_view s);
std::string lower(std::string_view s);  // ASCII only
int count_words(std::string_view s);
// The first n whitespace-separated words; "…" appended when words were cut
// (trailing commas and the like dropped first).
std::string first_words(std::string_view s, int n);

}  // namespace turncast::cast::text
