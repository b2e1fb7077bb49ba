#!/usr/bin/env bash
# The bad-input corpus (issue 7): every row of tests/bad-inputs/cases.tsv, and
# the cases generated here (missing, directory, unreadable, random bytes, a
# 1 MB line, 10,000 speakers): the documented exit code, a message naming the
# file and the place, and nothing written.
set -uo pipefail
bin=$1; src=$2
corpus=$src/tests/bad-inputs
tmp=$(mktemp -d); trap 'chmod -R u+rwx "$tmp"; rm -rf "$tmp"' EXIT
fail=0; n=0

check_error() {  # check_error WANT_CODE NEEDLE BLAMED_FILE -- ARGS...
  local code=$1 needle=$2 blamed=$3; shift 4
  n=$((n + 1))
  rm -rf "$tmp/out"
  timeout 60 "$bin" "$@" -o "$tmp/out" --quiet >"$tmp/stdout" 2>"$tmp/stderr"
  local rc=$? label="$*"
  if [ "$rc" -ne "$code" ]; then echo "FAIL [$label]: exit $rc, want $code"; cat "$tmp/stderr"; fail=1; return; fi
  grep -qF -- "$blamed" "$tmp/stderr" || { echo "FAIL [$label]: message does not name $blamed"; cat "$tmp/stderr"; fail=1; }
  grep -qiF -- "$needle" "$tmp/stderr" || { echo "FAIL [$label]: message lacks '$needle'"; cat "$tmp/stderr"; fail=1; }
  # What to do: every message ends with a hint in parentheses.
  grep -q ')$' "$tmp/stderr" || { echo "FAIL [$label]: message gives no hint"; cat "$tmp/stderr"; fail=1; }
  [ ! -e "$tmp/out" ] || { echo "FAIL [$label]: something was written:"; find "$tmp/out"; fail=1; }
}

check_plan() {  # check_plan NEEDLE FILE: plan --json succeeds within bounds, output is clean
  local needle=$1 file=$2
  n=$((n + 1))
  /usr/bin/time -f "%e %M" -o "$tmp/time" timeout 60 "$bin" plan "$file" --json >"$tmp/plan.json" 2>"$tmp/stderr"
  local rc=$?
  [ "$rc" -eq 0 ] || { echo "FAIL [plan $file]: exit $rc"; cat "$tmp/stderr"; fail=1; return; }
  read -r secs kb <"$tmp/time"
  [ "$kb" -lt 1000000 ] || { echo "FAIL [plan $file]: used $kb KB"; fail=1; }
  grep -qF -- "$needle" "$tmp/plan.json" || { echo "FAIL [plan $file]: plan lacks '$needle'"; fail=1; }
  python3 - "$tmp/plan.json" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
def strings(x):
    if isinstance(x, str): yield x
    elif isinstance(x, dict):
        for v in x.values(): yield from strings(v)
    elif isinstance(x, list):
        for v in x: yield from strings(v)
for s in strings(d):
    bad = [c for c in s if (ord(c) < 0x20 and c not in "\n\t") or ord(c) == 0x7f]
    assert not bad, f"FAIL: control characters {bad!r} in {s[:80]!r}"
for sp in d["speakers"]:
    assert len(sp["name"]) <= 100, f"FAIL: a {len(sp['name'])}-character speaker name"
    assert "/" not in sp["id"] and ".." not in sp["id"], f"FAIL: speaker id {sp['id']!r}"
PY
}

# The corpus.
while IFS=$'\t' read -r cmd input opt optfile code needle; do
  case $cmd in ''|'#'*) continue ;; esac
  [ "$input" = "@sample" ] && input=$src/tests/fixtures/render/springfield.txt || input=$corpus/$input
  if [ "$cmd" = plan ]; then check_plan "$needle" "$input"; continue; fi
  if [ "$opt" = "-" ]; then check_error "$code" "$needle" "$input" -- render "$input"
  else check_error "$code" "$needle" "$corpus/$optfile" -- render "$input" "$opt" "$corpus/$optfile"; fi
done <"$corpus/cases.tsv"

# Generated cases.
check_error 5 "no such file" "$tmp/missing.txt" -- render "$tmp/missing.txt"
mkdir "$tmp/adir"; check_error 5 "directory" "$tmp/adir" -- render "$tmp/adir"
cp "$src/tests/fixtures/render/springfield.txt" "$tmp/locked.txt"; chmod 000 "$tmp/locked.txt"
if [ "$(id -u)" -ne 0 ]; then check_error 5 "permission" "$tmp/locked.txt" -- render "$tmp/locked.txt"
else echo "skip: chmod 000 does not stop root from reading; unreadability is tested with /proc/self/mem instead"; fi
# Unreadable even for root: stat() says a regular file, read() fails (EIO).
check_error 5 "cannot read" "/proc/self/mem" -- render /proc/self/mem
# Random bytes after an invalid first byte: random bytes alone may hold a
# newline before their first invalid byte, and the error would then be on line 2.
{ printf '\xff'; head -c 4095 /dev/urandom; } >"$tmp/random.bin"
check_error 3 "line 1, byte 0" "$tmp/random.bin" -- render "$tmp/random.bin"
# A 1 MB line and 10,000 speakers: planned within bounds, nothing lost.
python3 - "$tmp" <<'PY'
import sys
d = sys.argv[1]
open(d + "/longline.txt", "w").write("Question: " + "word " * 210000 + "\n\nJane Doe: Yes.\n")
open(d + "/speakers.txt", "w").write("".join(f"Speaker{i}: Hello number {i}.\n\n" for i in range(10000)))
PY
check_plan "Yes." "$tmp/longline.txt"
check_plan "Hello number 9999." "$tmp/speakers.txt"
n_speakers=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['speakers']))" "$tmp/plan.json")
[ "$n_speakers" -ge 10000 ] || { echo "FAIL: 10,000 speakers planned as $n_speakers"; fail=1; }

echo "$n cases checked"
exit $fail
