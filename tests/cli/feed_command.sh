#!/usr/bin/env bash
# turncast feed: feed.xml from the manifests in an output folder, read back
# with python3-feedparser; and its errors (exit codes from README "Exit codes",
# messages naming the folder, the file or the option, no feed.xml written).
set -uo pipefail
bin=$1
py=/usr/bin/python3; [ -x "$py" ] || py=python3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0

# A render folder as the renderer leaves it (audio stand-ins of known size).
make_render() {  # make_render OUT SLUG TITLE DATE
  local d=$1/$2
  mkdir -p "$d"
  head -c 4321 /dev/zero >"$d/$2.m4a"
  head -c 1234 /dev/zero >"$d/$2.opus"
  cat >"$d/manifest.json" <<JSON
{"turncast":"0.1.0","slug":"$2","title":"$3","date":"$4","time":"19:47","place":"Volgograd",
 "description":"Answers & questions","speakers":["Sergey Lavrov","Questioner 1"],"duration":1712.345,
 "render_key":"abc123","cover":null,
 "files":{"m4a":{"name":"$2.m4a","bytes":4321,"type":"audio/mp4"},
          "opus":{"name":"$2.opus","bytes":1234,"type":"audio/ogg; codecs=opus"},
          "vtt":{"name":"$2.vtt","type":"text/vtt"},
          "srt":{"name":"$2.srt","type":"application/x-subrip"},
          "chapters":{"name":"$2.chapters.json","type":"application/json+chapters"},
          "transcript":{"name":"$2.transcript.json","type":"application/json"},
          "html":{"name":"index.html","type":"text/html"}}}
JSON
}

expect() {  # expect CODE NEEDLE ARGS...
  local code=$1 needle=$2; shift 2
  "$bin" feed "$@" >"$tmp/stdout" 2>"$tmp/stderr"
  local rc=$?
  if [ "$rc" -ne "$code" ]; then echo "FAIL feed $*: exit $rc, want $code"; cat "$tmp/stderr"; fail=1; fi
  grep -qF -- "$needle" "$tmp/stderr" || { echo "FAIL feed $*: message lacks '$needle'"; cat "$tmp/stderr"; fail=1; }
}

out=$tmp/out
make_render "$out" volgograd "Lavrov <in> Volgograd" 2021-08-30
make_render "$out" later "A later talk" 2021-09-02
"$bin" feed "$out" --base-url https://example.org/talks/ --title "Talks & Q&A" --author "Archive" >"$tmp/stdout" 2>"$tmp/stderr" \
  || { echo "FAIL: feed exited $?"; cat "$tmp/stderr"; fail=1; }
[ -s "$out/feed.xml" ] || { echo "FAIL: no feed.xml"; fail=1; }
"$py" - "$out/feed.xml" <<'PY' || fail=1
import sys, feedparser
d = feedparser.parse(sys.argv[1])
errors = []
def check(what, got, want):
    if got != want: errors.append(f"{what}: got {got!r}, want {want!r}")
check("well-formed", bool(d.bozo), False)
check("title", d.feed.get("title"), "Talks & Q&A")
check("items", [e.title for e in d.entries], ["A later talk", "Lavrov <in> Volgograd"])
for e, slug in zip(d.entries, ["later", "volgograd"]):
    base = f"https://example.org/talks/{slug}/"
    enc = [l for l in e.links if l.get("rel") == "enclosure"]
    check(slug + " enclosure", [(l["href"], l["length"], l["type"]) for l in enc],
          [(base + slug + ".m4a", "4321", "audio/x-m4a")])  # Apple's type for .m4a
    check(slug + " alternate", (e.get("podcast_alternateenclosure", {}).get("length"),
                                e.get("podcast_source", {}).get("uri")), ("1234", base + slug + ".opus"))
    check(slug + " duration", e.get("itunes_duration"), "1712")
    check(slug + " chapters", e.get("podcast_chapters", {}).get("url"), base + slug + ".chapters.json")
    check(slug + " guid", e.id, slug)  # no "guid" in the manifest: the folder, which never changes
for m in errors: print("FAIL", m)
sys.exit(1 if errors else 0)
PY

# Errors leave no feed.xml behind.
mkdir -p "$tmp/empty/not-a-render"
expect 3 "$tmp/empty" "$tmp/empty" --base-url https://example.org
[ ! -e "$tmp/empty/feed.xml" ] || { echo "FAIL: feed.xml written for an empty folder"; fail=1; }
make_render "$tmp/broken" talk "Talk" 2021-08-30
printf '{"slug": "talk", ' >"$tmp/broken/talk/manifest.json"
expect 3 "$tmp/broken/talk/manifest.json" "$tmp/broken" --base-url https://example.org
[ ! -e "$tmp/broken/feed.xml" ] || { echo "FAIL: feed.xml written for a broken manifest"; fail=1; }
expect 2 "--base-url" "$out" --base-url ftp://example.org
expect 2 "--base-url" "$out" --base-url example.org
expect 2 "base-url" "$out"
expect 5 "$tmp/missing" "$tmp/missing" --base-url https://example.org
exit $fail
