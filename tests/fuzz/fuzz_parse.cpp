// libFuzzer target: any bytes through parse + segment. Bad input must end in
// InputError; anything else (a crash, a sanitizer report, another exception,
// a broken invariant) is a bug.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/error.hpp"
#include "parse/parse.hpp"
#include "segment/segment.hpp"

namespace {
void require(bool ok) {
    if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace turncast;
    static const parse::Rules rules = parse::load_rules(TURNCAST_SOURCE_DIR "/voices/rules.toml");
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    Document doc;
    try {
        doc = parse::parse_transcript(bytes, "fuzz.txt", rules);
    } catch (const InputError&) {
        return 0;
    }
    require(!doc.paragraphs.empty());
    for (const auto& p : doc.paragraphs) {
        require(!p.text.empty());
        require(p.pos.line >= 1 && p.pos.byte <= size + 1);
    }
    const Segmentation seg = segment::segment(doc, rules);
    std::size_t next = 0;
    for (const auto& t : seg.turns) {
        require(t.speaker < seg.speakers.size());
        require(!t.paragraphs.empty());
        for (std::size_t i : t.paragraphs) require(i == next++);
    }
    require(next == doc.paragraphs.size());
    for (const auto& s : seg.speakers) require(!s.id.empty() && s.id == parse::slugify(s.id));
    return 0;
}
