// Time zones from what transcripts write: abbreviations, places, offsets.
#include <catch2/catch.hpp>

#include "core/zone.hpp"
#include "test_parse_support.hpp"

using namespace turncast;

TEST_CASE("zones: abbreviations as transcripts' sites print them", "[unit][zone]") {
    CHECK(zone_for_abbreviation("EDT") == "America/New_York");
    CHECK(zone_for_abbreviation("ET") == "America/New_York");
    CHECK(zone_for_abbreviation("MSK") == "Europe/Moscow");
    CHECK(zone_for_abbreviation("CET") == "Europe/Brussels");
    CHECK(zone_for_abbreviation("IST").empty());  // India, Ireland or Israel: not guessed
    CHECK(zone_for_abbreviation("edt").empty());  // as printed: upper case
}

TEST_CASE("zones: a place line names a city, else a country", "[unit][zone]") {
    CHECK(zone_for_place("Volgograd") == "Europe/Moscow");
    CHECK(zone_for_place("The Kremlin, Moscow") == "Europe/Moscow");
    CHECK(zone_for_place("National Palace, Mexico City, Mexico") == "America/Mexico_City");
    CHECK(zone_for_place("Aboard Air Force One, En Route Rzesz\xC3\xB3w, Poland") == "Europe/Warsaw");
    CHECK(zone_for_place("Kazan, Russia") == "Europe/Moscow");
    CHECK(zone_for_place("Vladivostok, Russia") == "Asia/Vladivostok");  // the city before the country
    CHECK(zone_for_place("Somewhere in Poland") == "Europe/Warsaw");
    CHECK(zone_for_place("The White House") == "America/New_York");
    CHECK(zone_for_place("Moscowitz Hall").empty());   // whole words only
    CHECK(zone_for_place("James S. Brady Press Briefing Room").empty());
    CHECK(zone_for_place("").empty());
}

TEST_CASE("zones: the written zone, made exact by the place when both keep one time", "[unit][zone]") {
    // Mexico City's "CST" is its own clock (no DST since 2022), not Chicago's.
    CHECK(zone_for("CST", "Mexico City, Mexico", "2023-01-10", "17:02") == "America/Mexico_City");
    // The same words in summer: Chicago keeps CDT, Mexico City stays at -6.
    CHECK(zone_for("CDT", "Mexico City, Mexico", "2023-07-10", "17:02") == "America/Chicago");
    CHECK(zone_for("CET", "En Route Rzesz\xC3\xB3w, Poland", "2022-03-25", "13:23") == "Europe/Warsaw");
    CHECK(zone_for("EDT", "James S. Brady Press Briefing Room", "2021-06-07", "12:42") == "America/New_York");
    CHECK(zone_for("", "Ankara", "2018-04-04", "16:20") == "Europe/Istanbul");
    CHECK(zone_for("", "", "2018-04-04", "").empty());
}

TEST_CASE("zones: offsets from ICU's zone data, summer and winter", "[unit][zone]") {
    CHECK(utc_offset_minutes("Europe/Moscow", "2021-08-30", "19:47") == 180);
    CHECK(utc_offset_minutes("Europe/Moscow", "2013-01-10", "12:00") == 240);  // Moscow kept +4 in 2011-2014
    CHECK(utc_offset_minutes("America/New_York", "2021-06-07", "12:42") == -240);
    CHECK(utc_offset_minutes("America/New_York", "2021-12-07", "12:42") == -300);
    CHECK(utc_offset_minutes("Asia/Kolkata", "2022-03-25", "") == 330);
    CHECK_FALSE(utc_offset_minutes("Nowhere/Atlantis", "2021-08-30", "19:47"));
    CHECK_FALSE(utc_offset_minutes("Europe/Moscow", "30.08.2021", ""));
    CHECK(known_zone("UTC"));
    CHECK(known_zone("America/Argentina/Buenos_Aires"));
    CHECK_FALSE(known_zone("Mars/Olympus_Mons"));
    CHECK_FALSE(known_zone(""));
}

TEST_CASE("zones: a transcript's written zone reaches its metadata", "[unit][zone]") {
    const auto doc = test::parse_text("The White House\nJune 7, 2021\n12:42 P.M. EDT\n\nMS. PSAKI: Hi, everyone.\n\n"
                                      "Q: Thank you, Jen.\n");
    CHECK(doc.meta.time == "12:42");
    CHECK(doc.meta.zone == "America/New_York");
}
