#include "core/toml_file.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/read.hpp"

namespace turncast {

TomlDepth toml_depth(std::string_view t) {
    TomlDepth worst;
    int brackets = 0, dots = 0, line = 1;
    enum { Plain, Basic, Literal, MultiBasic, MultiLiteral, Comment } state = Plain;
    bool in_value = false;  // after '=' on this line (dots in numbers are no keys)
    for (std::size_t i = 0; i < t.size(); ++i) {
        const char c = t[i];
        if (c == '\n') {
            ++line;
            if (state == Comment || state == Basic || state == Literal) state = Plain;
            dots = 0;
            in_value = brackets > 0 && in_value;
            if (brackets == 0) in_value = false;
            continue;
        }
        switch (state) {
        case Comment: continue;
        case Basic:
            if (c == '\\') ++i;
            else if (c == '"') state = Plain;
            continue;
        case Literal:
            if (c == '\'') state = Plain;
            continue;
        case MultiBasic:
            if (c == '\\') ++i;
            else if (t.substr(i, 3) == "\"\"\"") state = Plain, i += 2;
            continue;
        case MultiLiteral:
            if (t.substr(i, 3) == "'''") state = Plain, i += 2;
            continue;
        case Plain: break;
        }
        if (c == '#') state = Comment;
        else if (t.substr(i, 3) == "\"\"\"") state = MultiBasic, i += 2;
        else if (t.substr(i, 3) == "'''") state = MultiLiteral, i += 2;
        else if (c == '"') state = Basic;
        else if (c == '\'') state = Literal;
        else if (c == '[' || c == '{') ++brackets;
        else if ((c == ']' || c == '}') && brackets > 0) --brackets;
        else if (c == '=') in_value = true, dots = 0;
        else if (c == '.' && !in_value) ++dots;
        if (brackets + dots > worst.depth) worst = {brackets + dots, line};
    }
    return worst;
}

toml::table parse_toml_file(const std::string& path, std::string_view what, std::string_view hint,
                            std::string (*where)(const std::string& path, int line)) {
    auto fail = [&](int line, const std::string& message, const std::string& what_to_do) {
        if (where) throw ConfigError(where(path, line), message, what_to_do);
        throw ConfigError(path, fmt::format("line {}: {}", line, message), what_to_do);
    };
    const std::string text = read_file(path, kMaxConfigBytes, what);
    if (const TomlDepth d = toml_depth(text); d.depth > kMaxTomlDepth)
        fail(d.line, fmt::format("nested {} levels deep; a {} nests at most {}", d.depth, what, kMaxTomlDepth),
             "flatten the tables or keys at that line");
    try {
        return toml::parse(text, path);
    } catch (const toml::parse_error& e) {
        fail(int(e.source().begin.line), fmt::format("not valid TOML: {}", e.description()), std::string(hint));
    }
    return {};
}

}  // namespace turncast
