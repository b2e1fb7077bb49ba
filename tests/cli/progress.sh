#!/usr/bin/env bash
# ctest-labels: slow
# Progress on a terminal (issue 5): the stage, items done of the total, the
# elapsed time and, once something is done, the remaining time, on one
# rewritten line of stderr; nothing when stderr is not a terminal or with
# --quiet. `script` (util-linux) gives the render a pseudo-terminal.
set -euo pipefail
bin=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0

# The first ~40 turns of a press gaggle: enough segments for the display to
# redraw several times per stage.
head -c 9000 "$src/tests/fixtures/transcripts/corpus/whitehouse-press-gaggle-2022-03-25.txt" >"$tmp/gaggle.txt"

on_terminal() {  # runs the arguments with a terminal on stdin, stdout and stderr
  script -qec "$(printf '%q ' "$@")" /dev/null
}

on_terminal "$bin" render "$tmp/gaggle.txt" -o "$tmp/out" >"$tmp/tty.raw" </dev/null
tr '\r' '\n' <"$tmp/tty.raw" | sed 's/\x1b\[K//g' | grep -v '^$' >"$tmp/tty.txt" || true
segments=$(grep -Eo '[0-9]+ segments? spoken' "$tmp/tty.txt" | grep -Eo '^[0-9]+')
[ "${segments:-0}" -gt 10 ] || { echo "FAIL: no summary with a segment count"; cat "$tmp/tty.txt"; exit 1; }

# Each stage's count runs up to its total, and the total is the work there is.
grep -Eq "^speaking $segments/$segments  elapsed [0-9.]+s$" "$tmp/tty.txt" \
  || { echo "FAIL: speaking never reached $segments/$segments"; fail=1; }
grep -Eq "^encoding $segments/$segments  elapsed [0-9.]+s$" "$tmp/tty.txt" \
  || { echo "FAIL: encoding never reached $segments/$segments"; fail=1; }
grep -Eq '^writing [0-9]+/[0-9]+  elapsed' "$tmp/tty.txt" || { echo "FAIL: no writing stage"; fail=1; }
for stage in speaking encoding; do
  grep -Eq "^$stage [0-9]+/$segments  elapsed [0-9.]+s  remaining ~[0-9.]+s$" "$tmp/tty.txt" \
    || { echo "FAIL: $stage never showed a remaining time"; fail=1; }
done
# Counts never go backwards within a stage, and elapsed time never does.
awk '
  /^(speaking|encoding|writing) [0-9]+\/[0-9]+  elapsed/ {
    split($2, c, "/"); e = $4; sub(/s$/, "", e)
    if ($1 == stage && c[1] + 0 < done) { print "FAIL: " $1 " went back from " done " to " c[1]; bad = 1 }
    if (e + 0 < last) { print "FAIL: elapsed went back from " last " to " e; bad = 1 }
    stage = $1; done = c[1] + 0; last = e + 0
  }
  END { exit bad }' "$tmp/tty.txt" || fail=1

# Lossless formats only: nothing is encoded, so the speaking shows its own
# remaining time (otherwise it shows the encoders', which need a segment
# encoded first). The whole gaggle, so the speaking lasts long enough to redraw.
on_terminal "$bin" render "$src/tests/fixtures/transcripts/corpus/whitehouse-press-gaggle-2022-03-25.txt" \
  -o "$tmp/wav" --formats wav >"$tmp/wav.raw" </dev/null
tr '\r' '\n' <"$tmp/wav.raw" | sed 's/\x1b\[K//g' | grep -v '^$' >"$tmp/wav.txt" || true
grep -Eq '^speaking [0-9]+/[0-9]+  elapsed [0-9.]+s  remaining ~[0-9.]+s$' "$tmp/wav.txt" \
  || { echo "FAIL: a lossless render's speaking never showed a remaining time:"; cat "$tmp/wav.txt"; fail=1; }
if grep -q '^encoding' "$tmp/wav.txt"; then echo "FAIL: a lossless render showed an encoding stage"; fail=1; fi

# stderr not a terminal: no progress at all (the summary goes to stdout).
"$bin" render "$tmp/gaggle.txt" -o "$tmp/out2" >"$tmp/plain.out" 2>"$tmp/plain.err"
if grep -Eq 'speaking|encoding|elapsed' "$tmp/plain.err" || grep -q $'\r' "$tmp/plain.err"; then
  echo "FAIL: progress written to a stderr that is not a terminal:"; cat "$tmp/plain.err"; fail=1
fi

# --quiet on a terminal: none either.
on_terminal "$bin" render "$tmp/gaggle.txt" -o "$tmp/out3" --quiet >"$tmp/quiet.raw" </dev/null
if grep -Eq 'speaking|encoding|elapsed' "$tmp/quiet.raw"; then
  echo "FAIL: progress despite --quiet:"; cat "$tmp/quiet.raw"; fail=1
fi

# Nothing to do: no stage is shown (the render only checks its cache).
on_terminal "$bin" render "$tmp/gaggle.txt" -o "$tmp/out" >"$tmp/again.raw" </dev/null
if grep -Eq 'speaking|encoding' "$tmp/again.raw"; then
  echo "FAIL: an unchanged re-render showed work:"; tr '\r' '\n' <"$tmp/again.raw"; fail=1
fi

[ $fail -eq 0 ] && echo "progress: OK ($segments segments)"
exit $fail
