#!/usr/bin/env python3
"""Reads a turncast feed.xml with a real feed parser (python3-feedparser) and
checks it against the expectations in a JSON file:

  check_feed.py FEED.xml EXPECTED.json

EXPECTED.json: {"title": ..., "items": [{"title", "guid", "enclosure": {"url",
"length", "type"}, "opus": {"url", "length"}, "mp3"?: {"url", "length"}, "duration", "chapters",
"vtt", "transcript", "published": [y, m, d, H, M] (UTC), "pubDate"?, "people"?:
[[name, role]], "image"?}, ...], and optionally "owner": [name, email],
"copyright", "locked": [text, owner], "built" (lastBuildDate), "podcast_guid"}
with items in feed order. Exits 0 when everything matches, 1 with a message otherwise.
"""
import json
import sys
import xml.etree.ElementTree as ET

import feedparser

PODCAST = "{https://podcastindex.org/namespace/1.0}"
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
failures = []


def check(what, got, want):
    if got != want:
        failures.append(f"{what}: got {got!r}, want {want!r}")


def main():
    feed_path, expected_path = sys.argv[1], sys.argv[2]
    with open(expected_path, encoding="utf-8") as f:
        want = json.load(f)
    d = feedparser.parse(feed_path)
    if d.bozo:
        print(f"feedparser: not well-formed: {d.bozo_exception}")
        return 1
    check("rss version", d.version, "rss20")
    check("channel title", d.feed.title, want["title"])
    check("itunes author", d.feed.get("author"), want["author"])
    check("language", d.feed.get("language"), "en")
    # feedparser only knows the old yes/clean values; Apple now documents true/false.
    check("itunes explicit (feedparser)", d.feed.get("itunes_explicit") is True, False)
    check("itunes category", [t["term"] for t in d.feed.get("tags", [])], [want.get("category", "News")])
    check("namespaces", {k: v for k, v in d.namespaces.items() if k in ("itunes", "podcast")},
          {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
           "podcast": "https://podcastindex.org/namespace/1.0"})
    check("item count", len(d.entries), len(want["items"]))
    if "owner" in want:
        check("itunes:owner", (d.feed.get("publisher_detail", {}).get("name"),
                               d.feed.get("publisher_detail", {}).get("email")), tuple(want["owner"]))
    if "copyright" in want:
        check("copyright", d.feed.get("rights"), want["copyright"])

    # feedparser keeps one podcast:transcript per item; ElementTree sees all.
    tree = ET.parse(feed_path)
    channel = tree.getroot().find("channel")
    xml_items = channel.findall("item")
    check("itunes:explicit", channel.findtext(ITUNES + "explicit"), "false")
    if "locked" in want:
        locked = channel.find(PODCAST + "locked")
        check("podcast:locked", None if locked is None else [locked.text, locked.get("owner")], want["locked"])
    if "built" in want:
        check("lastBuildDate", channel.findtext("lastBuildDate"), want["built"])
    if "podcast_guid" in want:
        check("podcast:guid", channel.findtext(PODCAST + "guid"), want["podcast_guid"])

    for i, (e, w, x) in enumerate(zip(d.entries, want["items"], xml_items)):
        p = f"item {i} ({w['title']})"
        check(p + " title", e.title, w["title"])
        check(p + " guid", e.id, w["guid"])
        check(p + " guid isPermaLink", e.guidislink, False)
        enc = [l for l in e.links if l.get("rel") == "enclosure"]
        check(p + " enclosures", len(enc), 1)
        if enc:
            check(p + " enclosure", {k: enc[0].get(k) for k in ("href", "length", "type")},
                  {"href": w["enclosure"]["url"], "length": str(w["enclosure"]["length"]),
                   "type": w["enclosure"]["type"]})
        # feedparser keeps one podcast:alternateEnclosure per item; ElementTree sees all.
        alts = {}
        for a in x.findall(PODCAST + "alternateEnclosure"):
            source = a.find(PODCAST + "source")
            alts[a.get("type")] = (a.get("length"), source.get("uri") if source is not None else None)
        want_alts = {"audio/ogg; codecs=opus": (str(w["opus"]["length"]), w["opus"]["url"])}
        if "mp3" in w:
            want_alts["audio/mpeg"] = (str(w["mp3"]["length"]), w["mp3"]["url"])
        check(p + " alternateEnclosures", alts, want_alts)
        alt = e.get("podcast_alternateenclosure", {})
        check(p + " alternateEnclosure (feedparser)", alt.get("type") in want_alts, True)
        check(p + " itunes:duration", e.get("itunes_duration"), str(w["duration"]))
        ch = e.get("podcast_chapters", {})
        check(p + " chapters", (ch.get("url"), ch.get("type")), (w["chapters"], "application/json+chapters"))
        check(p + " published", list(e.published_parsed[:5]), w["published"])
        if "pubDate" in w:
            check(p + " pubDate", x.findtext("pubDate"), w["pubDate"])
        if "people" in w:
            check(p + " podcast:person", [[t.text, t.get("role")] for t in x.findall(PODCAST + "person")],
                  w["people"])
        if "image" in w:
            check(p + " itunes:image", e.get("image", {}).get("href"), w["image"])
        transcripts = {t.get("type"): t.get("url") for t in x.findall(PODCAST + "transcript")}
        check(p + " vtt transcript", transcripts.get("text/vtt"), w["vtt"])
        check(p + " json transcript", transcripts.get("application/json"), w["transcript"])
        vtt = [t for t in x.findall(PODCAST + "transcript") if t.get("type") == "text/vtt"]
        check(p + " vtt rel", vtt[0].get("rel") if vtt else None, "captions")
    if failures:
        print("\n".join(failures))
        return 1
    print(f"feed ok: {len(d.entries)} items")
    return 0


if __name__ == "__main__":
    sys.exit(main())
