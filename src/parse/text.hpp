// Text helpers shared by the parser and the segmenter (internal to the core:
// not a contract between engineers). All of them are linear in their input.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace turncast::parse::text {

// One physical line of the input after hygiene: curly quotes straightened,
// no-break and other spaces turned into ' ', zero-width characters removed,
// "…" turned into "...", control characters into spaces, trailing blanks
// trimmed. `number` is 1-based; `byte` is the 0-based offset of the line's
// first byte in the original file (BOM included).
struct Line {
    std::string text;
    int number = 0;
    std::size_t byte = 0;
};

// Validates and normalises raw file bytes into lines. Throws InputError
// naming `filename`, the line and byte offset, and what to do, for: an empty
// or whitespace-only file, UTF-16/UTF-32 (with or without a BOM), NUL bytes,
// and bytes that are not UTF-8.
std::vector<Line> clean_lines(std::string_view bytes, const std::string& filename);

std::string_view trim(std::string_view s);
std::string collapse_spaces(std::string_view s);  // runs of ' ' → one, trimmed
std::string lower_ascii(std::string_view s);
bool iequals(std::string_view a, std::string_view b);       // ASCII case-insensitive
bool istarts_with(std::string_view s, std::string_view prefix);
// Splits on ' ' (no empty words).
std::vector<std::string_view> words(std::string_view s);
std::size_t count_words(std::string_view s);
// True if the text holds at least one letter or digit (any script).
bool has_word(std::string_view s);
// Lower-case alphanumeric tokens (ASCII letters lowered; other UTF-8 kept),
// for comparing names and checking that no word was lost.
std::vector<std::string> tokens(std::string_view s);
bool is_upper_letter(char c);
bool is_lower_letter(char c);
// "MS. JEAN-PIERRE" → "Ms. Jean-Pierre"; text with lower-case letters is kept.
std::string pretty_name(std::string_view label);

}  // namespace turncast::parse::text
