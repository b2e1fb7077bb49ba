#!/usr/bin/env bash
# ctest-labels: slow
# Big transcripts (issues 7 and 31): one just under the 16 MB limit (80 times
# a four-hour news conference) plans within bounded time and memory (measured
# with /usr/bin/time), with no blow-up; a 50 MB one is refused at once.
set -uo pipefail
bin=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
python3 - "$src/examples/lavrov-volgograd-2021-08-30.txt" "$tmp/big.txt" <<'PY'
import sys
text = open(sys.argv[1], encoding="utf-8").read().split("Additional materials")[0]
cut = text.index("Thank you very much, Mr")
head, body = text[:cut], text[cut:]
n = 15 * 1024 * 1024 // len(body.encode())
open(sys.argv[2], "w", encoding="utf-8").write(head + body * n)
open(sys.argv[2] + ".50", "w", encoding="utf-8").write(head + body * (n * 10 // 3))
PY
# 50 MB: refused in well under a second, naming the size and the limit.
start=$(date +%s%N)
"$bin" plan "$tmp/big.txt.50" >/dev/null 2>"$tmp/stderr"; rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$rc" -eq 5 ] && grep -q "may be at most 16777216 bytes" "$tmp/stderr" || { echo "FAIL: 50 MB: exit $rc"; cat "$tmp/stderr"; exit 1; }
[ "$ms" -lt 1000 ] || { echo "FAIL: refusing 50 MB took $ms ms"; exit 1; }
echo "50 MB transcript refused in $ms ms"
size=$(stat -c %s "$tmp/big.txt")
/usr/bin/time -f "%e %M" -o "$tmp/time" timeout 180 "$bin" plan "$tmp/big.txt" --json >"$tmp/plan.json" 2>"$tmp/stderr"
rc=$?
read -r secs kb <"$tmp/time"
echo "plan of $size bytes: exit $rc, ${secs} s, ${kb} KB peak"
[ "$rc" -eq 0 ] || { echo "FAIL: exit $rc"; tail -5 "$tmp/stderr"; exit 1; }
# Bounds: ~20 s and ~420 MB here; allow for a loaded machine.
awk -v s="$secs" 'BEGIN { exit !(s < 150) }' || { echo "FAIL: took ${secs} s"; exit 1; }
[ "$kb" -lt $((1536 * 1024)) ] || { echo "FAIL: peak memory ${kb} KB"; exit 1; }
python3 - "$tmp/plan.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
words = sum(t["words"] for t in d["turns"])
assert words > 2_400_000, f"only {words} words planned from 15 MB"
print(f"{len(d['turns'])} turns, {words} words, {len(d['chapters'])} chapters")
PY
