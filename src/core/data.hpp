// Where turncast's data files live (voices/: rules.toml, cast.toml,
// lexicon.tsv, readings.toml): $TURNCAST_DATA_DIR when set, else
// PREFIX/share/turncast/ for a binary installed as PREFIX/bin/turncast
// (`cmake --install`), else the source tree's voices/ folder.
#pragma once

#include <string>
#include <string_view>

namespace turncast {

std::string data_file(std::string_view name);

}  // namespace turncast
