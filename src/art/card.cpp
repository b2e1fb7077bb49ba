// The title card, drawn with Cairo and set with Pango. Every length below is
// for the 3000 px card and scales with the size asked for.
#include "art/card.hpp"

#include <cairo.h>
#include <pango/pangocairo.h>

#include <memory>
#include <stdexcept>
#include <vector>

#include "art/png.hpp"
#include "core/error.hpp"

namespace turncast::art {

namespace {

// ---- owners: one per Cairo / Pango / GLib handle ----

struct SurfaceDeleter {
    void operator()(cairo_surface_t* s) const noexcept { cairo_surface_destroy(s); }
};
struct CairoDeleter {
    void operator()(cairo_t* c) const noexcept { cairo_destroy(c); }
};
struct FontOptionsDeleter {
    void operator()(cairo_font_options_t* o) const noexcept { cairo_font_options_destroy(o); }
};
struct GObjectDeleter {  // PangoContext, PangoLayout
    void operator()(void* o) const noexcept { g_object_unref(o); }
};
struct FontDescriptionDeleter {
    void operator()(PangoFontDescription* d) const noexcept { pango_font_description_free(d); }
};
struct GFreeDeleter {
    void operator()(char* p) const noexcept { g_free(p); }
};
using SurfacePtr = std::unique_ptr<cairo_surface_t, SurfaceDeleter>;
using CairoPtr = std::unique_ptr<cairo_t, CairoDeleter>;
using ContextPtr = std::unique_ptr<PangoContext, GObjectDeleter>;
using LayoutPtr = std::unique_ptr<PangoLayout, GObjectDeleter>;

// The error boundary for Cairo: its own message, as a LibraryError.
void check_cairo(cairo_status_t status, const char* what) {
    if (status != CAIRO_STATUS_SUCCESS)
        throw LibraryError("cairo", std::string(what) + ": " + cairo_status_to_string(status));
}

struct Rgb {
    double r, g, b;
};
// White and amber on a deep blue: contrast 14.6:1 and 7.9:1 (WCAG AAA is 7:1).
constexpr Rgb kBackground{0x10 / 255.0, 0x2A / 255.0, 0x43 / 255.0};
constexpr Rgb kText{1.0, 1.0, 1.0};
constexpr Rgb kAccent{0xF0 / 255.0, 0xB4 / 255.0, 0x29 / 255.0};

// The families every card is set in, both installed by scripts/setup: DejaVu
// Sans (Latin, Greek, Cyrillic, Arabic, Hebrew, Armenian, Georgian), then
// WenQuanYi Micro Hei for Chinese, Japanese and Korean.
constexpr const char* kFamilies = "DejaVu Sans,WenQuanYi Micro Hei";

constexpr double kMargin = 240;            // each side and the top
constexpr double kContentBottom = 2400;    // the bottom fifth stays clear
constexpr double kGap = 110;               // between the blocks
constexpr double kRuleWidth = 360, kRuleHeight = 30;
constexpr double kHeaderPx = 110;          // date · place
constexpr double kSpeakersPx = 120;
constexpr double kTitleMaxPx = 260, kTitleMinPx = 130, kTitleStepPx = 10;

struct Style {
    double px;           // font size in pixels of the 3000 px card
    PangoWeight weight;
    int max_lines;       // 0: as many as the block's height allows
};

class Setter {
public:
    Setter(cairo_t* cr, double scale, double width) : scale_(scale), width_(width) {
        ctx_.reset(pango_font_map_create_context(pango_cairo_font_map_get_default()));
        pango_cairo_update_context(cr, ctx_.get());
        // Fixed rendering options instead of the machine's fontconfig
        // defaults (subpixel order, hinting), so the bytes are the same everywhere.
        std::unique_ptr<cairo_font_options_t, FontOptionsDeleter> options(cairo_font_options_create());
        check_cairo(cairo_font_options_status(options.get()), "creating font options");
        cairo_font_options_set_antialias(options.get(), CAIRO_ANTIALIAS_GRAY);
        cairo_font_options_set_hint_style(options.get(), CAIRO_HINT_STYLE_NONE);
        cairo_font_options_set_hint_metrics(options.get(), CAIRO_HINT_METRICS_OFF);
        pango_cairo_context_set_font_options(ctx_.get(), options.get());
    }

    // `text` set in `style`, wrapped at the block's width; `height` (pixels of
    // the 3000 px card, 0 for none) bounds it, the last line cut with "…".
    LayoutPtr set(const std::string& text, const Style& style, double height = 0) {
        LayoutPtr layout(pango_layout_new(ctx_.get()));
        std::unique_ptr<PangoFontDescription, FontDescriptionDeleter> font(pango_font_description_new());
        pango_font_description_set_family_static(font.get(), kFamilies);
        pango_font_description_set_weight(font.get(), style.weight);
        pango_font_description_set_absolute_size(font.get(), style.px * scale_ * PANGO_SCALE);
        pango_layout_set_font_description(layout.get(), font.get());
        pango_layout_set_width(layout.get(), int(width_ * scale_ * PANGO_SCALE));
        pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);  // a long word breaks too
        if (style.max_lines > 0 || height > 0) {
            pango_layout_set_ellipsize(layout.get(), PANGO_ELLIPSIZE_END);
            pango_layout_set_height(layout.get(), style.max_lines > 0 ? -style.max_lines
                                                                      : int(height * scale_ * PANGO_SCALE));
        }
        // Pango wants valid UTF-8; a stray byte becomes U+FFFD, not a failure.
        std::unique_ptr<char, GFreeDeleter> valid(g_utf8_make_valid(text.c_str(), gssize(text.size())));
        pango_layout_set_text(layout.get(), valid.get(), -1);
        return layout;
    }

    // Height in pixels of the 3000 px card.
    double height(PangoLayout* layout) const {
        PangoRectangle logical;
        pango_layout_get_pixel_extents(layout, nullptr, &logical);
        return logical.height / scale_;
    }

private:
    ContextPtr ctx_;
    double scale_, width_;
};

// Title at the largest size whose wrapped lines fit `height`; at the smallest,
// cut to fit.
LayoutPtr set_title(Setter& setter, const std::string& title, double height) {
    for (double px = kTitleMaxPx; px > kTitleMinPx; px -= kTitleStepPx) {
        auto layout = setter.set(title, {px, PANGO_WEIGHT_BOLD, 0});
        if (setter.height(layout.get()) <= height) return layout;
    }
    return setter.set(title, {kTitleMinPx, PANGO_WEIGHT_BOLD, 0}, height);
}

std::string join_present(const std::vector<std::string>& parts, const char* separator) {
    std::string out;
    for (const auto& p : parts)
        if (!p.empty()) out += (out.empty() ? "" : separator) + p;
    return out;
}

}  // namespace

std::string drawing_version() {
    // Bump the design's number with any change to what is drawn or where.
    return std::string("card/1 cairo ") + cairo_version_string() + " pango " + pango_version_string();
}

Card draw_card(const CardText& text, int size) {
    if (size < 16) throw std::invalid_argument("art: a card needs at least 16 pixels a side");
    // RGB24: the PNG has no alpha channel, which Apple's artwork must not have.
    SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, size, size));
    check_cairo(cairo_surface_status(surface.get()), "creating the card's surface");
    CairoPtr cr(cairo_create(surface.get()));
    check_cairo(cairo_status(cr.get()), "creating the card's drawing context");
    const double scale = size / double(kCardSize);
    auto fill = [&](const Rgb& c) { cairo_set_source_rgb(cr.get(), c.r, c.g, c.b); };

    fill(kBackground);
    cairo_paint(cr.get());
    fill(kAccent);
    cairo_rectangle(cr.get(), kMargin * scale, kMargin * scale, kRuleWidth * scale, kRuleHeight * scale);
    cairo_fill(cr.get());

    Setter setter(cr.get(), scale, kCardSize - 2 * kMargin);
    const double top = kMargin + kRuleHeight + kGap;
    auto header = setter.set(join_present({text.date, text.place}, " \xC2\xB7 "), {kHeaderPx, PANGO_WEIGHT_BOLD, 2});
    auto speakers = setter.set(text.speakers, {kSpeakersPx, PANGO_WEIGHT_NORMAL, 3});
    const double header_h = text.date.empty() && text.place.empty() ? 0 : setter.height(header.get()) + kGap;
    const double speakers_h = text.speakers.empty() ? 0 : setter.height(speakers.get()) + kGap;
    const double title_top = top + header_h;
    auto title = set_title(setter, text.title, kContentBottom - speakers_h - title_top);

    auto show = [&](PangoLayout* layout, const Rgb& colour, double y) {
        fill(colour);
        cairo_move_to(cr.get(), kMargin * scale, y * scale);
        pango_cairo_show_layout(cr.get(), layout);
    };
    if (header_h > 0) show(header.get(), kAccent, top);
    show(title.get(), kText, title_top);
    if (speakers_h > 0) show(speakers.get(), kText, kContentBottom - speakers_h + kGap);
    check_cairo(cairo_status(cr.get()), "drawing the card");

    Card card;
    for (PangoLayout* l : {header.get(), title.get(), speakers.get()}) card.missing_glyphs += pango_layout_get_unknown_glyphs_count(l);
    card.png = encode_png(surface.get());
    return card;
}

}  // namespace turncast::art
