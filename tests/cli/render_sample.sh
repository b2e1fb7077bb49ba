#!/usr/bin/env bash
# ctest-labels: slow
# The bundled sample, rendered as a newcomer would, then read back by the
# independent tools podcast apps rely on: ffprobe, opusinfo, mediainfo.
set -euo pipefail
bin=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
sample=$src/examples/lavrov-volgograd-2021-08-30.txt
slug=lavrov-volgograd-2021-08-30

"$bin" render "$sample" -o "$tmp/out" --quiet >"$tmp/render.log"
dir=$tmp/out/$slug
for f in "$slug.opus" "$slug.m4a" "$slug.vtt" "$slug.srt" "$slug.chapters.json" manifest.json index.html; do
  [ -s "$dir/$f" ] || { echo "missing $dir/$f"; exit 1; }
done

# No warnings from any reader.
for f in "$dir/$slug.opus" "$dir/$slug.m4a"; do
  out=$(ffprobe -v warning -show_chapters -show_format -of json "$f" 2>"$tmp/ffprobe.err")
  bash "$src/tests/tools/ffprobe_warnings.sh" <"$tmp/ffprobe.err" >"$tmp/ffprobe.real"
  if [ -s "$tmp/ffprobe.real" ]; then echo "ffprobe warned on $f:"; cat "$tmp/ffprobe.real"; exit 1; fi
  echo "$out" >"$f.probe.json"
done
opusinfo "$dir/$slug.opus" >"$tmp/opusinfo.txt" 2>&1 || { cat "$tmp/opusinfo.txt"; exit 1; }
if grep -Ei "warning|error" "$tmp/opusinfo.txt"; then echo "opusinfo complained"; exit 1; fi
mediainfo "$dir/$slug.m4a" >"$tmp/mediainfo.txt"
grep -q "AAC" "$tmp/mediainfo.txt" || { echo "mediainfo sees no AAC"; cat "$tmp/mediainfo.txt"; exit 1; }
grep -Eq "Menu" "$tmp/mediainfo.txt" || { echo "mediainfo sees no chapters"; exit 1; }

# Loudness as a listener hears the mono file (on both speakers: EBU R128 dual
# mono): -16 LUFS (±1), which a plain mono meter reads as -19 (AES TD1008's
# figure for mono); true peak ≤ -1.5 dBTP in both decoded files.
for f in "$dir/$slug.opus" "$dir/$slug.m4a"; do
  ffmpeg -nostdin -nostats -hide_banner -i "$f" -af ebur128=peak=true:dualmono=true -f null - 2>&1 | tail -12 >"$tmp/loud.txt"
  i=$(awk '$1=="I:"{print $2}' "$tmp/loud.txt"); tp=$(awk '$1=="Peak:"{print $2}' "$tmp/loud.txt")
  ffmpeg -nostdin -nostats -hide_banner -i "$f" -af ebur128 -f null - 2>&1 | tail -12 >"$tmp/loud-mono.txt"
  mono=$(awk '$1=="I:"{print $2}' "$tmp/loud-mono.txt")
  python3 -c "import sys; i,m,tp=float('$i'),float('$mono'),float('$tp'); sys.exit(0 if abs(i+16)<=1 and abs(m+19)<=1 and tp<=-1.5 else 1)" \
    || { echo "loudness of $f: I=$i LUFS as heard, $mono LUFS mono, true peak $tp dBTP"; exit 1; }
  echo "loudness $(basename "$f"): $i LUFS as heard (dual mono), $mono LUFS mono, true peak $tp dBTP"
done

python3 - "$dir/$slug.opus.probe.json" "$dir/$slug.m4a.probe.json" "$dir/$slug.chapters.json" "$dir/$slug.vtt" \
  "$dir/manifest.json" "$dir/$slug.srt" "$tmp/opusinfo.txt" <<'PY'
import json, sys
opus, m4a, chj, manifest = (json.load(open(p)) for p in sys.argv[1:4] + sys.argv[5:6])
def marks(p): return [(float(c["start_time"]), c["tags"]["title"]) for c in p["chapters"]]
o, m = marks(opus), marks(m4a)
assert len(o) == 8, f"opus has {len(o)} chapters, want 8"
assert len(m) == 8, f"m4a has {len(m)} chapters, want 8"
for (ot, on), (mt, mn) in zip(o, m):
    assert on == mn, (on, mn)
    assert abs(ot - mt) < 0.05, f"chapter '{on}' at {ot} in opus, {mt} in m4a"
assert o[0][1] == "Opening remarks" and o[-1][1] == "Closing remarks", o
for i, (_, t) in enumerate(o[1:-1], 1):
    assert t.startswith(f"Question {i}: "), t
do, dm = float(opus["format"]["duration"]), float(m4a["format"]["duration"])
# Every format as long as the timeline, within a frame: the Opus end is
# trimmed by its last granule position (opusinfo's playback length), the
# MP4's by its last sample's duration.
import re
total = manifest["duration"]
m = re.search(r"Playback length: (\d+)m:([\d.]+)s", open(sys.argv[7]).read())
played = int(m.group(1)) * 60 + float(m.group(2))
assert abs(played - total) <= 0.0205, f"opus plays {played} s, the timeline is {total} s"
assert abs(dm - total) <= 0.0427, f"m4a lasts {dm} s, the timeline is {total} s"
assert abs(do - dm) < 0.05, f"durations {do} vs {dm}"
assert 20 * 60 < do < 40 * 60, f"sample lasts {do} s"
js = [c["startTime"] for c in chj["chapters"]]
assert all(abs(a - b[0]) < 0.0015 for a, b in zip(js, o)), (js, o)
print(f"8 chapters, {do:.2f} s opus, {dm:.2f} s m4a")
# Title tags within Apple's 255 bytes: the sample's 250-odd-character title is
# cut at a word boundary, with an ellipsis; the description keeps it whole.
for p in (opus, m4a):
    if "tags" not in p["format"]:
        continue  # Ogg keeps them on the stream, which this probe leaves out; the M4A's are checked
    tags = {k.lower(): v for k, v in p["format"]["tags"].items()}
    t = tags["title"]
    assert len(t.encode()) <= 255, (len(t.encode()), t)
    assert t.endswith("\u2026") and not t[:-1].endswith(" "), t
    assert tags["description"].startswith(t[:-1]), tags["description"][:80]

# Captions stay on their words to the end: the cues are in order, and the
# last one ends with the audio (inside its final pause, never after it).
import re
vtt = open(sys.argv[4], encoding="utf-8").read()
assert vtt.startswith("WEBVTT")
def secs(t):
    h, m, s = t.split(":"); return int(h) * 3600 + int(m) * 60 + float(s)
cues = [(secs(a), secs(b)) for a, b in re.findall(r"^(\d\d:\d\d:\d\d\.\d\d\d) --> (\d\d:\d\d:\d\d\.\d\d\d)", vtt, re.M)]
assert len(cues) > 300, len(cues)
assert all(a < b for a, b in cues) and all(p[1] <= q[0] for p, q in zip(cues, cues[1:]))
assert do - 3.0 < cues[-1][1] <= min(do, dm), (cues[-1], do, dm)
for c, (t, name) in zip(chj["chapters"], o):
    first = min((a for a, _ in cues if a >= t), default=None)
    assert first is not None and first > t, (name, t, first)  # the mark precedes its words
print(f"{len(cues)} cues, the last ending at {cues[-1][1]:.3f} s")

# SRT: every line within 42 characters, the "Speaker: " prefix included, and
# the speaker named where the voice changes.
srt = open(sys.argv[6], encoding="utf-8").read()
long_lines = [l for l in srt.splitlines() if len(l) > 42]
assert not long_lines, long_lines[:5]
assert len(re.findall(r"^Sergey Lavrov: ", srt, re.M)) >= 7, "Lavrov's turns are not named"
assert len(re.findall(r"^Questioner \d: ", srt, re.M)) >= 6, "the questioners' turns are not named"
PY
