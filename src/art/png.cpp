#include "art/png.hpp"

#include <png.h>

#include <csetjmp>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/error.hpp"

namespace turncast::art {

namespace {

// libpng reports an error by calling this and never returning: the text is
// kept and control goes back to write_rows's setjmp.
struct Failure {
    char text[256] = "";
};

void on_error(png_structp png, png_const_charp message) {
    auto* f = static_cast<Failure*>(png_get_error_ptr(png));
    std::strncpy(f->text, message, sizeof f->text - 1);
    png_longjmp(png, 1);
}
void on_warning(png_structp, png_const_charp) {}

void on_write(png_structp png, png_bytep data, png_size_t length) {
    try {
        static_cast<std::string*>(png_get_io_ptr(png))->append(reinterpret_cast<const char*>(data), length);
    } catch (const std::bad_alloc&) {
        png_error(png, "out of memory");  // no C++ exception through libpng's frames
    }
}
void on_flush(png_structp) {}

// Owns the write struct and its info struct.
struct Writer {
    png_structp png = nullptr;
    png_infop info = nullptr;
    ~Writer() { png_destroy_write_struct(&png, info ? &info : nullptr); }
};

// Between setjmp and the libpng calls that may jump back to it there is no
// object with a destructor: the jump skips nothing. Returns false on error.
bool write_rows(png_structp png, png_infop info, const unsigned char* data, int width, int height, int stride,
                unsigned char* row) {
    if (setjmp(png_jmpbuf(png))) return false;
    png_set_IHDR(png, info, png_uint_32(width), png_uint_32(height), 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
    png_set_compression_level(png, 6);
    png_write_info(png, info);
    for (int y = 0; y < height; ++y) {
        // Cairo's RGB24 pixel: a native-endian 32-bit 0x00RRGGBB.
        const auto* px = reinterpret_cast<const std::uint32_t*>(data + std::size_t(y) * std::size_t(stride));
        for (int x = 0; x < width; ++x) {
            row[3 * x] = static_cast<unsigned char>(px[x] >> 16);
            row[3 * x + 1] = static_cast<unsigned char>(px[x] >> 8);
            row[3 * x + 2] = static_cast<unsigned char>(px[x]);
        }
        png_write_row(png, row);
    }
    png_write_end(png, info);
    return true;
}

}  // namespace

std::string encode_png(cairo_surface_t* surface) {
    if (cairo_image_surface_get_format(surface) != CAIRO_FORMAT_RGB24)
        throw std::invalid_argument("art: encode_png takes an RGB24 image surface");
    cairo_surface_flush(surface);
    const int width = cairo_image_surface_get_width(surface), height = cairo_image_surface_get_height(surface);
    std::vector<unsigned char> row(std::size_t(width) * 3);
    std::string out;
    Failure failure;
    Writer w;
    w.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &failure, on_error, on_warning);
    if (w.png) w.info = png_create_info_struct(w.png);
    if (!w.info) throw LibraryError("libpng", "out of memory creating a PNG writer");
    png_set_write_fn(w.png, &out, on_write, on_flush);
    if (!write_rows(w.png, w.info, cairo_image_surface_get_data(surface), width, height,
                    cairo_image_surface_get_stride(surface), row.data()))
        throw LibraryError("libpng", std::string("writing the card as PNG: ") + failure.text);
    return out;
}

}  // namespace turncast::art
