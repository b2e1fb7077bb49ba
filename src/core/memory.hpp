// Large sample buffers: reserved with a request for transparent huge pages.
//
// Fresh memory costs a page fault per 4 KiB the first time it is written
// (~10 µs on a virtual machine: touching a minute of 22050 Hz float speech,
// 5 MiB, costs ~13 ms, about what levelling it does). Where the kernel runs
// transparent huge pages in "madvise" mode (as the machine these figures come
// from does) or "always", asking for them turns 512 of those faults into one.
// With "never" the request is ignored and nothing changes but the call.
//
//   turncast::resize_large(buffer, samples);   // or reserve_large() before writing
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace turncast {

// Asks for huge pages over the whole 2 MiB pages inside [p, p + bytes).
inline void advise_huge_pages(void* p, std::size_t bytes) {
#ifdef MADV_HUGEPAGE
    constexpr std::uintptr_t kHuge = std::uintptr_t(2) << 20;
    const auto begin = (reinterpret_cast<std::uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
    const auto end = (reinterpret_cast<std::uintptr_t>(p) + bytes) & ~(kHuge - 1);
    if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);  // a hint: errors ignored
#else
    (void)p;
    (void)bytes;
#endif
}

// v.reserve(n), with huge pages asked for when the storage is new and large
// (2 MiB or more: smaller ones cannot hold a whole huge page).
template <typename T>
void reserve_large(std::vector<T>& v, std::size_t n) {
    if (n <= v.capacity()) return;
    v.reserve(n);
    if (n * sizeof(T) >= (std::size_t(2) << 20)) advise_huge_pages(v.data(), v.capacity() * sizeof(T));
}

// v.resize(n) over storage from reserve_large.
template <typename T>
void resize_large(std::vector<T>& v, std::size_t n) {
    reserve_large(v, n);
    v.resize(n);
}

}  // namespace turncast
