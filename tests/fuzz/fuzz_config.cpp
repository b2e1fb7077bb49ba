// libFuzzer target: any bytes as a data file — a cast file, a rules file, a
// readings file or a lexicon (the first byte chooses). Bad bytes must end in
// ConfigError or IoError; a crash, a sanitizer report or another exception is a bug.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "cast/cast.hpp"
#include "core/error.hpp"
#include "parse/parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace turncast;
    if (size == 0) return 0;
    static const std::string path = "/tmp/turncast-fuzz-config-" + std::to_string(::getpid());
    {
        FILE* f = std::fopen(path.c_str(), "wb");
        if (!f) std::abort();
        std::fwrite(data + 1, 1, size - 1, f);
        std::fclose(f);
    }
    try {
        switch (data[0] % 4) {
        case 0: cast::load_cast(path); break;
        case 1: parse::load_rules(path); break;
        case 2: cast::load_readings(path); break;
        default: {
            const auto lex = cast::load_lexicon(path);
            (void)lex.apply("Sergey Lavrov met the CSTO on 30 August 2021 ($45 billion).");
        }
        }
    } catch (const ConfigError&) {
    } catch (const IoError&) {
    }
    return 0;
}
