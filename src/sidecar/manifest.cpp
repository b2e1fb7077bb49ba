#include "sidecar/manifest.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "sidecar/text.hpp"

namespace turncast::sidecar {

const char* media_type(std::string_view kind) {
    static const std::pair<std::string_view, const char*> types[] = {
        {"opus", "audio/ogg; codecs=opus"}, {"m4a", "audio/mp4"}, {"m4b", "audio/mp4"}, {"mp3", "audio/mpeg"},
        {"flac", "audio/flac"},            {"wav", "audio/wav"},  {"vtt", "text/vtt"},
        {"srt", "application/x-subrip"},   {"chapters", "application/json+chapters"},
        {"transcript", "application/json"}, {"html", "text/html"}};
    for (const auto& [k, t] : types)
        if (k == kind) return t;
    return "";
}

std::vector<const Speaker*> named(const Script& script) {
    std::vector<const Speaker*> out;
    for (const auto& sp : script.speakers)
        if (sp.role != SpeakerRole::Narrator && sp.role != SpeakerRole::Questioner && !sp.role_only &&
            !sp.name.empty())
            out.push_back(&sp);
    return out;
}

std::string named_speakers(const Script& script) {
    std::vector<std::string> names;
    for (const auto* sp : named(script)) names.push_back(sp->name);
    return join(names, ", ");
}

const char* role_name(SpeakerRole role) {
    switch (role) {
        case SpeakerRole::Main: return "main";
        case SpeakerRole::Moderator: return "moderator";
        default: return "other";
    }
}

std::string tag_text(const std::string& text, std::size_t limit) {
    if (text.size() <= limit) return text;
    const std::string ellipsis = "\xE2\x80\xA6";
    std::size_t cut = limit - ellipsis.size();
    const std::size_t space = text.rfind(' ', cut);
    if (space != std::string::npos && space > limit / 2) cut = space;
    else
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
    while (cut > 0 && std::string_view(" ,;:-").find(text[cut - 1]) != std::string_view::npos) --cut;
    return text.substr(0, cut) + ellipsis;
}

std::string describe(const Script& script) {
    std::string d = script.meta.title.empty() ? std::string("A transcript") : script.meta.title;
    std::vector<std::string> where;
    if (!script.meta.place.empty()) where.push_back(script.meta.place);
    if (!script.meta.date.empty()) where.push_back(script.meta.date);
    if (!where.empty()) d += " (" + join(where, ", ") + ")";
    d += ", read aloud with a synthetic voice for each speaker (eSpeak NG).";
    const std::string speakers = named_speakers(script);
    if (!speakers.empty()) d += " Speakers: " + speakers + ".";
    if (!script.chapters.empty()) d += " " + std::to_string(script.chapters.size()) + " chapters.";
    return d;
}

namespace {

[[noreturn]] void bad(const std::string& where, const std::string& what) {
    throw InputError(where, what, "render the transcript again to rewrite the manifest");
}

std::string get_string(const nlohmann::ordered_json& j, const char* key, const std::string& where, bool required) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
        if (required) bad(where, std::string("\"") + key + "\" is missing");
        return {};
    }
    if (!it->is_string()) bad(where, std::string("\"") + key + "\" is not a string");
    return it->get<std::string>();
}

}  // namespace

const ManifestFile* Manifest::file(const std::string& kind) const {
    for (const auto& f : files)
        if (f.kind == kind) return &f;
    return nullptr;
}

ManifestFile* Manifest::file(const std::string& kind) {
    for (auto& f : files)
        if (f.kind == kind) return &f;
    return nullptr;
}

Manifest make_manifest(const Script& script, const Timeline& timeline, const Names& names) {
    Manifest m;
    m.slug = names.slug;
    m.title = script.meta.title.empty() ? names.slug : script.meta.title;
    m.date = script.meta.date;
    m.time = script.meta.time;
    m.place = script.meta.place;
    m.timezone = script.meta.zone;
    for (const auto* s : named(script)) {
        m.speakers.push_back(s->name);
        m.roles.push_back(role_name(s->role));
    }
    m.duration = double(timeline.total) / kTimelineRate;
    m.description = describe(script);
    if (!names.audio_m4a.empty()) m.files.push_back({"m4a", names.audio_m4a, media_type("m4a")});
    if (!names.audio_opus.empty()) m.files.push_back({"opus", names.audio_opus, media_type("opus")});
    m.files.push_back({"vtt", names.slug + ".vtt", media_type("vtt")});
    m.files.push_back({"srt", names.slug + ".srt", media_type("srt")});
    m.files.push_back({"chapters", names.slug + ".chapters.json", media_type("chapters")});
    m.files.push_back({"transcript", names.slug + ".transcript.json", media_type("transcript")});
    m.files.push_back({"html", "index.html", media_type("html")});
    return m;
}

std::string to_json(const Manifest& m) {
    nlohmann::ordered_json files = nlohmann::ordered_json::object();
    for (const auto& f : m.files) {
        nlohmann::ordered_json entry;
        entry["name"] = f.name;
        if (f.bytes > 0) entry["bytes"] = f.bytes;
        entry["type"] = f.type;
        files[f.kind] = std::move(entry);
    }
    nlohmann::ordered_json j;
    j["turncast"] = m.turncast;
    j["slug"] = m.slug;
    j["title"] = m.title;
    j["date"] = m.date;
    j["time"] = m.time;
    j["place"] = m.place;
    j["description"] = m.description;
    j["speakers"] = m.speakers;
    if (!m.roles.empty()) j["roles"] = m.roles;
    if (!m.timezone.empty()) j["timezone"] = m.timezone;
    j["duration"] = std::round(m.duration * 1000.0) / 1000.0;
    j["render_key"] = m.render_key;
    if (!m.source_id.empty()) j["source_id"] = m.source_id;
    j["cover"] = m.cover.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(m.cover);
    if (!m.guid.empty()) j["guid"] = m.guid;
    if (!m.corrected.empty()) j["corrected"] = m.corrected;
    j["files"] = std::move(files);
    return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

Manifest parse_manifest(const std::string& text, const std::string& where) {
    nlohmann::ordered_json j;
    try {
        j = nlohmann::ordered_json::parse(text);
    } catch (const nlohmann::ordered_json::parse_error& e) {
        // e.byte is 1-based: the byte after the last one read.
        throw InputError(where + ", byte " + std::to_string(e.byte ? e.byte - 1 : 0),
                         "manifest.json is not valid JSON",
                         "render the transcript again to rewrite the manifest");
    }
    if (!j.is_object()) bad(where, "manifest.json is not a JSON object");

    Manifest m;
    m.turncast = get_string(j, "turncast", where, false);
    m.slug = get_string(j, "slug", where, true);
    m.title = get_string(j, "title", where, true);
    m.date = get_string(j, "date", where, false);
    m.time = get_string(j, "time", where, false);
    m.place = get_string(j, "place", where, false);
    m.description = get_string(j, "description", where, false);
    m.render_key = get_string(j, "render_key", where, false);
    m.source_id = get_string(j, "source_id", where, false);
    m.cover = get_string(j, "cover", where, false);
    m.guid = get_string(j, "guid", where, false);
    m.corrected = get_string(j, "corrected", where, false);
    if (auto it = j.find("speakers"); it != j.end() && !it->is_null()) {
        if (!it->is_array()) bad(where, "\"speakers\" is not a list");
        for (const auto& s : *it) {
            if (!s.is_string()) bad(where, "\"speakers\" holds something that is not a name");
            m.speakers.push_back(s.get<std::string>());
        }
    }
    if (auto it = j.find("roles"); it != j.end() && !it->is_null()) {
        if (!it->is_array() || it->size() != m.speakers.size())
            bad(where, "\"roles\" is not a list beside \"speakers\"");
        for (const auto& s : *it) {
            if (!s.is_string()) bad(where, "\"roles\" holds something that is not a role");
            m.roles.push_back(s.get<std::string>());
        }
    }
    m.timezone = get_string(j, "timezone", where, false);
    if (auto it = j.find("duration"); it != j.end() && !it->is_null()) {
        if (!it->is_number() || it->get<double>() < 0) bad(where, "\"duration\" is not a number of seconds");
        m.duration = it->get<double>();
    }
    auto files = j.find("files");
    if (files == j.end() || !files->is_object()) bad(where, "\"files\" is missing");
    for (const auto& [key, f] : files->items()) {
        if (f.is_null()) continue;  // an optional file that was not written
        if (!f.is_object()) bad(where, "\"files\"." + key + " is not an object");
        ManifestFile mf;
        mf.kind = key;
        mf.name = get_string(f, "name", where, true);
        mf.type = get_string(f, "type", where, false);
        if (auto b = f.find("bytes"); b != f.end() && !b->is_null()) {
            if (!b->is_number_unsigned()) bad(where, "\"files\"." + key + ".bytes is not a byte count");
            mf.bytes = b->get<std::uint64_t>();
        }
        // A file name is a name inside the render's folder, never a path.
        if (mf.name.empty() || mf.name.find('/') != std::string::npos || mf.name == "." || mf.name == "..")
            bad(where, "\"files\"." + key + ".name is not a file name: \"" + mf.name + "\"");
        m.files.push_back(std::move(mf));
    }
    if (!m.cover.empty() && m.cover.find('/') != std::string::npos)
        bad(where, "\"cover\" is not a file name: \"" + m.cover + "\"");
    return m;
}

}  // namespace turncast::sidecar
