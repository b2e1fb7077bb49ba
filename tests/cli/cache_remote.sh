#!/usr/bin/env bash
# The shared render cache over HTTP (--cache-remote), against a real nginx
# with its WebDAV module on 127.0.0.1 (started here on a free port, as the
# current user, and stopped at the end): two shards with local caches of
# their own fill the remote (every local entry is there, byte for byte); a
# third machine with an empty local cache speaks and encodes nothing and
# writes byte-identical .opus and .m4a; a damaged entry and another key's
# entry put on the remote are refused, encoded again (nothing spoken) and
# replaced there, the outputs unchanged; a wrong token, a closed port and a
# server that never answers each cost one warning and a few seconds, and the
# render finishes locally.
set -uo pipefail
bin=$1
root=$2
py=/usr/bin/python3; [ -x "$py" ] || py=python3
. "$root/tests/support/nginx_dav.sh"
tmp=$(mktemp -d)
pids=()
cleanup() {
  nginx_dav_stop
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
fail=0

port=$(free_port)
mkdir -p "$tmp/nginx/dav"
nginx_dav_start "$tmp/nginx" "$port" "
  server {
    listen 127.0.0.1:$port;
    root $tmp/nginx/dav;
    client_max_body_size 0;
    location / {
      if (\$http_authorization != \"Bearer s3cret\") { return 401; }
      dav_methods PUT DELETE;
      create_full_put_path on;
      dav_access user:rw group:r all:r;
    }
  }" || { echo "skip: nginx with its WebDAV module cannot start here"; exit 77; }
remote=http://127.0.0.1:$port/turncast
dav=$tmp/nginx/dav/turncast
export TURNCAST_CACHE_TOKEN=s3cret

src=$root/tests/fixtures/render/springfield.txt
in=$tmp/in
small_archive "$in" "$src"
sed 's/War and Peace/Middlemarch/' "$src" >"$in/2022/book.txt"
talks="2021/lake 2021/springfield 2022/book 2022/roe"

totals() {  # totals FILE: "<segments spoken> <pieces encoded>" over a batch's summary lines
  awk '/ spoken, / { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^segments?$/) s += $i; if ($(i+1) ~ /^pieces?$/) p += $i } }
       END { print s + 0, p + 0 }' "$1"
}
same_audio() {  # same_audio DIR_A DIR_B LABEL: every talk's .opus and .m4a byte for byte
  for t in $talks; do
    name=${t##*/}
    for ext in opus m4a; do
      cmp -s "$1/$t/$name.$ext" "$2/$t/$name.$ext" || { echo "FAIL [$3]: $t/$name.$ext differs"; fail=1; }
    done
  done
}

# Two shards, each with its own local cache, at the same time.
for k in 1 2; do
  "$bin" render "$in" -o "$tmp/out$k" --cache-dir "$tmp/cache$k" --shard "$k/2" --cache-remote "$remote" \
    >"$tmp/o$k" 2>"$tmp/e$k" &
  shard[$k]=$!
done
for k in 1 2; do wait "${shard[$k]}" || { echo "FAIL: shard $k/2 exited $?"; cat "$tmp/e$k"; fail=1; }; done
if grep -q 'warning: cache remote' "$tmp/e1" "$tmp/e2"; then echo "FAIL: a shard warned:"; cat "$tmp/e1" "$tmp/e2"; fail=1; fi
mkdir -p "$tmp/shards"; cp -r "$tmp/out1/." "$tmp/out2/." "$tmp/shards/"
# Every entry of both local caches is on the remote, byte for byte.
entries=0
for c in "$tmp/cache1" "$tmp/cache2"; do
  for f in "$c"/speech/*.wav "$c"/speech/*.json "$c"/pieces/*.opus "$c"/pieces/*.aac; do
    [ -e "$f" ] || continue
    entries=$((entries + 1))
    rel=${f#"$c"/}
    cmp -s "$f" "$dav/$rel" || { echo "FAIL: $rel is not on the remote as it is in $(basename "$c")"; fail=1; }
  done
done
[ $entries -gt 20 ] || { echo "FAIL: only $entries entries in the shards' caches"; fail=1; }

# A third machine: empty local cache, everything from the remote.
start=$(date +%s.%N)
"$bin" render "$in" -o "$tmp/out3" --cache-dir "$tmp/cache3" --cache-remote "$remote" >"$tmp/o3" 2>"$tmp/e3" ||
  { echo "FAIL: the third render exited $?"; cat "$tmp/e3"; fail=1; }
[ "$(grep -c ' spoken, ' "$tmp/o3")" -eq 4 ] || { echo "FAIL: the third render did not render four:"; cat "$tmp/o3"; fail=1; }
[ "$(totals "$tmp/o3")" = "0 0" ] || { echo "FAIL: the third render spoke or encoded again:"; cat "$tmp/o3"; fail=1; }
same_audio "$tmp/shards" "$tmp/out3" "third machine"
[ -z "$(ls "$tmp/cache3/speech"/*.wav 2>/dev/null)" ] ||
  echo "note: the third render fetched speech it did not need"

# A damaged entry and another key's entry on the remote: refused, encoded
# again from the remote's speech (nothing spoken), and replaced there.
mapfile -t pieces < <(ls "$dav"/pieces/*.opus | sort)
damaged=${pieces[0]}; swapped=${pieces[1]}
"$py" - "$damaged" <<'PY'
import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[len(b) // 2] ^= 0xFF; open(p, "wb").write(bytes(b))
PY
cp "${pieces[2]}" "$swapped"
"$bin" render "$in" -o "$tmp/out4" --cache-dir "$tmp/cache4" --cache-remote "$remote" >"$tmp/o4" 2>"$tmp/e4" ||
  { echo "FAIL: the render over a damaged remote exited $?"; cat "$tmp/e4"; fail=1; }
read -r spoken encoded < <(totals "$tmp/o4")
[ "$spoken" -eq 0 ] && [ "$encoded" -ge 2 ] ||
  { echo "FAIL: over a damaged remote: $spoken spoken, $encoded encoded, want 0 and at least 2:"; cat "$tmp/o4"; fail=1; }
grep -q 'entries were damaged or not the entries for their keys' "$tmp/e4" ||
  { echo "FAIL: the damaged entries were not reported:"; cat "$tmp/e4"; fail=1; }
same_audio "$tmp/out3" "$tmp/out4" "damaged remote"
for f in "$damaged" "$swapped"; do
  cmp -s "$f" "$tmp/cache4/pieces/$(basename "$f")" || { echo "FAIL: $(basename "$f") was not replaced on the remote"; fail=1; }
done

# A forgery: another segment's audio under a key, with the header and the
# XXH3 checksum a forger computes for that key (libxxhash through ctypes).
forge() {  # forge FROM_ENTRY KEY OUT
  "$py" - "$@" <<'PY'
import ctypes, ctypes.util, sys
xx = ctypes.CDLL(ctypes.util.find_library("xxhash") or "libxxhash.so.0")
xx.XXH3_64bits.restype = ctypes.c_uint64
xx.XXH3_64bits.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
src, key, out = sys.argv[1], sys.argv[2].encode(), sys.argv[3]
b = open(src, "rb").read()
magic = b"turncast-piece 1\n"
payload = b[len(magic) + 32 + 1 + 16 + 1:]
data = key + payload
open(out, "wb").write(magic + key + b"\n" + b"%016x" % xx.XXH3_64bits(data, len(data)) + b"\n" + payload)
PY
}
# With TURNCAST_CACHE_SECRET every entry goes up sealed (32 bytes more), and
# a forgery that passes every checksum is refused for want of the seal; the
# same forgery on a remote without seals is taken (the seal is what stops it).
export TURNCAST_CACHE_SECRET=renderers-only
"$bin" render "$in" -o "$tmp/out7" --cache-dir "$tmp/cache7" --cache-remote "$remote-sealed" >"$tmp/o7" 2>"$tmp/e7" ||
  { echo "FAIL: the sealed render exited $?"; cat "$tmp/e7"; fail=1; }
mapfile -t sealed < <(cd "$tmp/cache7" && ls pieces/*.opus | sort)
for f in "${sealed[@]:0:3}"; do
  [ "$(stat -c %s "$dav-sealed/$f")" -eq $(($(stat -c %s "$tmp/cache7/$f") + 32)) ] &&
    cmp -s -n "$(stat -c %s "$tmp/cache7/$f")" "$tmp/cache7/$f" "$dav-sealed/$f" ||
    { echo "FAIL: $f is not the entry and a 32-byte seal on the remote"; fail=1; }
done
victim=${sealed[0]}; key=$(basename "$victim" .opus)
forge "$tmp/cache7/${sealed[1]}" "$key" "$dav-sealed/$victim"
"$bin" render "$in" -o "$tmp/out8" --cache-dir "$tmp/cache8" --cache-remote "$remote-sealed" >"$tmp/o8" 2>"$tmp/e8" ||
  { echo "FAIL: the render over a forged sealed entry exited $?"; cat "$tmp/e8"; fail=1; }
[ "$(totals "$tmp/o8")" = "0 1" ] || { echo "FAIL: the forged entry was not refused and encoded again:"; cat "$tmp/o8" "$tmp/e8"; fail=1; }
same_audio "$tmp/out3" "$tmp/out8" "forged, sealed"
unset TURNCAST_CACHE_SECRET
# The same forgery where nothing is sealed: every checksum passes.
cp -r "$dav" "$dav-open"
forge "$tmp/cache7/${sealed[1]}" "$key" "$dav-open/$victim"
"$bin" render "$in" -o "$tmp/out9" --cache-dir "$tmp/cache9" --cache-remote "$remote-open" >"$tmp/o9" 2>"$tmp/e9"
[ "$(totals "$tmp/o9")" = "0 0" ] || { echo "FAIL: the test's forgery is not one the checksums pass:"; cat "$tmp/o9"; fail=1; }

# bazel-remote's layout: every entry at ac/<SHA-256 of its name> (64 hex
# digits, as bazel-remote's action cache takes them), and a machine with an
# empty cache renders from them as from the other layout.
for k in 5 6; do
  "$bin" render "$in" -o "$tmp/out$k" --cache-dir "$tmp/cache$k" --cache-remote "$remote-bazel" \
    --cache-remote-layout bazel >"$tmp/o$k" 2>"$tmp/e$k" || { echo "FAIL: bazel layout render $k exited $?"; cat "$tmp/e$k"; fail=1; }
done
[ "$(totals "$tmp/o6")" = "0 0" ] || { echo "FAIL: the bazel layout's second render spoke or encoded:"; cat "$tmp/o6"; fail=1; }
same_audio "$tmp/out3" "$tmp/out6" "bazel layout"
(cd "$dav-bazel" && find . -type f | sort) >"$tmp/bazel.files"
[ "$(grep -cvE '^\./ac/[0-9a-f]{64}$' "$tmp/bazel.files")" -eq 0 ] && [ "$(wc -l <"$tmp/bazel.files")" -gt 20 ] ||
  { echo "FAIL: the bazel layout stored other names:"; head "$tmp/bazel.files"; fail=1; }
name=$(cd "$tmp/cache5" && ls pieces/*.opus | head -1)
sum=$(printf '%s' "$name" | sha256sum | cut -c1-64)
cmp -s "$tmp/cache5/$name" "$dav-bazel/ac/$sum" || { echo "FAIL: $name is not at ac/sha256(name)"; fail=1; }

# The remote as a help, never a need: a wrong token, a closed port, a server
# that never answers. Each: one warning, outputs as before, a few seconds.
"$py" - >"$tmp/silent.port" <<'PY' &
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1], flush=True)
held = []
while True:
    c, _ = s.accept(); held.append(c)  # reads nothing, answers nothing
PY
pids+=($!)
for _ in $(seq 50); do [ -s "$tmp/silent.port" ] && break; sleep 0.1; done
closed=$(free_port)
base=""
for case in token closed silent; do
  case $case in
    token) url=$remote; tok=wrong ;;
    closed) url=http://127.0.0.1:$closed/turncast; tok=s3cret ;;
    silent) url=http://127.0.0.1:$(cat "$tmp/silent.port")/turncast; tok=s3cret ;;
  esac
  t0=$(date +%s.%N)
  TURNCAST_CACHE_TOKEN=$tok "$bin" render "$in" -o "$tmp/$case" --cache-dir "$tmp/cache-$case" --cache-remote "$url" \
    >"$tmp/o-$case" 2>"$tmp/e-$case" || { echo "FAIL [$case]: exited $?"; cat "$tmp/e-$case"; fail=1; }
  took=$("$py" -c "import time; print(round(time.time() - $t0, 1))")
  [ "$(grep -c "warning: cache remote $url" "$tmp/e-$case")" -eq 1 ] ||
    { echo "FAIL [$case]: want one warning naming the remote:"; cat "$tmp/e-$case"; fail=1; }
  same_audio "$tmp/out3" "$tmp/$case" "$case"
  echo "$case: $(head -1 "$tmp/e-$case" | cut -c1-160) ($took s)"
  if [ "$case" = token ]; then base=$took; continue; fi
  # The time lost to the remote: at most its 2 s connect or 3 s stall limit and some slack.
  "$py" -c "import sys; sys.exit(0 if $took <= $base + 6 else 1)" ||
    { echo "FAIL [$case]: took $took s, against $base s with a remote that refuses at once"; fail=1; }
done

[ $fail -eq 0 ] && echo "cache remote: OK"
exit $fail
