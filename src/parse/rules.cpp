// Loading voices/rules.toml. The only file access in the parse module.
#include <cstdlib>
#include <fstream>
#include <regex>

#include <re2/re2.h>
#include <string>

#include <toml++/toml.h>

#include "core/data.hpp"
#include "core/toml_file.hpp"
#include "core/error.hpp"
#include "parse/parse.hpp"

namespace turncast::parse {
namespace {

std::string at_line(const std::string& path, int line) {
    return line == 0 ? path : path + ":" + std::to_string(line);
}

std::string at(const std::string& path, const toml::source_region& src) { return at_line(path, int(src.begin.line)); }

// Reads `table.key` as an array of strings; absent → `fallback` unchanged.
void read_strings(const std::string& path, const toml::table& root, const char* table,
                  const char* key, std::vector<std::string>& out) {
    const toml::node* t = root.get(table);
    if (!t) return;
    const toml::table* tt = t->as_table();
    if (!tt) throw ConfigError(at(path, t->source()), std::string("'") + table + "' must be a table",
                               "write it as [" + std::string(table) + "]");
    const toml::node* n = tt->get(key);
    if (!n) return;
    const std::string name = std::string(table) + "." + key;
    const toml::array* arr = n->as_array();
    if (!arr) throw ConfigError(at(path, n->source()), "key '" + name + "' must be an array of strings",
                                "write it as " + std::string(key) + " = [\"...\", \"...\"]");
    out.clear();
    for (const auto& el : *arr) {
        const auto v = el.value<std::string>();
        if (!v) throw ConfigError(at(path, el.source()), "key '" + name + "' holds something that is not a string",
                                  "quote every entry");
        if (v->empty()) throw ConfigError(at(path, el.source()), "key '" + name + "' holds an empty string",
                                          "remove the empty entry");
        out.push_back(*v);
    }
}

void read_int(const std::string& path, const toml::table& root, const char* table, const char* key,
              int lo, int hi, int& out) {
    const toml::table* tt = root.get_as<toml::table>(table);
    if (!tt) return;
    const toml::node* n = tt->get(key);
    if (!n) return;
    const auto v = n->value<int64_t>();
    const std::string name = std::string(table) + "." + key;
    if (!v || !n->is_integer() || *v < lo || *v > hi)
        throw ConfigError(at(path, n->source()), "key '" + name + "' must be a whole number from " +
                                                     std::to_string(lo) + " to " + std::to_string(hi));
    out = static_cast<int>(*v);
}

void check_regex(const std::string& path, const toml::node& n, const std::string& key, const std::string& re) {
    RE2::Options o;
    o.set_log_errors(false);
    const RE2 r(re, o);
    if (!r.ok())
        throw ConfigError(at(path, n.source()), "key '" + key + "' is not a valid regex: " + r.error(),
                          "regexes are RE2 syntax (no backreferences or lookaround); in TOML write them in "
                          "'single quotes'");
}

}  // namespace

std::string default_rules_path() { return data_file("rules.toml"); }

Rules load_rules(const std::string& path) {
    const toml::table root = parse_toml_file(path, "rules file", "fix the TOML syntax at that line", at_line);

    Rules r;
    read_strings(path, root, "labels", "question", r.question_labels);
    read_strings(path, root, "labels", "remark", r.remark_labels);
    read_strings(path, root, "labels", "moderator", r.moderator_labels);
    read_strings(path, root, "labels", "connectors", r.label_connectors);
    read_strings(path, root, "labels", "honorifics", r.honorifics);
    read_strings(path, root, "labels", "not_labels", r.non_labels);
    read_strings(path, root, "labels", "not_label_openers", r.non_label_openers);
    read_int(path, root, "labels", "max_words", 1, 100, r.max_label_words);
    read_int(path, root, "labels", "max_chars", 1, 1000, r.max_label_chars);
    read_strings(path, root, "tail", "markers", r.tail_markers);
    read_strings(path, root, "stage", "words", r.stage_direction_words);
    read_strings(path, root, "stage", "qualifiers", r.qualifier_words);
    read_strings(path, root, "header", "place_lines", r.place_lines);
    read_strings(path, root, "header", "fields", r.header_fields);
    read_strings(path, root, "header", "notices", r.header_notices);
    read_strings(path, root, "stage", "inline_notes", r.inline_notes);
    read_strings(path, root, "segment", "follow_up_openers", r.follow_up_openers);
    read_strings(path, root, "segment", "clarifications", r.clarifications);
    read_strings(path, root, "segment", "floor_phrases", r.floor_phrases);
    read_strings(path, root, "segment", "floor_words", r.floor_words);
    read_strings(path, root, "segment", "greetings", r.greetings);
    read_strings(path, root, "segment", "resumptions", r.resumptions);
    read_strings(path, root, "segment", "continuations", r.continuations);
    read_int(path, root, "segment", "follow_up_max_words", 1, 10000, r.follow_up_max_words);
    read_int(path, root, "segment", "short_answer_words", 0, 10000, r.short_answer_words);

    if (const toml::table* h = root.get_as<toml::table>("header"))
        if (const toml::array* a = h->get_as<toml::array>("place_lines"))
            for (std::size_t i = 0; i < a->size(); ++i)
                check_regex(path, *a->get(i), "header.place_lines", r.place_lines[i]);

    if (const toml::node* c = root.get("clutter")) {
        const toml::array* arr = c->as_array();
        if (!arr || !arr->is_array_of_tables())
            throw ConfigError(at(path, c->source()), "'clutter' must be a list of [[clutter]] tables",
                              "write each pattern as [[clutter]] with regex = '...' and reason = \"...\"");
        for (const auto& el : *arr) {
            const toml::table& t = *el.as_table();
            const toml::node* re = t.get("regex");
            const toml::node* why = t.get("reason");
            if (!re || !re->is_string())
                throw ConfigError(at(path, t.source()), "key 'clutter.regex' is missing or not a string",
                                  "give each [[clutter]] a regex = '...'");
            if (why && !why->is_string())
                throw ConfigError(at(path, why->source()), "key 'clutter.reason' must be a string");
            Rules::LinePattern p;
            p.regex = *re->value<std::string>();
            p.reason = why ? *why->value<std::string>() : std::string("clutter");
            check_regex(path, *re, "clutter.regex", p.regex);
            r.clutter_lines.push_back(std::move(p));
        }
    }
    if (r.question_labels.empty())
        throw ConfigError(path, "key 'labels.question' is missing or empty",
                          "list the labels that mark a question, e.g. question = [\"Question\", \"Q\"]");
    return r;
}

}  // namespace turncast::parse
