#!/usr/bin/env bash
# Security (issue 7): outputs stay inside the output folder whatever the file
# name, title or speaker names say; no device names; no program but turncast
# itself is ever executed (strace); transcript markup never reaches espeak as
# SSML or phoneme input, and never reaches the web player as HTML.
set -uo pipefail
bin=$(realpath "$1"); src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
mkdir -p "$tmp/in/sub" "$tmp/out"

# --- hostile names -----------------------------------------------------------
hostile='/etc/passwd ../../../x <script>alert(1)</script> ..\..\con'
printf '../../etc/passwd\n\n%s: Hello there.\n\nQuestion: %s?\n\n/tmp/abs: Yes.\n\nNUL: And?\n' "$hostile" "$hostile" >"$tmp/in/sub/body.txt"
names=( "..x..txt" "...txt" "con.txt" "nul" "COM1.txt" ".hidden.txt" 'a;b $(touch PWNED) `id`.txt' "-rf.txt" $'new\nline.txt' "back\\slash.txt" )
for n in "${names[@]}"; do cp "$tmp/in/sub/body.txt" "$tmp/in/sub/$n"; done
cp "$tmp/in/sub/body.txt" "$tmp/in/x.txt"
(cd "$tmp/in" && find . | LC_ALL=C sort) >"$tmp/tree.before"
for n in "${names[@]}" "../x.txt" "../sub/../sub/con.txt"; do
  (cd "$tmp/in/sub" && "$bin" plan --json -- "$n" >"$tmp/plan.json" 2>"$tmp/stderr") || { echo "FAIL: plan of '$n'"; cat "$tmp/stderr"; fail=1; }
done
# Render a few of them (speech is short) with a shared cache.
for n in "con.txt" "..x..txt" 'a;b $(touch PWNED) `id`.txt' "../x.txt" "nul"; do
  (cd "$tmp/in/sub" && "$bin" render -o "$tmp/out" --cache-dir "$tmp/out/.cache" -j2 --quiet -- "$n" >/dev/null 2>"$tmp/stderr") \
    || { echo "FAIL: render of '$n'"; cat "$tmp/stderr"; fail=1; }
done
(cd "$tmp/in" && find . | LC_ALL=C sort) >"$tmp/tree.after"
cmp -s "$tmp/tree.before" "$tmp/tree.after" || { echo "FAIL: files appeared outside the output folder:"; diff "$tmp/tree.before" "$tmp/tree.after"; fail=1; }
[ ! -e "$tmp/in/sub/PWNED" ] && [ ! -e PWNED ] || { echo "FAIL: a shell ran the file name"; fail=1; }
# Every output path below out/ is made of slug characters; no device names.
find "$tmp/out" -mindepth 1 -path "$tmp/out/.cache" -prune -o -print | sed "s|^$tmp/out/||" >"$tmp/outputs"
[ "$(grep -c . "$tmp/outputs")" -ge 10 ] || { echo "FAIL: too few outputs"; cat "$tmp/outputs"; fail=1; }
while IFS= read -r p; do
  # (".<slug>.lock" beside each folder: the lock two renders of one folder share)
  [[ "$p" =~ ^[a-z0-9-]+(/[a-z0-9.-]+)?$ || "$p" =~ ^\.[a-z0-9-]+\.lock$ ]] || { echo "FAIL: output path '$p'"; fail=1; }
  case "$p" in *..*) echo "FAIL: '..' in output path '$p'"; fail=1 ;; esac
  for part in ${p//\// }; do
    case "${part%%.*}" in con|prn|aux|nul|com[0-9]|lpt[0-9]) echo "FAIL: device name in '$p'"; fail=1 ;; esac
  done
done <"$tmp/outputs"

# --- the web player and captions escape transcript text -----------------------
html=$(find "$tmp/out" -name index.html | head -1)
if grep -q "<script>alert" "$html"; then echo "FAIL: transcript markup reached the web player as HTML"; fail=1; fi

# --- no program is started ------------------------------------------------------
if command -v strace >/dev/null; then
  # LeakSanitizer cannot run under ptrace: in the sanitizer build, leave leak
  # checking to the other tests.
  ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" strace -f -qq -e trace=execve,execveat -o "$tmp/strace.log" \
    "$bin" render "$tmp/in/x.txt" -o "$tmp/out2" --no-cache -j2 --quiet >/dev/null 2>"$tmp/stderr" || { echo "FAIL: render under strace"; cat "$tmp/stderr"; fail=1; }
  execs=$(grep -c 'execve' "$tmp/strace.log")
  if [ "$execs" -ne 1 ] || ! grep -q "execve(\"$bin\"" "$tmp/strace.log"; then
    echo "FAIL: programs were executed:"; grep execve "$tmp/strace.log"; fail=1
  fi
else
  echo "skip: strace is not installed; the no-shell check is not run"
  skipped=1
fi

# --- markup is spoken literally or neutralised, never obeyed ----------------------
{ echo "Jane Doe: Hello."; echo
  printf 'Question: one <break time="30s"/> two <break time="30s"/> three <break time="30s"/> four <break time="30s"/> five <break time="30s"/> six <break time="30s"/>?\n\n'
  printf 'Jane Doe: <speak><prosody rate="x-slow">Slow</prosody> <audio src="x.wav"/> [[h@l'"'"'oU]] [[aaaaaaa:::::::::::::::::::::::::::::]] done.</speak>\n'
} >"$tmp/markup.txt"
"$bin" plan "$tmp/markup.txt" --json >"$tmp/markup.json" || { echo "FAIL: plan of markup"; fail=1; }
"$bin" render "$tmp/markup.txt" -o "$tmp/out3" --no-cache -j2 --quiet >/dev/null 2>"$tmp/stderr" || { echo "FAIL: render of markup"; cat "$tmp/stderr"; fail=1; }
dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$tmp/out3/markup/markup.opus")
echo "markup transcript: ${dur} s"
# Obeyed as SSML, the six breaks alone would last 180 s.
awk -v d="$dur" 'BEGIN { exit !(d > 3 && d < 90) }' || { echo "FAIL: duration ${dur} s: markup was obeyed?"; fail=1; }
echo "outputs: $(cut -d/ -f1 "$tmp/outputs" | sort -u | tr "\n" " ")"
# A part that could not run makes the whole test "skipped", never "passed".
[ "$fail" -eq 0 ] && [ "${skipped:-0}" -eq 1 ] && exit 77
exit $fail
