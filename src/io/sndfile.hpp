// The one owner type for libsndfile handles: sf_close on destruction. Code
// that must report a failed close calls sf_close(ptr.release()) itself.
#pragma once

#include <sndfile.h>

#include <memory>

namespace turncast::io {

struct SndfileCloser {
    void operator()(SNDFILE* f) const noexcept { sf_close(f); }
};
using SndfilePtr = std::unique_ptr<SNDFILE, SndfileCloser>;

}  // namespace turncast::io
