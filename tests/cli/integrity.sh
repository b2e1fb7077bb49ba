#!/usr/bin/env bash
# Issue 31's defects, each checked as an attacker or a careless user would
# meet it: nothing but regular files replaced, inputs read with a bound and
# only from regular files, the transcript never under the folder a render
# writes, cache and output apart, numbers finite, a bad cover refused before
# any work, nesting that would crash the TOML parser refused, SIGHUP handled.
set -euo pipefail
bin=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
sample="$src/tests/fixtures/render/springfield.txt"
fail() { echo "FAIL: $*"; exit 1; }
# expect CODE WORDS -- command...: exits CODE, stderr holds WORDS, in under 5 s.
expect() {
  local code=$1 words=$2; shift 3
  local rc=0
  timeout 5 "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
  [ "$rc" -eq "$code" ] || fail "$* exited $rc, want $code: $(cat "$tmp/err")"
  [ -z "$words" ] || grep -q -- "$words" "$tmp/err" || fail "$*: message lacks '$words': $(cat "$tmp/err")"
}

# 1. A FIFO (or, as root, a device) named as an output is refused and left as it was.
mkfifo "$tmp/out.wav"
expect 5 "device, FIFO or socket" -- "$bin" audition --voice q1 --text hi -o "$tmp/out.wav"
[ -p "$tmp/out.wav" ] || fail "the FIFO was replaced"
if [ "$(id -u)" = 0 ]; then
  expect 5 "device, FIFO or socket" -- "$bin" audition --voice q1 --text hi -o /dev/full
  [ -c /dev/full ] || fail "/dev/full is no longer a device"
fi

# 2. Inputs: devices, FIFOs and huge files are refused at once; nothing waits on a FIFO.
expect 5 "not a regular file" -- "$bin" plan /dev/zero
expect 5 "not a regular file" -- "$bin" plan /dev/urandom
mkfifo "$tmp/fifo.txt"
expect 5 "not a regular file" -- "$bin" plan "$tmp/fifo.txt"
truncate -s 2G "$tmp/sparse.txt"
expect 5 "may be at most" -- "$bin" plan "$tmp/sparse.txt"
expect 5 "not a regular file" -- "$bin" render "$sample" -o "$tmp/o1" --cover /dev/zero
[ ! -e "$tmp/o1" ] || fail "a render with a bad cover wrote $tmp/o1"

# 12. A cover that is no image is refused before any work: nothing written.
printf 'not an image' > "$tmp/cover.png"
expect 4 "not a JPEG or PNG" -- "$bin" render "$sample" -o "$tmp/o2" --cover "$tmp/cover.png"
[ ! -e "$tmp/o2" ] || fail "a render with a bad cover wrote $tmp/o2"

# 13. The transcript inside the folder the render writes is refused.
mkdir -p "$tmp/o3/talk"
cp "$sample" "$tmp/o3/talk/talk.txt"
expect 2 "inside the output folder" -- "$bin" render "$tmp/o3/talk/talk.txt" -o "$tmp/o3"
cmp -s "$sample" "$tmp/o3/talk/talk.txt" || fail "the transcript was changed"

# 14. Cache and output apart; numbers finite.
expect 2 "must be apart" -- "$bin" render "$sample" -o "$tmp/o4" --cache-dir "$tmp/o4"
expect 2 "must be apart" -- "$bin" render "$sample" -o "$tmp/o4" --cache-dir "$tmp/o4/springfield"
expect 2 "not a finite number" -- "$bin" render "$sample" -o "$tmp/o4" --cache-max-size nan
expect 2 "not a finite number" -- "$bin" cache prune --cache-dir "$tmp/c" --max-size inf
[ ! -e "$tmp/o4" ] || fail "a refused render wrote $tmp/o4"

# 11. A key nested thousands deep is a config error, not a crash.
python3 -c 'print("a" + ".a" * 5000 + " = 1")' > "$tmp/deep.toml"
expect 4 "nested" -- "$bin" plan --cast "$tmp/deep.toml" "$sample"
python3 -c 'print("x = " + "[" * 5000 + "]" * 5000)' > "$tmp/deep2.toml"
expect 4 "nested" -- "$bin" voices --cast "$tmp/deep2.toml"

# 8. SIGHUP stops a render like SIGTERM: exit 130, no temporaries left, no
# private cache left behind with --no-cache.
export TMPDIR="$tmp/tmpdir"; mkdir -p "$TMPDIR"
"$bin" -q render "$src/examples/lavrov-volgograd-2021-08-30.txt" -o "$tmp/o5" --no-cache -j 1 >/dev/null 2>&1 &
pid=$!
sleep 1
kill -HUP "$pid" 2>/dev/null || true
rc=0; wait "$pid" || rc=$?
[ "$rc" -eq 130 ] || [ "$rc" -eq 0 ] || fail "SIGHUP: exit $rc, want 130"
if find "$tmp/o5" -name '*.tmp-*' 2>/dev/null | grep -q .; then fail "temporaries left: $(find "$tmp/o5" -name '*.tmp-*')"; fi
if ls -A "$TMPDIR" | grep -q turncast; then fail "private cache left: $(ls -A "$TMPDIR")"; fi
# After SIGKILL the private cache stays, until the next render here removes it.
"$bin" -q render "$src/examples/lavrov-volgograd-2021-08-30.txt" -o "$tmp/o6" --no-cache -j 1 >/dev/null 2>&1 &
pid=$!
sleep 1
kill -KILL "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
"$bin" -q render "$sample" -o "$tmp/o7" --no-cache >/dev/null
if ls -A "$TMPDIR" | grep -q turncast; then fail "a killed render's private cache was not swept: $(ls -A "$TMPDIR")"; fi
unset TMPDIR

# 14. A rules file's regex cannot backtrack for minutes (RE2); a message never
# carries raw control bytes; direction overrides do not make a second speaker.
mkdir -p "$tmp/data"; cp "$src"/voices/* "$tmp/data/"
printf '\n[[clutter]]\nregex = %s\nreason = "hostile"\n' "'^(a+)+\$'" >> "$tmp/data/rules.toml"
python3 -c 'print("Jane Doe: " + "a" * 40 + "\n\n" + "a" * 290 + "b\n\nJane Doe: Thank you.")' > "$tmp/redos.txt"
TURNCAST_DATA_DIR="$tmp/data" expect 0 "" -- "$bin" plan "$tmp/redos.txt"
printf 'Lav\033[31mrov\tla-ROFF\n' > "$tmp/esc.tsv"
expect 4 '\\x1b' -- "$bin" plan --lexicon "$tmp/esc.tsv" "$sample"
grep -q $'\033' "$tmp/err" && fail "a raw ESC byte reached the terminal"
printf 'Jane Doe: Hello there.\n\nQuestion: Why?\n\n\xe2\x80\xaeJane Doe\xe2\x80\xac: Because.\n' > "$tmp/bidi.txt"
"$bin" plan --json "$tmp/bidi.txt" | python3 -c '
import json, sys
names = [s["name"] for s in json.load(sys.stdin)["speakers"] if s["role"] != "narrator"]
assert names.count("Jane Doe") == 1 and len(names) == 2, names'

# 6. Distinct transcripts never share a folder: other scripts are transliterated,
# and a second transcript with the same name elsewhere gets its own folder.
mkdir -p "$tmp/s/a" "$tmp/s/b"
cp "$sample" "$tmp/s/Пресс-конференция.txt"
cp "$sample" "$tmp/s/日本語.txt"
cp "$sample" "$tmp/s/a/talk.txt"
sed 's/Springfield/Shelbyville/g' "$sample" > "$tmp/s/b/talk.txt"
"$bin" -q render "$tmp/s/Пресс-конференция.txt" "$tmp/s/日本語.txt" -o "$tmp/s/out" >/dev/null
"$bin" -q render "$tmp/s/a/talk.txt" -o "$tmp/s/out" >/dev/null
before=$(cat "$tmp/s/out/talk/talk.vtt")
"$bin" -q render "$tmp/s/b/talk.txt" -o "$tmp/s/out" >/dev/null
[ "$(cat "$tmp/s/out/talk/talk.vtt")" = "$before" ] || fail "the second talk.txt overwrote the first"
ls "$tmp/s/out" | grep -qx 'press-konferencia' || fail "no press-konferencia: $(ls "$tmp/s/out")"
ls "$tmp/s/out" | grep -qx 'ri-ben-yu' || fail "no ri-ben-yu: $(ls "$tmp/s/out")"
[ "$(ls "$tmp/s/out" | grep -c '^talk')" -eq 2 ] || fail "want two talk folders: $(ls "$tmp/s/out")"
grep -rq Shelbyville "$tmp/s/out"/talk-*/talk-*.vtt 2>/dev/null || grep -rq Shelbyville "$tmp/s/out"/talk-*/ || fail "the second transcript's folder lacks its words"
# Rendering the first again still finds its own folder.
"$bin" render "$tmp/s/a/talk.txt" -o "$tmp/s/out" | grep -q "out/talk: .*already up to date" || fail "the first lost its folder"
echo ok
