// The title card, read back: the PNG's chunks parsed by hand, its pixels
// decoded by Cairo's PNG reader, and checked for size, text, margins and
// repeatability.
#include <cairo.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "art/card.hpp"

using namespace turncast;

namespace {

struct Chunk {
    std::string type;
    std::string data;
};

std::uint32_t be32(const std::string& s, std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) v = v << 8 | static_cast<unsigned char>(s.at(at + i));
    return v;
}

// The PNG's chunks in order (the signature checked, the CRCs skipped).
std::vector<Chunk> chunks(const std::string& png) {
    REQUIRE(png.compare(0, 8, "\x89PNG\r\n\x1A\n") == 0);
    std::vector<Chunk> out;
    for (std::size_t at = 8; at + 12 <= png.size();) {
        const std::uint32_t length = be32(png, at);
        out.push_back({png.substr(at + 4, 4), png.substr(at + 8, length)});
        at += 12 + length;
    }
    return out;
}

// The image decoded: 0x00RRGGBB per pixel, row by row.
struct Pixels {
    int width = 0, height = 0;
    std::vector<std::uint32_t> px;
    std::uint32_t at(int x, int y) const { return px[std::size_t(y) * std::size_t(width) + std::size_t(x)]; }
};

Pixels decode(const std::string& png) {
    struct Reader {
        const std::string* s;
        std::size_t pos = 0;
    } reader{&png};
    auto read = [](void* closure, unsigned char* data, unsigned int length) {
        auto* r = static_cast<Reader*>(closure);
        if (r->pos + length > r->s->size()) return CAIRO_STATUS_READ_ERROR;
        std::memcpy(data, r->s->data() + r->pos, length);
        r->pos += length;
        return CAIRO_STATUS_SUCCESS;
    };
    std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
        cairo_image_surface_create_from_png_stream(read, &reader), cairo_surface_destroy);
    REQUIRE(cairo_surface_status(surface.get()) == CAIRO_STATUS_SUCCESS);
    Pixels p;
    p.width = cairo_image_surface_get_width(surface.get());
    p.height = cairo_image_surface_get_height(surface.get());
    const int stride = cairo_image_surface_get_stride(surface.get());
    const unsigned char* data = cairo_image_surface_get_data(surface.get());
    p.px.resize(std::size_t(p.width) * std::size_t(p.height));
    for (int y = 0; y < p.height; ++y)
        for (int x = 0; x < p.width; ++x) {
            std::uint32_t v;
            std::memcpy(&v, data + std::size_t(y) * std::size_t(stride) + std::size_t(x) * 4, 4);
            p.px[std::size_t(y) * std::size_t(p.width) + std::size_t(x)] = v & 0xFFFFFF;
        }
    return p;
}

// Pixels of [x0, x1) × [y0, y1) that differ from `background`.
std::size_t marked(const Pixels& p, int x0, int y0, int x1, int y1, std::uint32_t background) {
    std::size_t n = 0;
    for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x) n += p.at(x, y) != background;
    return n;
}

// What every card must be: a square 8-bit RGB PNG of `size` pixels with only
// the chunks a PNG needs (no time stamp, no text), its text on the inside
// and nothing in the outer band (`band` px of a 3000 px card, scaled) nor in
// the bottom fifth. Returns the decoded pixels.
Pixels check_card(const std::string& png, int size, int band = 200) {
    const auto c = chunks(png);
    REQUIRE(c.size() >= 3);
    CHECK(c.front().type == "IHDR");
    CHECK(c.back().type == "IEND");
    for (std::size_t i = 1; i + 1 < c.size(); ++i) CHECK(c[i].type == "IDAT");
    const std::string& ihdr = c.front().data;
    CHECK(be32(ihdr, 0) == std::uint32_t(size));
    CHECK(be32(ihdr, 4) == std::uint32_t(size));
    CHECK(int(ihdr[8]) == 8);  // bit depth
    CHECK(int(ihdr[9]) == 2);  // RGB, no alpha channel

    const Pixels p = decode(png);
    REQUIRE(p.width == size);
    REQUIRE(p.height == size);
    const std::uint32_t bg = p.at(0, 0);
    CHECK(bg == 0x102A43);
    const int b = band * size / art::kCardSize;
    CHECK(marked(p, 0, 0, size, b, bg) == 0);                 // top
    CHECK(marked(p, 0, 0, b, size, bg) == 0);                 // left
    CHECK(marked(p, size - b, 0, size, size, bg) == 0);       // right
    CHECK(marked(p, 0, size * 4 / 5 + size / 150, size, size, bg) == 0);  // the bottom fifth
    return p;
}

const art::CardText kSpringfield{"Jane Doe\xE2\x80\x99s remarks and answers to questions during a meeting with students",
                                 "1 September 2021", "Springfield", "Jane Doe"};

}  // namespace

TEST_CASE("cover: the title card is a 3000 px RGB PNG with its text inside the margins", "[art]") {
    const auto card = art::draw_card(kSpringfield);
    CHECK(card.missing_glyphs == 0);
    // Apple's artwork: 1400 to 3000 px square; hosts ask for under 512 KB.
    CHECK(card.png.size() < 512 * 1024);
    const Pixels p = check_card(card.png, 3000);
    // The text is there: a few percent of the inside is ink, not a blank card
    // and not a filled one.
    const double ink = double(marked(p, 200, 200, 2800, 2400, p.at(0, 0))) / (2600.0 * 2200.0);
    CHECK(ink > 0.03);
    CHECK(ink < 0.5);
    // White title text and the amber rule and date line are drawn.
    CHECK(std::count(p.px.begin(), p.px.end(), 0xFFFFFFu) > 100000);
    CHECK(std::count(p.px.begin(), p.px.end(), 0xF0B429u) > 10000);
}

TEST_CASE("cover: the same text gives the same bytes, and another title another card", "[art]") {
    const auto a = art::draw_card(kSpringfield).png;
    CHECK(art::draw_card(kSpringfield).png == a);
    auto fixed = kSpringfield;
    fixed.title = "Jane Doe\xE2\x80\x99s remarks and answers to questions during a meeting with teachers";
    const auto b = art::draw_card(fixed).png;
    CHECK(b != a);
    check_card(b, 3000);
    // The smaller drawing the audio files carry is the same design.
    const auto small = art::draw_card(kSpringfield, 1400);
    check_card(small.png, 1400);
    CHECK(art::draw_card(kSpringfield, 1400).png == small.png);
}

TEST_CASE("cover: a 300-character title and non-Latin names stay inside the card", "[art]") {
    std::string title;
    while (title.size() < 600)  // 300 Cyrillic characters are 600 bytes
        title += "\xD0\x9F\xD1\x80\xD0\xB5\xD1\x81\xD1\x81-\xD0\xBA\xD0\xBE\xD0\xBD\xD1\x84\xD0\xB5\xD1\x80\xD0\xB5\xD0\xBD"
                 "\xD1\x86\xD0\xB8\xD1\x8F ";  // "Пресс-конференция "
    art::CardText text;
    text.title = title;
    text.date = "19 December 2019";
    text.place = "\xD0\x9C\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0";  // Москва
    // Cyrillic, Greek, Arabic (joined right to left), Chinese, Hebrew, Latin.
    text.speakers = "\xD0\x92\xD0\xBB\xD0\xB0\xD0\xB4\xD0\xB8\xD0\xBC\xD0\xB8\xD1\x80 \xD0\x9F\xD1\x83\xD1\x82\xD0\xB8\xD0\xBD, "
                    "\xCE\xA1\xCE\xAE\xCE\xB3\xCE\xB1\xCF\x82 \xCE\xA6\xCE\xB5\xCF\x81\xCE\xB1\xCE\xAF\xCE\xBF\xCF\x82, "
                    "\xD9\x85\xD8\xAD\xD9\x85\xD8\xAF \xD8\xA8\xD9\x86 \xD8\xB3\xD9\x84\xD9\x85\xD8\xA7\xD9\x86, "
                    "\xE7\xBF\x92\xE8\xBF\x91\xE5\xB9\xB3, \xD7\x93\xD7\x95\xD7\x93, Dmitry Peskov, Someone Else, "
                    "Another Person, Yet Another Person, And One More Speaker, And The Last Of Them";
    const auto card = art::draw_card(text);
    CHECK(card.missing_glyphs == 0);  // every script has a font (scripts/setup installs them)
    const Pixels p = check_card(card.png, 3000);
    CHECK(marked(p, 200, 200, 2800, 2400, p.at(0, 0)) > 100000);

    // One 300-character word: broken between characters, still inside.
    art::CardText word;
    word.title = std::string(300, 'W');
    word.speakers = std::string(300, 'M');
    check_card(art::draw_card(word).png, 3000);
    check_card(art::draw_card(word, 1400).png, 1400);

    // Bytes that are not UTF-8 are drawn as U+FFFD, not refused.
    art::CardText broken;
    broken.title = "Caf\xC3 \xFF\xFE talk";
    check_card(art::draw_card(broken, 600).png, 600);
}

TEST_CASE("cover: characters no font has are counted, and the card still drawn", "[art]") {
    art::CardText text;
    text.title = "Talk \xCD\xB8\xCD\xB9 with unassigned code points";  // U+0378, U+0379: in no font
    const auto card = art::draw_card(text, 600);
    CHECK(card.missing_glyphs == 2);
    check_card(card.png, 600);
}

TEST_CASE("cover: a card with only a title, and a tiny one", "[art]") {
    art::CardText only;
    only.title = "Briefing";
    const Pixels p = check_card(art::draw_card(only).png, 3000);
    CHECK(marked(p, 200, 200, 2800, 2400, p.at(0, 0)) > 10000);
    CHECK_THROWS_AS(art::draw_card(only, 8), std::invalid_argument);
}
