#!/usr/bin/env bash
# ctest-labels: slow
# A render's outputs appear together or not at all (issue 31): SIGKILL at 100
# moments spread over the end of a render, where it commits, and two renders
# of different text into one folder 30 times at once. After each, the folder
# holds one complete set: every file the manifest lists, at the size it
# records, all from one text.
set -uo pipefail
bin=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
out=$tmp/out; dir=$out/talk
sample="$src/tests/fixtures/render/springfield.txt"

# complete: the folder holds one whole set from one text.
complete() {
  python3 - "$dir" <<'PY'
import json, os, sys
d = sys.argv[1]
m = json.load(open(os.path.join(d, "manifest.json")))
files = m["files"]
for kind, f in files.items():
    p = os.path.join(d, f["name"])
    assert os.path.exists(p), f"missing {f['name']}"
    if f.get("bytes"):
        assert os.path.getsize(p) == f["bytes"], f"{f['name']}: {os.path.getsize(p)} bytes, manifest says {f['bytes']}"
towns = set()
for kind in ("vtt", "transcript", "chapters", "html"):
    text = open(os.path.join(d, files[kind]["name"]), encoding="utf-8").read()
    towns |= {t for t in ("Springfield", "Shelbyville") if t in text}
assert len(towns) == 1, f"a mix: {towns}"
PY
}
text() {  # text N: version N of the transcript (town and length differ by parity)
  if [ $(( $1 % 2 )) -eq 0 ]; then sed "s/Springfield/Springfield/" "$sample"; else sed 's/Springfield/Shelbyville/g' "$sample"; fi
  echo; echo "Jane Doe: Version $1 of the record, with one more sentence for good measure."
}

text 0 >"$tmp/talk.txt"
"$bin" -q render "$tmp/talk.txt" -o "$out" --cache-dir "$tmp/cache" >/dev/null || { echo "FAIL: first render"; exit 1; }
complete || { echo "FAIL: first render incomplete"; exit 1; }
text 1 >"$tmp/talk.txt"
t0=$(date +%s%N)
"$bin" -q render "$tmp/talk.txt" -o "$out" --cache-dir "$tmp/cache" >/dev/null
T=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "warm render: $T ms"

# 100 SIGKILLs from a third of the way through a warm render to its end.
killed=0; committed=0
for i in $(seq 2 101); do
  text "$i" >"$tmp/next" && mv "$tmp/next" "$tmp/talk.txt"
  delay=$(awk -v i="$i" -v t="$T" 'BEGIN { printf "%.3f", (0.3 + 0.7 * (i - 2) / 99) * t / 1000 }')
  "$bin" -q render "$tmp/talk.txt" -o "$out" --cache-dir "$tmp/cache" >/dev/null 2>&1 &
  pid=$!
  sleep "$delay"
  kill -KILL "$pid" 2>/dev/null && killed=$((killed + 1))
  wait "$pid" 2>/dev/null; [ $? -eq 0 ] && committed=$((committed + 1))
  complete || { echo "FAIL: after SIGKILL at ${delay}s the folder is not one complete set"; fail=1; break; }
done
echo "SIGKILLs: $killed sent, $committed renders finished first; the folder was whole every time"

# Two renders of different text into one folder, 30 times.
for i in $(seq 1 30); do
  mkdir -p "$tmp/a" "$tmp/b"
  text $((2 * i)) >"$tmp/a/talk.txt"
  text $((2 * i + 1)) >"$tmp/b/talk.txt"
  # The same transcript path for both (so both aim at one folder): copy in turn.
  cp "$tmp/a/talk.txt" "$tmp/next" && mv "$tmp/next" "$tmp/talk.txt"  # replaced whole, never read half-written
  "$bin" -q render "$tmp/talk.txt" -o "$out" --cache-dir "$tmp/cache" >/dev/null 2>"$tmp/e1" & p1=$!
  sleep 0.05
  cp "$tmp/b/talk.txt" "$tmp/next" && mv "$tmp/next" "$tmp/talk.txt"
  "$bin" -q render "$tmp/talk.txt" -o "$out" --cache-dir "$tmp/cache" >/dev/null 2>"$tmp/e2" & p2=$!
  wait $p1; r1=$?; wait $p2; r2=$?
  [ $r1 -eq 0 ] && [ $r2 -eq 0 ] || { echo "FAIL: round $i: exits $r1 $r2"; cat "$tmp/e1" "$tmp/e2"; fail=1; break; }
  complete || { echo "FAIL: round $i: a mix"; fail=1; break; }
  grep -q "Version $((2 * i + 1)) " "$dir/talk.vtt" || { echo "FAIL: round $i: the later render's text is not the one standing"; fail=1; break; }
done
[ $fail -eq 0 ] && echo "30 concurrent pairs: never a mix"
exit $fail
