#include "core/model.hpp"

#include <algorithm>
#include <stdexcept>

namespace turncast {

const Voice* Script::find_voice(const std::string& id) const {
    for (const auto& v : voices)
        if (v.id == id) return &v;
    return nullptr;
}

const Voice& Script::voice(const std::string& id) const {
    if (const Voice* v = find_voice(id)) return *v;
    throw std::out_of_range("no voice '" + id + "' in the script");
}

std::size_t Segment::shown_offset(std::size_t spoken) const {
    if (shown.empty()) return spoken;
    std::size_t out = spoken;
    for (const auto& a : anchors) {
        if (a.spoken > spoken) break;
        out = a.replaced ? a.shown : a.shown + (spoken - a.spoken);
    }
    return std::min(out, shown.size());
}

const char* to_string(SpeakerRole role) {
    switch (role) {
    case SpeakerRole::Narrator: return "narrator";
    case SpeakerRole::Main: return "main";
    case SpeakerRole::Questioner: return "questioner";
    case SpeakerRole::Moderator: return "moderator";
    case SpeakerRole::Other: return "other";
    }
    return "other";
}

const char* to_string(Sex sex) {
    switch (sex) {
    case Sex::Female: return "female";
    case Sex::Male: return "male";
    case Sex::Unstated: return "";
    }
    return "";
}

const char* to_string(TurnKind kind) {
    switch (kind) {
    case TurnKind::Remarks: return "remarks";
    case TurnKind::Question: return "question";
    case TurnKind::FollowUp: return "follow-up";
    case TurnKind::Answer: return "answer";
    case TurnKind::Closing: return "closing";
    case TurnKind::Stage: return "stage";
    }
    return "remarks";
}

}  // namespace turncast
