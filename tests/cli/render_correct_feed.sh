#!/usr/bin/env bash
# The whole path a producer takes, on real output: render a transcript with
# a cover as Opus, M4A and MP3, build the feed, correct one word, render again
# (only that paragraph is spoken and encoded again, one piece per codec; the
# chapter marks it does not touch stay put, the same in the MP3 as in the M4A),
# build the feed again; feedparser reads both feeds, and every enclosure's
# length and the duration are the files' as they now are; the episode keeps
# its GUID and date and says it was corrected; the show's podcast:guid is the
# UUIDv5 of the feed's URL.
set -uo pipefail
bin=$1
root=$2
py=/usr/bin/python3; [ -x "$py" ] || py=python3
"$py" -c 'import feedparser' 2>/dev/null || { echo "skip: python3-feedparser is not installed"; exit 77; }
command -v ffprobe >/dev/null || { echo "skip: ffprobe is not installed"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0

cp "$root/tests/fixtures/render/springfield.txt" "$tmp/springfield.txt"
out=$tmp/out
# A cover image made by an independent tool.
ffmpeg -v error -f lavfi -i color=c=navy:s=64x64 -frames:v 1 "$tmp/cover.png" ||
  { echo "skip: ffmpeg cannot draw a test image"; exit 77; }

render() {
  "$bin" render "$tmp/springfield.txt" -o "$out" --cache-dir "$tmp/cache" --cover "$tmp/cover.png" \
    --formats opus,m4a,mp3 \
    >"$tmp/stdout" 2>"$tmp/stderr" ||
    { echo "FAIL: render exited $?"; cat "$tmp/stderr"; exit 1; }
}
chapters() {  # chapters FILE: one start time a line
  ffprobe -v error -show_chapters -of csv=p=0 "$1" | cut -d, -f4
}
feed() {
  "$bin" feed "$out" --base-url https://example.org/talks >"$tmp/feed.out" 2>&1 ||
    { echo "FAIL: feed exited $?"; cat "$tmp/feed.out"; exit 1; }
}
check_feed() {  # check_feed LABEL: the feed matches the files on disk
  "$py" - "$out" "$1" <<'PY' || fail=1
import feedparser, json, os, sys
out, label = sys.argv[1], sys.argv[2]
d = feedparser.parse(os.path.join(out, "feed.xml"))
bad = []
if d.bozo: bad.append("not well-formed: %s" % d.bozo_exception)
if len(d.entries) != 1: bad.append("%d items, want 1" % len(d.entries))
m = json.load(open(os.path.join(out, "springfield", "manifest.json")))
for e in d.entries:
    for enc in e.enclosures:
        name = enc.href.rsplit("/", 1)[-1]
        size = os.path.getsize(os.path.join(out, "springfield", name))
        if int(enc.length) != size: bad.append("%s: enclosure length %s, file %d" % (name, enc.length, size))
    if m.get("cover") != "cover.png": bad.append("manifest cover %r, want cover.png" % m.get("cover"))
    elif not os.path.isfile(os.path.join(out, "springfield", "cover.png")): bad.append("cover.png not written")
    if not e.get("image", {}).get("href", "").endswith("/springfield/cover.png"):
        bad.append("item artwork %r" % e.get("image"))
    if e.get("author") != "Jane Doe": bad.append("item author %r, want the named speaker only" % e.get("author"))
    dur = e.get("itunes_duration", "")
    h, mi, s = ([0, 0] + [int(x) for x in dur.split(":")])[-3:]
    if abs(h * 3600 + mi * 60 + s - m["duration"]) > 1: bad.append("duration %s vs manifest %s" % (dur, m["duration"]))
# The Opus and the MP3 as alternate enclosures, with their files' lengths.
import xml.etree.ElementTree as ET
pc = "{https://podcastindex.org/namespace/1.0}"
item = ET.parse(os.path.join(out, "feed.xml")).getroot().find("channel/item")
alts = {a.get("type"): a for a in item.findall(pc + "alternateEnclosure")} if item is not None else {}
for kind, mime in (("opus", "audio/ogg; codecs=opus"), ("mp3", "audio/mpeg")):
    a = alts.get(mime)
    if a is None: bad.append("no %s alternateEnclosure" % kind); continue
    name = a.find(pc + "source").get("uri").rsplit("/", 1)[-1]
    if name != "springfield." + kind: bad.append("%s alternate enclosure is %s" % (kind, name))
    elif int(a.get("length")) != os.path.getsize(os.path.join(out, "springfield", name)):
        bad.append("%s: alternate enclosure length %s" % (name, a.get("length")))
if not d.feed.get("image", {}).get("href", "").endswith("/springfield/cover.png"):
    bad.append("channel artwork %r" % d.feed.get("image"))
# The show's podcast:guid: UUIDv5 of the feed URL without its scheme (Python's uuid, an independent maker).
import uuid
ns = {"podcast": "https://podcastindex.org/namespace/1.0"}
show = ET.parse(os.path.join(out, "feed.xml")).getroot().find("channel/podcast:guid", ns)
want = str(uuid.uuid5(uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"), "example.org/talks/feed.xml"))
if show is None or show.text != want: bad.append("podcast:guid %r, want %s" % (None if show is None else show.text, want))
# What a podcast app keys an episode by, for the comparison after the correction.
e = d.entries[0] if d.entries else {}
json.dump({"guid": e.get("id"), "published": e.get("published"), "description": e.get("summary", "")},
          open(os.path.join(out, "..", label + ".item.json"), "w"))
for b in bad: print("FAIL [%s]: %s" % (label, b))
sys.exit(1 if bad else 0)
PY
}

render
grep -q "segments spoken" "$tmp/stdout" || { echo "FAIL: no summary"; cat "$tmp/stdout"; fail=1; }
feed
check_feed first
before=$(chapters "$out/springfield/springfield.opus")
m4a_before=$(chapters "$out/springfield/springfield.m4a")
mp3_before=$(chapters "$out/springfield/springfield.mp3")
# The MP3's marks are the M4A's, to the millisecond.
same_marks() {  # same_marks A B: start times a line each, within 2 ms
  paste -d' ' <(echo "$1") <(echo "$2") | awk 'NF != 2 || ($1 - $2 > 0.002 || $2 - $1 > 0.002) { bad = 1 } END { exit bad }'
}
[ "$(echo "$mp3_before" | wc -l)" -eq 4 ] && same_marks "$mp3_before" "$m4a_before" ||
  { echo "FAIL: MP3 chapter marks differ from the M4A's:"; paste <(echo "$mp3_before") <(echo "$m4a_before"); fail=1; }

# One word of the last answer changes: only its paragraph is spoken and encoded again.
sed -i 's/by the river/by the canal/' "$tmp/springfield.txt"
render
grep -Eq ' 1 segments? spoken, 3 pieces encoded' "$tmp/stdout" ||
  { echo "FAIL: the correction re-rendered more than its paragraph:"; cat "$tmp/stdout"; fail=1; }
after=$(chapters "$out/springfield/springfield.opus")
# Every chapter before the corrected paragraph keeps its mark (it is in the last chapter).
[ "$(echo "$before" | head -n -1)" = "$(echo "$after" | head -n -1)" ] ||
  { echo "FAIL: chapter marks moved:"; diff <(echo "$before") <(echo "$after"); fail=1; }
[ "$(chapters "$out/springfield/springfield.m4a" | head -n -1)" = "$(echo "$m4a_before" | head -n -1)" ] ||
  { echo "FAIL: M4A chapter marks moved"; fail=1; }
[ "$(chapters "$out/springfield/springfield.mp3" | head -n -1)" = "$(echo "$mp3_before" | head -n -1)" ] ||
  { echo "FAIL: MP3 chapter marks moved"; fail=1; }
same_marks "$(chapters "$out/springfield/springfield.mp3")" "$(chapters "$out/springfield/springfield.m4a")" ||
  { echo "FAIL: after the correction the MP3's marks differ from the M4A's"; fail=1; }
grep -q "canal" "$out/springfield/springfield.vtt" || { echo "FAIL: captions lack the correction"; fail=1; }
feed
check_feed corrected
# The same episode, corrected: its GUID and date stay, its description says so.
"$py" - "$tmp" <<'PY' || fail=1
import json, sys
a = json.load(open(sys.argv[1] + "/first.item.json")); b = json.load(open(sys.argv[1] + "/corrected.item.json"))
bad = []
if not a["guid"] or a["guid"] != b["guid"]: bad.append("the GUID changed: %r -> %r" % (a["guid"], b["guid"]))
if not a["guid"].startswith("urn:uuid:"): bad.append("GUID %r is not a UUID URN" % a["guid"])
if a["published"] != b["published"]: bad.append("pubDate changed: %r -> %r" % (a["published"], b["published"]))
if "Corrected on" in a["description"]: bad.append("the first render says it was corrected")
if "Corrected on" not in b["description"]: bad.append("the corrected render does not say so: %r" % b["description"])
for x in bad: print("FAIL: " + x)
sys.exit(1 if bad else 0)
PY

[ "$fail" -eq 0 ] && echo "render, correct, render, feed: ok"
exit "$fail"
