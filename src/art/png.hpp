// A Cairo RGB24 image surface as PNG bytes, with libpng (internal to src/art).
//
//   std::string png = turncast::art::encode_png(surface);
//
// Cairo's own writer (cairo_surface_write_to_png_stream) tries all five PNG
// row filters on every row; a card is large flat areas, which compress as
// well unfiltered at about half the CPU. The PNG is 8-bit RGB with no
// ancillary chunks: the same pixels always give the same bytes.
#pragma once

#include <cairo.h>

#include <string>

namespace turncast::art {

// Throws LibraryError when libpng fails (out of memory).
std::string encode_png(cairo_surface_t* rgb24);

}  // namespace turncast::art
