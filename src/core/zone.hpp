// Time zones of transcripts: where an event's date and time were kept.
// A time written with its zone ("1:05 P.M. EDT") names it; otherwise the
// place does ("Volgograd", "Mexico City, Mexico"); `--timezone` overrides
// both. Zones are IANA names; offsets come from the system's time zone
// database (tzdata, through the date library), so a date in summer gets its
// summer offset and a country's later law changes are known.
//
//   auto z = turncast::zone_for("", "Volgograd", "2021-08-30", "19:47");  // "Europe/Moscow"
//   auto off = turncast::utc_offset_minutes(z, "2021-08-30", "19:47");  // 180
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace turncast {

// The IANA zone of a time-zone abbreviation ("EDT", "MSK", "CET"), or "" for
// one that is unknown or ambiguous ("IST").
std::string zone_for_abbreviation(const std::string& abbreviation);

// The IANA zone of a place line: a city it names, else a country it names,
// else "". Words are matched whole and without regard to case.
std::string zone_for_place(const std::string& place);

// The zone of an event: the written abbreviation's, else the place's. Where
// both are known and keep the same time on `date` (YYYY-MM-DD) at `time`
// (HH:MM), the place's, which is the more exact ("CST" in Mexico City).
std::string zone_for(const std::string& abbreviation, const std::string& place, const std::string& date,
                     const std::string& time);

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t days_from_civil(int y, int m, int d);

// Whether the time zone database knows `zone` ("Europe/Moscow", "UTC").
bool known_zone(const std::string& zone);

// The offset from UTC, in minutes, of the local wall time `date` (YYYY-MM-DD)
// `time` (HH:MM, empty: 00:00) in `zone`; nullopt for an unknown zone or date.
std::optional<int> utc_offset_minutes(const std::string& zone, const std::string& date, const std::string& time);

}  // namespace turncast
