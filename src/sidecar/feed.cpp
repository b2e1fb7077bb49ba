// feed.xml: one <item> per render, the .m4a as the enclosure every app plays,
// the .opus and the .mp3 as podcast:alternateEnclosure, and the sidecars as
// podcast:chapters / podcast:transcript.
// https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md
#include "sidecar/feed.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <optional>
#include <system_error>

#include "core/error.hpp"
#include "core/zone.hpp"
#include "io/av.hpp"
#include "io/file.hpp"
#include "sidecar/text.hpp"

namespace turncast::sidecar {
namespace fs = std::filesystem;
namespace {

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// `t` seconds since 1970 UTC as the wall time `offset` minutes east of UTC.
std::string rfc822_from_epoch(std::int64_t t, int offset = 0) {
    std::time_t tt = std::time_t(t + std::int64_t(offset) * 60);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S", &tm);  // C locale names
    const int a = offset < 0 ? -offset : offset;
    char zone[16];
    std::snprintf(zone, sizeof zone, " %c%02d%02d", offset < 0 ? '-' : '+', a / 60, a % 60);
    return std::string(buf) + zone;
}

// The zone's offset at a local date and time, 0 when the zone is unknown.
int offset_at(const std::string& zone, const std::string& date, const std::string& time) {
    if (zone.empty()) return 0;
    return utc_offset_minutes(zone, date, time).value_or(0);
}

// Percent-encodes a path segment (RFC 3986 unreserved characters stay).
std::string url_segment(const std::string& s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += char(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

// A render's folder under the output ("2021/talk"), each segment encoded.
std::string url_path(const std::string& folder) {
    std::string out;
    std::size_t start = 0;
    for (;;) {
        const auto slash = folder.find('/', start);
        out += url_segment(folder.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
        if (slash == std::string::npos) return out;
        out += '/';
        start = slash + 1;
    }
}

std::int64_t file_size(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return std::int64_t(st.st_size);
    return -1;
}

// A local date and time as an instant: seconds since 1970 UTC, and the
// zone's offset then (minutes east of UTC).
struct Moment {
    std::int64_t utc = 0;
    int offset = 0;
};

// YYYY-MM-DD and HH:MM (empty: 00:00) in the IANA `zone` (empty or unknown:
// UTC); nullopt for an invalid date or time.
std::optional<Moment> moment(const std::string& date, const std::string& time, const std::string& zone) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0;
    char tail = 0;
    if (date.size() != 10 || std::sscanf(date.c_str(), "%4d-%2d-%2d%c", &y, &mo, &d, &tail) != 3) return {};
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || mo < 1 || mo > 12 || d < 1 || d > days[mo - 1] + (mo == 2 && leap(y))) return {};
    if (!time.empty()) {
        if (time.size() != 5 || std::sscanf(time.c_str(), "%2d:%2d%c", &h, &mi, &tail) != 2 || h < 0 ||
            h > 23 || mi < 0 || mi > 59)
            return {};
    }
    const int offset = offset_at(zone, date, time);
    return Moment{days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 - std::int64_t(offset) * 60, offset};
}

// When the event happened (s since 1970 UTC), for sorting: the transcript's
// date and time in its zone, else the manifest's modification time.
std::int64_t when(const FeedRender& r) {
    const auto& m = r.manifest;
    if (auto t = moment(m.date, m.time, m.timezone)) return t->utc;
    return r.mtime;
}

struct Attr {
    const char* name;
    std::string value;
};

std::string tag(const std::string& name, const std::vector<Attr>& attrs, const std::string& text = {},
                bool empty = true) {
    std::string out = "<" + name;
    for (const auto& a : attrs) out += std::string(" ") + a.name + "=\"" + escape_xml(a.value) + "\"";
    if (text.empty() && empty) return out + "/>";
    return out + ">" + escape_xml(text) + "</" + name + ">";
}

std::string element(const std::string& name, const std::string& text) { return tag(name, {}, text, false); }

}  // namespace

std::string rfc822(const std::string& date, const std::string& time, const std::string& zone) {
    const auto t = moment(date, time, zone);
    return t ? rfc822_from_epoch(t->utc, t->offset) : std::string();
}

std::int64_t build_time() {
    if (const char* e = std::getenv("SOURCE_DATE_EPOCH"); e && *e) {
        char* end = nullptr;
        const long long t = std::strtoll(e, &end, 10);
        if (*end == '\0' && t >= 0) return std::int64_t(t);
    }
    return std::int64_t(std::time(nullptr));
}

std::string uuid_v5(const std::string& ns, const std::string& name) {
    std::uint8_t bytes[16];
    std::size_t n = 0;
    for (std::size_t i = 0; i + 1 < ns.size() && n < 16; ++i) {
        if (ns[i] == '-') continue;
        bytes[n++] = std::uint8_t(std::stoi(ns.substr(i, 2), nullptr, 16));
        ++i;
    }
    if (n != 16) throw std::invalid_argument("uuid_v5: not a UUID: " + ns);
    io::ShaPtr sha(av_sha_alloc());
    if (!sha) throw LibraryError("libavutil", "cannot allocate a SHA context");
    av_sha_init(sha.get(), 160);
    av_sha_update(sha.get(), bytes, 16);
    av_sha_update(sha.get(), reinterpret_cast<const std::uint8_t*>(name.data()), name.size());
    std::uint8_t digest[20];
    av_sha_final(sha.get(), digest);
    digest[6] = std::uint8_t((digest[6] & 0x0F) | 0x50);  // version 5
    digest[8] = std::uint8_t((digest[8] & 0x3F) | 0x80);  // RFC 4122 variant
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 15];
    }
    return out;
}

std::string podcast_guid(const std::string& feed_url) {
    std::string u = feed_url;
    if (const auto p = u.find("://"); p != std::string::npos) u = u.substr(p + 3);
    while (!u.empty() && u.back() == '/') u.pop_back();
    return uuid_v5(kPodcastNamespace, u);
}

std::string check_base_url(const std::string& url) {
    auto usage = [&](const std::string& what) {
        return Error(ExitCode::Usage, "--base-url", what,
                     "give the http:// or https:// address where OUTPUT_DIR is served, "
                     "e.g. https://example.org/talks");
    };
    std::string rest;
    if (url.rfind("https://", 0) == 0)
        rest = url.substr(8);
    else if (url.rfind("http://", 0) == 0)
        rest = url.substr(7);
    else
        throw usage("\"" + url + "\" is not an http:// or https:// URL");
    if (rest.empty() || rest[0] == '/') throw usage("\"" + url + "\" has no host");
    for (unsigned char c : rest)
        if (c <= 0x20 || c == 0x7f || c == '"' || c == '<' || c == '>' || c == '\\')
            throw usage("\"" + url + "\" contains a space or a character a URL cannot hold");
    if (rest.find_first_of("?#") != std::string::npos)
        throw usage("\"" + url + "\" has a query or fragment; give the folder's address");
    std::string base = url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base;
}

std::vector<FeedRender> scan_renders(const std::string& output_dir) {
    std::error_code ec;
    if (!fs::is_directory(output_dir, ec))
        throw IoError(output_dir, fs::exists(output_dir, ec) ? "is not a folder" : "no such folder",
                      "give the folder renders were written to (the render command's --output)");
    std::vector<FeedRender> out;
    // A batch's renders sit in the folders of its input tree: every folder
    // with a manifest is a render, and nothing below it is searched.
    fs::recursive_directory_iterator it(output_dir, ec), end;
    if (ec) throw IoError(output_dir, "cannot list the folder: " + ec.message());
    std::vector<fs::path> folders;
    for (; it != end; it.increment(ec)) {
        if (ec) throw IoError(output_dir, "cannot list the folder: " + ec.message());
        const auto name = it->path().filename().string();
        if (!it->is_directory(ec)) continue;
        if (name.empty() || name[0] == '.' || fs::is_regular_file(it->path() / "manifest.json", ec))
            it.disable_recursion_pending();  // .cache and other hidden folders; a render's own folder
        if (name[0] != '.' && fs::is_regular_file(it->path() / "manifest.json", ec))
            folders.push_back(it->path().lexically_relative(output_dir));
    }
    std::sort(folders.begin(), folders.end());
    for (const auto& rel : folders) {
        const fs::path dir = fs::path(output_dir) / rel;
        FeedRender r;
        r.folder = rel.generic_string();
        r.manifest_path = (dir / "manifest.json").string();
        r.manifest = parse_manifest(io::read_file(r.manifest_path, io::kMaxManifestBytes, "manifest"), r.manifest_path);
        struct stat st {};
        if (::stat(r.manifest_path.c_str(), &st) == 0) r.mtime = std::int64_t(st.st_mtime);
        // The file on disk is the truth for the enclosure length.
        for (auto& f : r.manifest.files) {
            auto size = file_size((dir / f.name).string());
            if (size >= 0) f.bytes = std::uint64_t(size);
        }
        out.push_back(std::move(r));
    }
    if (out.empty())
        throw InputError(output_dir, "no renders found (no */manifest.json)",
                         "render a transcript into this folder first: turncast render FILE --output " +
                             output_dir);
    return out;
}

namespace {

// One render's <item>: its enclosure (M4A, else M4B, else Opus), the Opus
// file as an alternate, chapters and transcripts.
std::string item_xml(const FeedRender& r, const std::string& base) {
    std::string x;
    const auto& m = r.manifest;
    const std::string dir = base + "/" + url_path(r.folder) + "/";
    auto url = [&](const ManifestFile& f) { return dir + url_segment(f.name); };
    auto file = [&](const char* kind) { return m.file(kind); };
    auto length = [&](const ManifestFile& f) {
        if (f.bytes == 0)
            throw InputError(r.manifest_path, "the size of " + f.name + " is unknown",
                             "the file is missing and the manifest gives no \"bytes\"; render again");
        return std::to_string(f.bytes);
    };

    std::string pub;
    if (!m.date.empty()) {
        pub = rfc822(m.date, m.time, m.timezone);
        if (pub.empty())
            throw InputError(r.manifest_path,
                             "\"date\"/\"time\" is not a date: \"" + m.date + " " + m.time + "\"",
                             "dates are YYYY-MM-DD and times HH:MM");
    } else {
        pub = rfc822_from_epoch(r.mtime);
    }

    // The enclosure every app plays: M4A (AAC), else MP3, else M4B, else Opus.
    // Apple Podcasts lists audio/x-m4a for .m4a files (the manifest and the
    // page keep audio/mp4, which browsers know).
    const ManifestFile* main = nullptr;
    for (const char* kind : {"m4a", "mp3", "m4b", "opus"})
        if (!main) main = file(kind);
    if (!main)
        throw InputError(r.manifest_path, "the render has no m4a, mp3, m4b or opus file",
                         "render it again with --formats opus,m4a");

    x += "  <item>\n";
    x += "    " + element("title", m.title) + "\n";
    std::string about = m.description.empty() ? m.title : m.description;
    if (!m.corrected.empty()) about += " Corrected on " + m.corrected + ".";
    x += "    " + element("description", about) + "\n";
    if (file("html")) x += "    " + element("link", url(*file("html"))) + "\n";
    // The episode's GUID, fixed at its first render: a corrected render
    // updates the same episode.
    x += "    " + tag("guid", {{"isPermaLink", "false"}}, m.guid.empty() ? r.folder : m.guid, false) + "\n";
    x += "    " + element("pubDate", pub) + "\n";
    x += "    " + tag("enclosure", {{"url", url(*main)},
                                    {"length", length(*main)},
                                    {"type", main == file("m4a") ? "audio/x-m4a"
                                            : main->type.empty() ? media_type(main->kind) : main->type}}) +
         "\n";
    // The other encodings an app may choose instead: Opus (smaller), MP3
    // (for apps that take chapters only from ID3 CHAP frames).
    for (const auto& [kind, title] : {std::pair{"opus", "Opus"}, std::pair{"mp3", "MP3"}}) {
        const ManifestFile* alt = file(kind);
        if (!alt || alt == main) continue;
        std::string open = tag("podcast:alternateEnclosure",
                               {{"type", alt->type.empty() ? media_type(kind) : alt->type},
                                {"length", length(*alt)},
                                {"title", title}});
        open.pop_back();  // "/>" → ">": this element has a child
        open.back() = '>';
        x += "    " + open + "\n      " + tag("podcast:source", {{"uri", url(*alt)}}) +
             "\n    </podcast:alternateEnclosure>\n";
    }
    x += "    " + element("itunes:duration", std::to_string(std::llround(m.duration))) + "\n";
    x += "    " + element("itunes:episodeType", "full") + "\n";
    if (!m.speakers.empty()) x += "    " + element("itunes:author", join(m.speakers, ", ")) + "\n";
    // The event's people in the namespace's roles: whoever chairs it hosts,
    // everyone else named is a guest of the episode.
    for (std::size_t i = 0; i < m.speakers.size(); ++i) {
        const bool chair = i < m.roles.size() && m.roles[i] == "moderator";
        x += "    " + tag("podcast:person", {{"group", "cast"}, {"role", chair ? "host" : "guest"}}, m.speakers[i], false) +
             "\n";
    }
    if (!m.cover.empty()) x += "    " + tag("itunes:image", {{"href", dir + url_segment(m.cover)}}) + "\n";
    if (const auto* c = file("chapters"))
        x += "    " + tag("podcast:chapters", {{"url", url(*c)}, {"type", media_type("chapters")}}) + "\n";
    if (const auto* v = file("vtt"))
        x += "    " + tag("podcast:transcript", {{"url", url(*v)}, {"type", media_type("vtt")}, {"rel", "captions"}}) +
             "\n";
    if (const auto* s = file("srt"))
        x += "    " +
             tag("podcast:transcript", {{"url", url(*s)}, {"type", media_type("srt")}, {"rel", "captions"}}) +
             "\n";
    if (const auto* t = file("transcript"))
        x += "    " + tag("podcast:transcript", {{"url", url(*t)}, {"type", media_type("transcript")}}) + "\n";
    x += "  </item>\n";
    return x;
}

}  // namespace

std::string feed_xml(const std::vector<FeedRender>& renders, const FeedOptions& options) {
    const std::string base = check_base_url(options.base_url);

    // Newest first; each render's instant found once (a zone lookup), not per comparison.
    std::vector<std::pair<std::int64_t, const FeedRender*>> dated;
    for (const auto& r : renders) dated.emplace_back(when(r), &r);
    std::stable_sort(dated.begin(), dated.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<const FeedRender*> items;
    for (const auto& [t, r] : dated) items.push_back(r);

    std::string title = options.title;
    if (title.empty()) title = renders.size() == 1 ? renders.front().manifest.title : "Audio editions";
    const std::string author = options.author.empty() ? "turncast" : options.author;
    const std::string description =
        options.description.empty()
            ? "Speaker-labelled transcripts read aloud with a distinct synthetic voice for each speaker, "
              "with chapters, captions and transcripts."
            : options.description;

    std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    x += "<rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\" "
         "xmlns:podcast=\"https://podcastindex.org/namespace/1.0\" "
         "xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n";
    x += "  " + element("title", title) + "\n";
    x += "  " + element("link", base + "/") + "\n";
    x += "  " + tag("atom:link", {{"href", base + "/feed.xml"}, {"rel", "self"}, {"type", "application/rss+xml"}}) +
         "\n";
    x += "  " + element("description", description) + "\n";
    x += "  " + element("language", options.language.empty() ? "en" : options.language) + "\n";
    x += "  " + element("generator", "turncast " TURNCAST_VERSION) + "\n";
    x += "  " + element("lastBuildDate", rfc822_from_epoch(options.built >= 0 ? options.built : build_time())) + "\n";
    if (!options.copyright.empty()) x += "  " + element("copyright", options.copyright) + "\n";
    {
        const std::string owner = options.owner_name.empty() ? author : options.owner_name;
        x += "  <itunes:owner>\n    " + element("itunes:name", owner) + "\n";
        if (!options.owner_email.empty()) x += "    " + element("itunes:email", options.owner_email) + "\n";
        x += "  </itunes:owner>\n";
    }
    x += "  " + element("itunes:author", author) + "\n";
    x += "  " + tag("itunes:category", {{"text", options.category.empty() ? "News" : options.category}}) + "\n";
    x += "  " + element("itunes:explicit", options.explicit_content ? "true" : "false") + "\n";
    x += "  " + element("itunes:type", "episodic") + "\n";
    x += "  " + element("podcast:guid", podcast_guid(base + "/feed.xml")) + "\n";
    std::vector<Attr> lock;
    if (!options.owner_email.empty()) lock.push_back({"owner", options.owner_email});
    x += "  " + tag("podcast:locked", lock, options.locked ? "yes" : "no", false) + "\n";
    for (const auto* r : items) {
        if (!r->manifest.cover.empty()) {
            x += "  " + tag("itunes:image", {{"href", base + "/" + url_path(r->folder) + "/" +
                                                          url_segment(r->manifest.cover)}}) +
                 "\n";
            break;
        }
    }

    for (const auto* r : items) x += item_xml(*r, base);
    x += "</channel>\n</rss>\n";
    return x;
}

FeedResult write_feed(const std::string& output_dir, const FeedOptions& options) {
    check_base_url(options.base_url);  // a usage error before touching the disk
    auto renders = scan_renders(output_dir);
    FeedResult r;
    r.path = (fs::path(output_dir) / "feed.xml").string();
    r.items = int(renders.size());
    io::write_file_atomic(r.path, feed_xml(renders, options));
    return r;
}

}  // namespace turncast::sidecar
