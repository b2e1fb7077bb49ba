// turncast feed OUTPUT_DIR --base-url URL [--title T] [--author A] [--description D]
//                [--owner-name N] [--owner-email E] [--copyright C] [--locked] ...
//
// Writes OUTPUT_DIR/feed.xml (atomically) from every OUTPUT_DIR/*/manifest.json.
#include <fmt/core.h>

#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "sidecar/feed.hpp"

namespace turncast::cli {

void add_feed(CLI::App& app, Globals& g) {
    struct Args {
        std::string dir;
        sidecar::FeedOptions feed;
    };
    auto args = std::make_shared<Args>();
    auto* sub = app.add_subcommand("feed", "Write OUTPUT_DIR/feed.xml, a podcast feed of every render in OUTPUT_DIR");
    sub->add_option("OUTPUT_DIR", args->dir, "The folder renders were written to (holds <slug>/manifest.json)")
        ->required();
    sub->add_option("--base-url", args->feed.base_url,
                    "The http(s) address where OUTPUT_DIR is served, e.g. https://example.org/talks")
        ->required();
    sub->add_option("--title", args->feed.title, "The podcast's title (default: the render's title)");
    sub->add_option("--author", args->feed.author, "The podcast's author (default: turncast)");
    sub->add_option("--description", args->feed.description, "The podcast's description");
    sub->add_option("--language", args->feed.language, "The podcast's language (default: en)");
    sub->add_option("--category", args->feed.category, "Apple Podcasts category (default: News)");
    sub->add_flag("--explicit", args->feed.explicit_content, "Mark the podcast as explicit");
    sub->add_option("--owner-name", args->feed.owner_name, "The podcast owner's name, for directories (default: the author)");
    sub->add_option("--owner-email", args->feed.owner_email,
                    "The podcast owner's email, for directories (Apple Podcasts verifies ownership by it)");
    sub->add_option("--copyright", args->feed.copyright, "The podcast's copyright line, e.g. \"© 2026 Example Press\"");
    sub->add_flag("--locked", args->feed.locked,
                  "podcast:locked yes: podcast hosts will not import the feed without the owner's email");
    sub->callback([args, &g] {
        auto result = sidecar::write_feed(args->dir, args->feed);
        if (!g.quiet)
            fmt::print("wrote {} ({} item{})\n", result.path, result.items, result.items == 1 ? "" : "s");
    });
}

}  // namespace turncast::cli
