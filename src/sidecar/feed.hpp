// A podcast feed (RSS 2.0 with the itunes and Podcasting 2.0 namespaces) of
// every render in an output folder, from their manifest.json files.
//
//   turncast::sidecar::FeedOptions o;
//   o.base_url = "https://example.org/talks";    // where OUTPUT_DIR is served
//   auto r = turncast::sidecar::write_feed("output", o);  // writes output/feed.xml
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sidecar/manifest.hpp"

namespace turncast::sidecar {

struct FeedOptions {
    std::string base_url;      // http(s) URL of OUTPUT_DIR; required
    std::string title;         // empty: the render's title if there is one, else a generic one
    std::string author;        // empty: "turncast"
    std::string description;   // empty: a generic description
    std::string language = "en";
    std::string category = "News";   // an Apple Podcasts category
    bool explicit_content = false;
    std::string owner_name;    // itunes:owner; empty: the author
    std::string owner_email;   // itunes:owner and podcast:locked's owner; may be empty
    std::string copyright;     // <copyright>; empty: none
    bool locked = false;       // podcast:locked yes: other platforms may not import the feed
    std::int64_t built = -1;   // lastBuildDate, s since 1970; -1: build_time()
};

// One render found in the output folder.
struct FeedRender {
    std::string folder;          // the render's folder under the output folder, '/'-separated (its URL path)
    std::string manifest_path;   // for messages
    Manifest manifest;           // audio byte counts taken from the files when present
    std::int64_t mtime = 0;      // the manifest's modification time (s since 1970): pubDate without a date
};

// A name-based UUID (RFC 4122 version 5: SHA-1) of `name` in the namespace
// `ns` ("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"), lower-case and dashed.
std::string uuid_v5(const std::string& ns, const std::string& name);

// The Podcasting 2.0 namespace's UUID for podcast:guid and for turncast's
// episode GUIDs.
constexpr const char* kPodcastNamespace = "ead4c236-bf58-58c6-a2c6-a6b28d128cb6";

// A show's podcast:guid: the UUIDv5 of its feed's URL without the scheme and
// trailing slashes, in the podcast namespace (as the namespace specifies).
std::string podcast_guid(const std::string& feed_url);

// "https://host/path/" → "https://host/path". Throws Error(Usage) for
// anything but an http:// or https:// URL with a host.
std::string check_base_url(const std::string& url);

// Every OUTPUT_DIR/**/manifest.json (a batch's renders mirror its input
// tree; a render's own folder is not searched further, hidden folders are
// skipped), sorted by folder. Throws IoError
// when the folder cannot be read, InputError naming the folder when it holds
// no render, and InputError naming the file for a manifest that does not parse.
std::vector<FeedRender> scan_renders(const std::string& output_dir);

// The feed's XML; items newest first. Throws InputError naming the manifest
// for a render without an audio byte count or with an unreadable date.
std::string feed_xml(const std::vector<FeedRender>& renders, const FeedOptions& options);

struct FeedResult {
    std::string path;   // OUTPUT_DIR/feed.xml
    int items = 0;
};

// check_base_url, scan_renders, feed_xml, then an atomic write of feed.xml.
FeedResult write_feed(const std::string& output_dir, const FeedOptions& options);

// RFC 822 date as RSS wants it, e.g. "Mon, 30 Aug 2021 19:47:00 +0300", from
// YYYY-MM-DD and HH:MM (empty: 00:00), local time in the IANA `zone` (empty
// or unknown: UTC). Returns "" for an invalid date.
std::string rfc822(const std::string& date, const std::string& time, const std::string& zone = {});

// When the feed is written: SOURCE_DATE_EPOCH when set (reproducible builds),
// else the clock.
std::int64_t build_time();

}  // namespace turncast::sidecar
