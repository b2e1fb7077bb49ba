#!/usr/bin/env bash
# Bad input: a clear message naming the file and the problem, the documented
# exit code, and nothing written under the output folder.
set -uo pipefail
bin=$1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
expect() {  # expect CODE NEEDLE FILE
  local code=$1 needle=$2 file=$3
  "$bin" render "$file" -o "$tmp/out" --quiet >"$tmp/stdout" 2>"$tmp/stderr"
  local rc=$?
  if [ "$rc" -ne "$code" ]; then echo "FAIL $file: exit $rc, want $code"; cat "$tmp/stderr"; fail=1; fi
  grep -qF -- "$file" "$tmp/stderr" || { echo "FAIL $file: message does not name the file"; cat "$tmp/stderr"; fail=1; }
  grep -qiF -- "$needle" "$tmp/stderr" || { echo "FAIL $file: message lacks '$needle'"; cat "$tmp/stderr"; fail=1; }
  [ ! -e "$tmp/out" ] || { echo "FAIL $file: something was written"; find "$tmp/out"; fail=1; rm -rf "$tmp/out"; }
}
expect 5 "no such file" "$tmp/missing.txt"
mkdir "$tmp/adir"; expect 5 "directory" "$tmp/adir"
: >"$tmp/empty.txt"; expect 3 "empty" "$tmp/empty.txt"
printf '  \n\t\n' >"$tmp/blank.txt"; expect 3 "whitespace" "$tmp/blank.txt"
printf 'Question: caf\xe9?\n' >"$tmp/latin1.txt"; expect 3 "byte 13" "$tmp/latin1.txt"
printf 'Additional materials\n\nAdvanced settings\n' >"$tmp/notext.txt"; expect 3 "text" "$tmp/notext.txt"
"$bin" render --formats aiff "$tmp/x.txt" >/dev/null 2>&1; [ $? -eq 2 ] || { echo "FAIL: unknown format is not a usage error"; fail=1; }
"$bin" frobnicate >/dev/null 2>&1; [ $? -eq 2 ] || { echo "FAIL: unknown command is not a usage error"; fail=1; }
exit $fail
