#!/usr/bin/env bash
# ctest-labels: slow
# The bundled sample rendered with --formats opus,m4a,mp3 and read back as a
# podcast app would: ffprobe sees an MP3 (mono, the M4A's length within a
# frame, the same 8 chapters titled and at the same marks as the M4A's);
# decoded, its speech lies where the M4A's does all through (no gap, no
# drift at the joins of its pieces); it is as loud as the others; and a
# second render from nothing gives the same bytes.
set -euo pipefail
bin=$1; src=$2
command -v ffprobe >/dev/null || { echo "skip: ffprobe is not installed"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
sample=$src/examples/lavrov-volgograd-2021-08-30.txt
slug=lavrov-volgograd-2021-08-30

"$bin" render "$sample" -o "$tmp/a" --formats opus,m4a,mp3 --quiet >"$tmp/render.log"
dir=$tmp/a/$slug
for f in m4a mp3; do
  ffprobe -v warning -show_chapters -show_format -show_streams -of json "$dir/$slug.$f" \
    >"$tmp/$f.json" 2>"$tmp/$f.err"
  bash "$src/tests/tools/ffprobe_warnings.sh" <"$tmp/$f.err" >"$tmp/$f.real"
  if [ -s "$tmp/$f.real" ]; then echo "ffprobe warned on $slug.$f:"; cat "$tmp/$f.real"; exit 1; fi
done

python3 - "$tmp/m4a.json" "$tmp/mp3.json" <<'PY'
import json, sys
m4a, mp3 = (json.load(open(p)) for p in sys.argv[1:3])
audio = [s for s in mp3["streams"] if s["codec_type"] == "audio"]
assert len(audio) == 1, audio
a = audio[0]
assert a["codec_name"] == "mp3", a["codec_name"]
assert a["channels"] == 1, a["channels"]
assert a["sample_rate"] == "24000", a["sample_rate"]
assert mp3["format"]["format_name"] == "mp3"
assert int(mp3["format"]["bit_rate"]) < 70000, mp3["format"]["bit_rate"]  # 64 kbit/s CBR and the tags
# ffprobe counts the MP3's frames as its duration and starts it at the LAME
# header's delay: what plays is the difference.
plays = float(mp3["format"]["duration"]) - float(a["start_time"])
dm = float(m4a["format"]["duration"])
assert abs(plays - dm) < 1024 / 24000, f"mp3 plays {plays} s, m4a {dm} s"
def marks(p): return [(float(c["start_time"]), c["tags"]["title"]) for c in p["chapters"]]
m, p = marks(m4a), marks(mp3)
assert len(p) == 8, f"mp3 has {len(p)} chapters, want 8"
for (mt, mn), (pt, pn) in zip(m, p):
    assert pn == mn, (pn, mn)
    assert abs(pt - mt) < 0.003, f"chapter '{pn}' at {pt} in mp3, {mt} in m4a"
tags = {k.lower(): v for k, v in mp3["format"]["tags"].items()}
mtags = {k.lower(): v for k, v in m4a["format"]["tags"].items()}
for k in ("title", "artist", "album", "genre", "description"):
    assert tags.get(k) == mtags.get(k), (k, tags.get(k), mtags.get(k))
print(f"mp3: 8 chapters, plays {plays:.3f} s, m4a {dm:.3f} s")
PY

# Decoded, the MP3's speech is where the M4A's is: 10 ms envelopes compared
# chapter by chapter.
for f in m4a mp3; do
  ffmpeg -nostdin -v error -i "$dir/$slug.$f" -f f32le -ac 1 -ar 24000 "$tmp/$f.f32"
done
python3 - "$tmp/m4a.f32" "$tmp/mp3.f32" "$tmp/mp3.json" <<'PY'
import array, json, math, sys
from operator import mul
def envelope(path):
    a = array.array("f"); a.frombytes(open(path, "rb").read())
    b = 240  # 10 ms
    return [math.sqrt(sum(map(mul, a[i:i + b], a[i:i + b])) / b) for i in range(0, len(a) - b + 1, b)], len(a)
m, nm = envelope(sys.argv[1])
p, np_ = envelope(sys.argv[2])
assert abs(nm - np_) < 1024, f"decoded lengths {nm} and {np_} samples"
starts = [int(float(c["start_time"]) * 100) for c in json.load(open(sys.argv[3]))["chapters"]] + [min(len(m), len(p))]
for k in range(len(starts) - 1):
    lo, hi = starts[k] + 10, starts[k + 1] - 10
    def score(lag):
        return sum(m[i] * p[i + lag] for i in range(max(lo, -lag), min(hi, len(p) - lag)))
    # Each file plays a segment within half its codec's frame of the timeline
    # (AAC 21 ms, MP3 12 ms): the two within 33 ms of each other.
    best = max(range(-10, 11), key=score)
    assert abs(best) <= 3, f"chapter {k}: the mp3's speech is {best * 10} ms from the m4a's"
    # Block by block, within 40 ms (33 ms apart at a word's edge, at most):
    # speech in one, silence around that place in the other, would be a gap,
    # or a click at a join.
    near = lambda e, i: max(e[max(i - 4, 0):i + 5])
    missing = [i for i in range(lo, hi) if m[i] > 0.01 and near(p, i) <= 0.003]
    extra = [i for i in range(lo, hi) if p[i] > 0.01 and near(m, i) <= 0.003]
    assert not missing, f"chapter {k}: speech missing in the mp3 at {[i / 100 for i in missing[:10]]} s"
    assert not extra, f"chapter {k}: sound in the mp3 where the m4a is silent at {[i / 100 for i in extra[:10]]} s"
print(f"mp3 speech in place in all {len(starts) - 1} chapters")
PY

# As loud as the others, as a listener hears the mono file (EBU R128 dual
# mono, as render_sample.sh measures them), and under the true-peak ceiling.
ffmpeg -nostdin -nostats -hide_banner -i "$dir/$slug.mp3" -af ebur128=peak=true:dualmono=true -f null - 2>&1 |
  tail -12 >"$tmp/loud.txt"
i=$(awk '$1=="I:"{print $2}' "$tmp/loud.txt"); tp=$(awk '$1=="Peak:"{print $2}' "$tmp/loud.txt")
python3 -c "import sys; i,tp=float('$i'),float('$tp'); sys.exit(0 if abs(i+16)<=1 and tp<=-1.5 else 1)" \
  || { echo "loudness of the mp3: I=$i LUFS, true peak $tp dBTP"; exit 1; }

# A second render from nothing: the same bytes.
"$bin" render "$sample" -o "$tmp/b" --formats opus,m4a,mp3 --no-cache --quiet >"$tmp/render-b.log"
cmp "$dir/$slug.mp3" "$tmp/b/$slug/$slug.mp3" || { echo "two renders gave different MP3s"; exit 1; }
echo "mp3: loudness $i LUFS, true peak $tp dBTP; repeatable"
