// The title card: square podcast artwork drawn from the event's title, date,
// place and named speakers, for a render given no --cover (Cairo and Pango).
//
//   turncast::art::CardText text{"Press conference", "1 September 2021", "Springfield", "Jane Doe"};
//   auto card = turncast::art::draw_card(text);   // 3000 × 3000 PNG bytes
//   if (card.missing_glyphs > 0) ...              // some characters have no font here
//
// The card is light text on a dark field (contrast 7.9:1 and more), the title as
// large as fits and wrapped, cut with "…" only when even the smallest size
// overflows; nothing important in the bottom fifth, which players cover with
// their controls. Text is set in DejaVu Sans, then WenQuanYi Micro Hei for
// Chinese, Japanese and Korean (fonts-dejavu-core, fonts-wqy-microhei), named
// in the font description, with fixed antialiasing and no hinting: the same
// text gives the same bytes run after run and on every machine with those
// fonts. Characters neither has (Indic scripts, say) come from whatever font
// fontconfig finds, or show as boxes: missing_glyphs counts the boxes.
#pragma once

#include <string>

namespace turncast::art {

// Apple Podcasts takes 1400–3000 px square artwork and prefers 3000.
constexpr int kCardSize = 3000;

// What the card says, each as it is shown; empty fields are left out.
struct CardText {
    std::string title;     // the event's title (the render uses the file's name when it has none)
    std::string date;      // e.g. "1 September 2021"
    std::string place;     // e.g. "Springfield"
    std::string speakers;  // the named speakers, e.g. "Jane Doe, John Roe"
};

struct Card {
    std::string png;         // an 8-bit RGB PNG (no alpha channel, no time stamp)
    int missing_glyphs = 0;  // characters drawn as boxes: no installed font has them
};

// Draws the card at size × size pixels (the layout scales with the size).
// Throws LibraryError when Cairo fails (out of memory).
Card draw_card(const CardText& text, int size = kCardSize);

// What else the card's bytes depend on besides its text: the design's
// version and those of Cairo and Pango. With the text it identifies a card
// without drawing it (a render's key), so a title fix or a library update
// draws it again and an unchanged re-render draws nothing.
std::string drawing_version();

}  // namespace turncast::art
