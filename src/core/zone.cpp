#include "core/zone.hpp"

#include <date/tz.h>

#include <cctype>
#include <cstdio>
#include <string_view>

namespace turncast {
namespace {

struct Entry {
    std::string_view key, zone;
};

// Abbreviations in use on the transcripts' sites; "IST", "CST" (China or
// Central) and the like mean more than one zone, so only the North American
// sense is kept where sites print it that way (whitehouse.gov, state.gov).
constexpr Entry kAbbreviations[] = {
    {"ET", "America/New_York"},     {"EST", "America/New_York"},  {"EDT", "America/New_York"},
    {"CT", "America/Chicago"},      {"CST", "America/Chicago"},   {"CDT", "America/Chicago"},
    {"MT", "America/Denver"},       {"MST", "America/Denver"},    {"MDT", "America/Denver"},
    {"PT", "America/Los_Angeles"},  {"PST", "America/Los_Angeles"}, {"PDT", "America/Los_Angeles"},
    {"AKST", "America/Anchorage"},  {"HST", "Pacific/Honolulu"},  {"GMT", "UTC"},
    {"UTC", "UTC"},
    {"BST", "Europe/London"},       {"WET", "Europe/Lisbon"},     {"CET", "Europe/Brussels"},
    {"CEST", "Europe/Brussels"},    {"EET", "Europe/Athens"},     {"EEST", "Europe/Athens"},
    {"MSK", "Europe/Moscow"},       {"JST", "Asia/Tokyo"},        {"KST", "Asia/Seoul"},
    {"HKT", "Asia/Hong_Kong"},      {"SGT", "Asia/Singapore"},    {"AEST", "Australia/Sydney"},
    {"AEDT", "Australia/Sydney"},
};

// Cities, and places that stand for one ("White House").
constexpr Entry kCities[] = {
    {"moscow", "Europe/Moscow"}, {"kremlin", "Europe/Moscow"}, {"volgograd", "Europe/Moscow"},
    {"st petersburg", "Europe/Moscow"}, {"saint petersburg", "Europe/Moscow"}, {"st. petersburg", "Europe/Moscow"},
    {"sochi", "Europe/Moscow"}, {"kazan", "Europe/Moscow"}, {"novo-ogaryovo", "Europe/Moscow"},
    {"kaliningrad", "Europe/Kaliningrad"}, {"yekaterinburg", "Asia/Yekaterinburg"},
    {"novosibirsk", "Asia/Novosibirsk"}, {"vladivostok", "Asia/Vladivostok"},
    {"minsk", "Europe/Minsk"}, {"kyiv", "Europe/Kyiv"}, {"kiev", "Europe/Kyiv"},
    {"ankara", "Europe/Istanbul"}, {"istanbul", "Europe/Istanbul"},
    {"beijing", "Asia/Shanghai"}, {"shanghai", "Asia/Shanghai"}, {"tokyo", "Asia/Tokyo"}, {"seoul", "Asia/Seoul"},
    {"new delhi", "Asia/Kolkata"}, {"delhi", "Asia/Kolkata"}, {"tehran", "Asia/Tehran"},
    {"riyadh", "Asia/Riyadh"}, {"doha", "Asia/Qatar"}, {"dubai", "Asia/Dubai"}, {"abu dhabi", "Asia/Dubai"},
    {"cairo", "Africa/Cairo"}, {"jerusalem", "Asia/Jerusalem"}, {"tel aviv", "Asia/Jerusalem"},
    {"beirut", "Asia/Beirut"}, {"damascus", "Asia/Damascus"}, {"amman", "Asia/Amman"},
    {"baghdad", "Asia/Baghdad"}, {"islamabad", "Asia/Karachi"}, {"kabul", "Asia/Kabul"},
    {"paris", "Europe/Paris"}, {"london", "Europe/London"}, {"berlin", "Europe/Berlin"},
    {"brussels", "Europe/Brussels"}, {"rome", "Europe/Rome"}, {"madrid", "Europe/Madrid"},
    {"vienna", "Europe/Vienna"}, {"geneva", "Europe/Zurich"}, {"warsaw", "Europe/Warsaw"},
    {"rzeszów", "Europe/Warsaw"}, {"rzeszow", "Europe/Warsaw"}, {"helsinki", "Europe/Helsinki"},
    {"stockholm", "Europe/Stockholm"}, {"oslo", "Europe/Oslo"}, {"copenhagen", "Europe/Copenhagen"},
    {"prague", "Europe/Prague"}, {"budapest", "Europe/Budapest"}, {"athens", "Europe/Athens"},
    {"belgrade", "Europe/Belgrade"}, {"astana", "Asia/Almaty"}, {"nur-sultan", "Asia/Almaty"},
    {"almaty", "Asia/Almaty"}, {"tashkent", "Asia/Tashkent"}, {"baku", "Asia/Baku"},
    {"yerevan", "Asia/Yerevan"}, {"tbilisi", "Asia/Tbilisi"}, {"dushanbe", "Asia/Dushanbe"},
    {"bishkek", "Asia/Bishkek"}, {"ashgabat", "Asia/Ashgabat"}, {"hanoi", "Asia/Bangkok"},
    {"jakarta", "Asia/Jakarta"}, {"singapore", "Asia/Singapore"}, {"bangkok", "Asia/Bangkok"},
    {"manila", "Asia/Manila"}, {"canberra", "Australia/Sydney"}, {"sydney", "Australia/Sydney"},
    {"buenos aires", "America/Argentina/Buenos_Aires"}, {"brasilia", "America/Sao_Paulo"},
    {"brasília", "America/Sao_Paulo"}, {"mexico city", "America/Mexico_City"}, {"havana", "America/Havana"},
    {"caracas", "America/Caracas"}, {"ottawa", "America/Toronto"}, {"toronto", "America/Toronto"},
    {"white house", "America/New_York"}, {"washington, d.c.", "America/New_York"},
    {"washington, dc", "America/New_York"}, {"washington d.c.", "America/New_York"},
    {"new york", "America/New_York"}, {"chicago", "America/Chicago"}, {"los angeles", "America/Los_Angeles"},
    {"san francisco", "America/Los_Angeles"}, {"denver", "America/Denver"},
    {"pretoria", "Africa/Johannesburg"}, {"johannesburg", "Africa/Johannesburg"},
    {"addis ababa", "Africa/Addis_Ababa"}, {"nairobi", "Africa/Nairobi"}, {"lagos", "Africa/Lagos"},
    {"ulaanbaatar", "Asia/Ulaanbaatar"},
};

// Countries with one zone, or one zone where their capital's events are kept.
constexpr Entry kCountries[] = {
    {"russia", "Europe/Moscow"}, {"russian federation", "Europe/Moscow"}, {"turkey", "Europe/Istanbul"},
    {"türkiye", "Europe/Istanbul"}, {"china", "Asia/Shanghai"}, {"japan", "Asia/Tokyo"},
    {"india", "Asia/Kolkata"}, {"iran", "Asia/Tehran"}, {"egypt", "Africa/Cairo"}, {"israel", "Asia/Jerusalem"},
    {"france", "Europe/Paris"}, {"germany", "Europe/Berlin"}, {"united kingdom", "Europe/London"},
    {"uk", "Europe/London"}, {"italy", "Europe/Rome"}, {"spain", "Europe/Madrid"}, {"poland", "Europe/Warsaw"},
    {"ukraine", "Europe/Kyiv"}, {"belarus", "Europe/Minsk"}, {"kazakhstan", "Asia/Almaty"},
    {"mexico", "America/Mexico_City"}, {"brazil", "America/Sao_Paulo"},
    {"argentina", "America/Argentina/Buenos_Aires"}, {"canada", "America/Toronto"},
    {"united states", "America/New_York"}, {"usa", "America/New_York"}, {"saudi arabia", "Asia/Riyadh"},
    {"qatar", "Asia/Qatar"}, {"united arab emirates", "Asia/Dubai"}, {"syria", "Asia/Damascus"},
    {"iraq", "Asia/Baghdad"}, {"armenia", "Asia/Yerevan"}, {"azerbaijan", "Asia/Baku"},
    {"uzbekistan", "Asia/Tashkent"}, {"vietnam", "Asia/Bangkok"}, {"indonesia", "Asia/Jakarta"},
    {"south korea", "Asia/Seoul"}, {"switzerland", "Europe/Zurich"}, {"austria", "Europe/Vienna"},
    {"belgium", "Europe/Brussels"}, {"netherlands", "Europe/Amsterdam"}, {"finland", "Europe/Helsinki"},
    {"sweden", "Europe/Stockholm"}, {"norway", "Europe/Oslo"}, {"denmark", "Europe/Copenhagen"},
    {"greece", "Europe/Athens"}, {"serbia", "Europe/Belgrade"}, {"hungary", "Europe/Budapest"},
    {"czech republic", "Europe/Prague"}, {"south africa", "Africa/Johannesburg"},
    {"ethiopia", "Africa/Addis_Ababa"}, {"kenya", "Africa/Nairobi"}, {"nigeria", "Africa/Lagos"},
    {"pakistan", "Asia/Karachi"}, {"afghanistan", "Asia/Kabul"}, {"mongolia", "Asia/Ulaanbaatar"},
    {"cuba", "America/Havana"}, {"venezuela", "America/Caracas"},
};

std::string lower_ascii(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || (c & 0x80); }

// The zone of the first key of `table` found in `text` as whole words.
std::string find_in(const std::string& text, const Entry* begin, const Entry* end) {
    std::size_t best = std::string::npos;
    std::string_view zone;
    for (const Entry* e = begin; e != end; ++e) {
        for (std::size_t at = text.find(e->key); at != std::string::npos; at = text.find(e->key, at + 1)) {
            const std::size_t after = at + e->key.size();
            if ((at == 0 || !word_char(text[at - 1])) && (after == text.size() || !word_char(text[after]))) {
                if (at < best) best = at, zone = e->zone;
                break;
            }
        }
    }
    return std::string(zone);
}

// The system's time zone database (Debian's tzdata, kept current by its
// updates; ICU's own copy is as old as the ICU release).
const date::time_zone* find_zone(const std::string& zone) {
    if (zone.empty()) return nullptr;
    try {
        return date::locate_zone(zone);
    } catch (const std::exception&) {
        return nullptr;
    }
}

}  // namespace

std::string zone_for_abbreviation(const std::string& abbreviation) {
    for (const auto& e : kAbbreviations)
        if (e.key == abbreviation) return std::string(e.zone);
    return {};
}

std::string zone_for_place(const std::string& place) {
    const std::string text = lower_ascii(place);
    std::string z = find_in(text, std::begin(kCities), std::end(kCities));
    if (z.empty()) z = find_in(text, std::begin(kCountries), std::end(kCountries));
    return z;
}

std::string zone_for(const std::string& abbreviation, const std::string& place, const std::string& date,
                     const std::string& time) {
    const std::string written = zone_for_abbreviation(abbreviation);
    const std::string there = zone_for_place(place);
    if (written.empty() || there.empty()) return written.empty() ? there : written;
    // "5:02 P.M. CST" in Mexico City is Mexico City's clock, not Chicago's:
    // the place's zone where it keeps the written zone's time that day.
    const auto a = utc_offset_minutes(written, date, time), b = utc_offset_minutes(there, date, time);
    return a && b && *a == *b ? there : written;
}

std::int64_t days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = unsigned(y - era * 400);
    const unsigned doy = (153 * unsigned(m + (m > 2 ? -3 : 9)) + 2) / 5 + unsigned(d) - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + std::int64_t(doe) - 719468;
}

bool known_zone(const std::string& zone) { return find_zone(zone) != nullptr; }

std::optional<int> utc_offset_minutes(const std::string& zone, const std::string& date, const std::string& time) {
    const auto* tz = find_zone(zone);
    int y = 0, mo = 0, d = 0, h = 0, mi = 0;
    if (!tz || std::sscanf(date.c_str(), "%4d-%2d-%2d", &y, &mo, &d) != 3) return std::nullopt;
    if (!time.empty() && std::sscanf(time.c_str(), "%2d:%2d", &h, &mi) != 2) return std::nullopt;
    const date::local_seconds local{std::chrono::seconds(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60)};
    // A wall time skipped or repeated by a clock change takes the earlier offset.
    const auto info = tz->get_info(local);
    return int(info.first.offset.count() / 60);
}

}  // namespace turncast
