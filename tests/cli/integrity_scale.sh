#!/usr/bin/env bash
# ctest-labels: slow
# Issue 31's bounds at scale (release build only: the sanitizers multiply
# memory and time): one 50 KB paragraph renders in under 200 MB; a 200,000-entry
# lexicon loads and applies in linear time; a replacement that would turn a
# word into megabytes is refused.
set -euo pipefail
bin=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# 7. One 50 KB paragraph without a full stop: spoken in segments of bounded size.
python3 - "$tmp/long.txt" <<'PY'
import random, sys
random.seed(2)
words = "the talks went well and both sides would meet again next month to discuss trade energy security".split()
body = " ".join(random.choice(words) for _ in range(9000))
open(sys.argv[1], "w").write("Anna Smith: " + body + ".\n")
PY
[ "$(stat -c %s "$tmp/long.txt")" -ge 50000 ] || fail "the paragraph is too short"
/usr/bin/time -f '%M' -o "$tmp/rss" "$bin" -q render "$tmp/long.txt" -o "$tmp/out" --no-cache >/dev/null
kb=$(tail -1 "$tmp/rss")
echo "one 50 KB paragraph: peak RSS $((kb / 1024)) MB"
[ "$kb" -lt $((200 * 1024)) ] || fail "peak RSS ${kb} KB, want under 200 MB"
ffprobe -v error -show_entries format=duration -of csv=p=0 "$tmp/out/long/long.opus" |
  python3 -c 'import sys; d = float(sys.stdin.read()); assert d > 2400, d'

# 10. A 200,000-entry lexicon: plan stays quick (it was quadratic).
python3 - "$tmp/lex.tsv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(200000):
        f.write(f"Word{i:06d}x\tword\n")
PY
start=$(date +%s%N)
"$bin" plan --lexicon "$tmp/lex.tsv" "$src/examples/lavrov-volgograd-2021-08-30.txt" >/dev/null
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "200,000-entry lexicon: plan in $ms ms"
[ "$ms" -lt 10000 ] || fail "plan with a 200k lexicon took $ms ms"

# 7. A replacement of a megabyte is refused with its line.
python3 -c 'print("Lavrov\t" + "la " * 400000)' > "$tmp/huge.tsv"
rc=0; "$bin" plan --lexicon "$tmp/huge.tsv" "$src/examples/lavrov-volgograd-2021-08-30.txt" >/dev/null 2>"$tmp/err" || rc=$?
[ "$rc" -eq 4 ] && grep -q "line 1" "$tmp/err" && grep -q "at most" "$tmp/err" || fail "rc $rc: $(cat "$tmp/err")"
echo ok
