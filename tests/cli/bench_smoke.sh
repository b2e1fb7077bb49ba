#!/usr/bin/env bash
# ctest-labels: slow
# Smoke test of the benchmark harness on a tiny transcript (a few seconds):
#   1. scripts/bench-baseline writes a valid Opus and AAC file with one chapter
#      per question, at the starts summed from the WAVs (checked with ffprobe);
#   2. scripts/bench, driving a stand-in turncast, prints the table, MATCH and
#      "none rewritten"; a stand-in with a stale cache that rewrites unchanged
#      outputs must give MISMATCH, FAIL that target, and exit 1;
#   3. when the real turncast can render, the bench on the tiny transcript
#      must report MATCH and no rewritten outputs.
#
#   bash tests/cli/bench_smoke.sh TURNCAST_BINARY SOURCE_DIR
set -euo pipefail
turncast=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir -p "$tmp/in"
cat > "$tmp/in/tiny-talk.txt" <<'EOF'
1 March 202110:00

Jane Doe’s remarks and answers to questions at a small test meeting, Testville, March 1, 2021


  • en-GB1 ru-RU1

Good morning, friends.

Thank you for coming. This is a short opening statement.

Question: Can public diplomacy help us?

Jane Doe: Yes.

Public diplomacy can help official diplomacy by the very fact of its existence.

Question (follow-up): And what about sport?

Jane Doe: Sport helps too.

Additional materials

Some page furniture.
EOF

# ---- 1. the baseline ---------------------------------------------------------
"$src/scripts/bench-baseline" "$tmp/in/tiny-talk.txt" "$tmp/base" 2> "$tmp/base.log" ||
  { cat "$tmp/base.log" >&2; fail "bench-baseline exited non-zero"; }
meta=$tmp/base/work/chapters.ffmeta
[ "$(cut -f2 "$tmp/base/work/turns/manifest.tsv" | tr '\n' ' ')" = "narrator main questioner main questioner main " ] ||
  fail "turns split wrongly: $(cat "$tmp/base/work/turns/manifest.tsv")"
grep -q '^Yes\.$' "$tmp/base/work/turns/003.txt" || fail "label not stripped from turn 003"
grep -q 'Some page furniture' "$tmp/base/work/turns/"*.txt && fail "text after 'Additional materials' was spoken"

for ext in opus m4a; do
  f=$tmp/base/tiny-talk.$ext
  codec=$(ffprobe -v error -select_streams a:0 -show_entries stream=codec_name -of csv=p=0 "$f")
  want_codec=$([ $ext = opus ] && echo opus || echo aac)
  [ "$codec" = "$want_codec" ] || fail "$ext: codec $codec, expected $want_codec"
  titles=$(ffprobe -v error -show_entries chapter_tags=title -of csv=p=0 "$f" | tr '\n' '|')
  [ "$titles" = "Opening remarks|Question 1: Can public diplomacy help us?|Question 2: And what about sport?|" ] ||
    fail "$ext chapter titles: $titles"
done
# The M4A keeps the chapter starts exactly (to the millisecond): the sums of
# the WAV lengths plus the gaps.
rate=$(soxi -r "$tmp/base/work/wav/000.wav")
gap=$(soxi -s "$tmp/base/work/wav/gap.wav")
s=(); for i in 000 001 002 003 004; do s+=("$(soxi -s "$tmp/base/work/wav/$i.wav")"); done
q1=$(( s[0] + s[1] + 2 * gap ))
q2=$(( q1 + s[2] + s[3] + 2 * gap ))
want=$(awk -v r="$rate" -v a="$q1" -v b="$q2" 'BEGIN { printf "0.000|%.3f|%.3f|", a / r, b / r }')
got=$(ffprobe -v error -show_entries chapter=start_time -of csv=p=0 "$tmp/base/tiny-talk.m4a" |
      awk '{ printf "%.3f|", $1 }')
[ "$got" = "$want" ] || fail "m4a chapter starts $got, expected $want"

# ---- 2. the harness, with a stand-in turncast ------------------------------
# The stand-in speaks the whole transcript with one espeak-ng call and encodes
# DIR/<slug>/<slug>.opus and .m4a with one ffmpeg call; it keeps the last
# transcript in its cache folder, and an unchanged transcript writes nothing.
# MOCK_BROKEN=1 has two bugs the bench must catch: a re-render speaks the
# cached (stale) transcript instead of the new one, and an unchanged
# transcript still rewrites the .opus.
cat > "$tmp/mock-turncast" <<'EOF'
#!/usr/bin/env bash
set -euo pipefail
[ "$1" = --quiet ] && shift
[ "$1" = render ] || exit 64
shift
[ "$1" = --help ] && exit 0
t=$1; shift
while [ $# -gt 0 ]; do
  case $1 in -o) out=$2; shift 2 ;; --cache-dir) cache=$2; shift 2 ;;
              --formats|--jobs) shift 2 ;; *) shift ;; esac
done
slug=$(basename "$t" .txt)
mkdir -p "$cache" "$out/$slug"
if cmp -s "$t" "$cache/last.txt"; then
  [ -z "${MOCK_BROKEN:-}" ] || touch "$out/$slug/$slug.opus"
  exit 0
fi
speak=$t
if [ -n "${MOCK_BROKEN:-}" ] && [ -f "$cache/last.txt" ]; then cp "$cache/last.txt" "$cache/stale.txt"; speak=$cache/stale.txt; fi
cp "$t" "$cache/last.txt"
espeak-ng -v en-gb -f "$speak" -w "$cache/speech.wav"
ffmpeg -nostdin -v error -y -i "$cache/speech.wav" "$out/$slug/$slug.opus" "$out/$slug/$slug.m4a"
EOF
chmod +x "$tmp/mock-turncast"

bench=("$src/scripts/bench" --no-setup --quick --transcript "$tmp/in/tiny-talk.txt")

rc=0; "${bench[@]}" --runs 2 --turncast "$tmp/mock-turncast" > "$tmp/good.md" 2> "$tmp/good.log" || rc=$?
[ $rc -eq 0 ] || { cat "$tmp/good.md" "$tmp/good.log" >&2; fail "bench with a good stand-in exited $rc"; }
grep -q '^| shell-script baseline | [0-9.]* | [0-9.]* | [0-9.]* | [0-9.–]* | 1.000× |' "$tmp/good.md" || fail "no baseline row"
grep -q '^| turncast one-word edit | [0-9.]* |' "$tmp/good.md" || fail "no one-word edit row"
grep -q '^| no change: outputs not rewritten | none rewritten | PASS |' "$tmp/good.md" || fail "no-rewrite target"
grep -q '^- opus decoded audio: MATCH' "$tmp/good.md" || fail "opus audio not MATCH"
grep -q '^- m4a decoded audio: MATCH' "$tmp/good.md" || fail "m4a audio not MATCH"
grep -q '^Correctness: MATCH$' "$tmp/good.md" || fail "no overall MATCH"
grep -Eq '^- CPU use by other work, over 2 s before and after the runs: [0-9]+% and [0-9]+% of the cores' "$tmp/good.md" ||
  fail "no measured CPU use by other work"
grep -Eq '^Cold render against the baseline of the same run: [0-9.]+/[0-9.]+ s = [0-9.]+×; [0-9.]+/[0-9.]+ s = [0-9.]+×$' \
  "$tmp/good.md" || fail "no per-run cold/baseline pairs"

rc=0; MOCK_BROKEN=1 "${bench[@]}" --turncast "$tmp/mock-turncast" > "$tmp/bad.md" 2> "$tmp/bad.log" || rc=$?
[ $rc -eq 1 ] || { cat "$tmp/bad.md" >&2; fail "bench with a broken stand-in exited $rc, expected 1"; }
grep -q '^- opus decoded audio: MISMATCH' "$tmp/bad.md" || fail "stale cache not caught"
grep -q '^Correctness: MISMATCH$' "$tmp/bad.md" || fail "no overall MISMATCH"
grep -q '^| no change: outputs not rewritten | rewritten: tiny-talk/tiny-talk.opus | FAIL |' "$tmp/bad.md" ||
  fail "rewritten output not caught"

# ---- 3. the real turncast, when it can render ------------------------------
if [ -x "$turncast" ] && "$turncast" render --help > /dev/null 2>&1; then
  # Without --quick: the ten-copies case too (ten copies of a tiny talk).
  rc=0; "$src/scripts/bench" --no-setup --transcript "$tmp/in/tiny-talk.txt" --turncast "$turncast" \
    > "$tmp/real.md" 2> "$tmp/real.log" || rc=$?
  cat "$tmp/real.md"
  [ $rc -eq 0 ] || { cat "$tmp/real.log" >&2; fail "bench with turncast exited $rc"; }
  grep -q '^Correctness: MATCH$' "$tmp/real.md" || fail "turncast's one-word edit re-render does not match a cold render"
  grep -q '| none rewritten | PASS |' "$tmp/real.md" || fail "turncast rewrote outputs when nothing changed"
  # The ten copies' audio against the talk's, from the renders' manifests:
  # the body ten times with the copy numbers each paragraph ends with, but the
  # title's announcement once (on this tiny talk, 9.0×: a copy lost or
  # doubled moves it by about 0.9).
  audio=$(sed -n 's/^| 10× sample time < 11× sample | [0-9.]*× (audio: \([0-9.]*\)×) | [A-Z]* |$/\1/p' "$tmp/real.md")
  [ -n "$audio" ] || fail "no audio ratio beside the ten copies' time"
  awk -v a="$audio" 'BEGIN { exit !(a >= 8.6 && a <= 9.4) }' ||
    fail "ten copies of the talk came out $audio× its audio, expected 9.0× (8.6-9.4×)"
  # The machine's speed per run: one busy core twice, two busy cores once.
  grep -Eq '^Machine speed per run .*: [0-9]+\.[0-9] and [0-9]+\.[0-9]; two: [0-9]+\.[0-9] each \([0-9]+%\)$' \
    "$tmp/real.md" || fail "no machine speed line"
else
  echo "note: $turncast cannot render yet; checked the harness with a stand-in only"
fi

# ---- 4. bench_stages (scripts/bench --stages) on the tiny transcript --------
# Every stage and every encoder setting gets a CPU figure of its own, the
# median of the rounds within their range, none negative (a figure taken as a
# difference of two timings could be). Two rounds keep the test short.
stages=$(dirname "$turncast")/bench_stages
if [ -x "$stages" ]; then
  "$stages" "$tmp/in/tiny-talk.txt" 2 > "$tmp/stages.md" 2> "$tmp/stages.log" ||
    { cat "$tmp/stages.log" >&2; fail "bench_stages exited non-zero"; }
  cat "$tmp/stages.md"
  for what in "synthesis" "levelling" "resampling" "Opus encode" "Opus decoded-peak check" "AAC encode" \
              "AAC decoded-peak check" "Opus 48 kbit/s, complexity 0 on every packet" \
              "Opus decoded-peak check, complexity 3 on every packet" "AAC fast coder, quality 0.8"; do
    grep -Eq "^\| $what[^|]* \| [0-9]+\.[0-9]{2} \| [0-9]+\.[0-9]{2}–[0-9]+\.[0-9]{2} \| ([0-9]+|inf)× \|" \
      "$tmp/stages.md" || fail "bench_stages: no CPU figure for '$what'"
  done
  grep -q "median and range of 2 rounds" "$tmp/stages.md" || fail "bench_stages: the rounds asked for are not said"
  grep -c "round [12] of 2 done" "$tmp/stages.log" | grep -qx 2 || fail "bench_stages: did not run two rounds"
  awk -F' \\| ' '$3 ~ /^[0-9.]+–[0-9.]+$/ { split($3, r, "–")
      if (r[1] + 0 > $2 + 0 || $2 + 0 > r[2] + 0) { print "bench_stages: median " $2 " outside its range " $3; bad = 1 } }
    END { exit bad }' "$tmp/stages.md" || fail "bench_stages: a median lies outside its range"
  if grep -Eq '^\| [^|]+ \| -[0-9]' "$tmp/stages.md"; then fail "bench_stages printed a negative CPU figure"; fi
  grep -Eq '^\| Opus 48 kbit/s, complexity 3 at onsets, 0 elsewhere \(chosen\) \| [0-9.]+ \| [0-9.]+–[0-9.]+ \| ([0-9]+|inf)× \| [0-9.]+ \| [0-9.-]+ \|$' \
    "$tmp/stages.md" || fail "bench_stages: no pre-echo figures for the chosen Opus setting"
fi
echo "bench smoke test: ok"
