#!/usr/bin/env bash
# docs/scale-out's recipes, as far as one machine can run them: the
# Kubernetes manifest's cache server (its nginx server block, the bearer
# token filled in as the official image does) serves the shared cache; the
# Indexed Job's command runs for every completion index, the Slurm array
# script for every task and the GNU parallel script over ':' (this machine),
# each into one shared output folder; every transcript is rendered exactly
# once per recipe, the manifest's shard count matches its completions, and
# a last render from the cache the recipes filled speaks nothing.
set -uo pipefail
bin=$1
root=$2
py=/usr/bin/python3; [ -x "$py" ] || py=python3
"$py" -c 'import yaml' 2>/dev/null || { echo "skip: python3-yaml is not installed"; exit 77; }
. "$root/tests/support/nginx_dav.sh"
tmp=$(mktemp -d)
trap 'nginx_dav_stop; rm -rf "$tmp"' EXIT
fail=0
recipes=$root/docs/scale-out

# The manifest: an Indexed Job whose shard count is its completions, reaching
# the cache through the Service, with the token from the Secret.
"$py" - "$recipes/kubernetes.yaml" "$tmp" <<'PY' || exit 1
import os, re, sys, yaml
docs = {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(open(sys.argv[1])) if d}
out = sys.argv[2]
bad = []
job = docs[("Job", "turncast-archive")]["spec"]
if job.get("completionMode") != "Indexed": bad.append("the Job is not Indexed")
cmd = " ".join(job["template"]["spec"]["containers"][0]["args"])
m = re.search(r"--shard \$\(\(JOB_COMPLETION_INDEX \+ 1\)\)/(\d+)", cmd)
if not m or int(m.group(1)) != job["completions"]: bad.append("--shard's N is not the Job's completions")
svc = docs[("Service", "turncast-cache")]
if "http://%s/turncast" % svc["metadata"]["name"] not in cmd: bad.append("the Job does not use the Service's URL")
env = job["template"]["spec"]["containers"][0]["env"]
if not any(e["name"] == "TURNCAST_CACHE_TOKEN" and "secretKeyRef" in e["valueFrom"] for e in env):
    bad.append("no token from the Secret")
open(os.path.join(out, "job.sh"), "w").write(cmd)
open(os.path.join(out, "completions"), "w").write(str(job["completions"]))
open(os.path.join(out, "server.conf"), "w").write(docs[("ConfigMap", "turncast-cache-nginx")]["data"]["default.conf"])
for b in bad: print("FAIL: kubernetes.yaml: " + b)
sys.exit(1 if bad else 0)
PY

# The manifest's nginx server block, on 127.0.0.1 with the cache in $tmp.
port=$(free_port)
mkdir -p "$tmp/cache-root"
server=$(sed -e "s|listen 8080;|listen 127.0.0.1:$port;|" -e "s|root /cache;|root $tmp/cache-root;|" \
  -e 's|\${TOKEN}|k8s-token|' "$tmp/server.conf")
nginx_dav_start "$tmp/nginx" "$port" "$server" || { echo "skip: nginx with its WebDAV module cannot start here"; exit 77; }
export TURNCAST_CACHE_TOKEN=k8s-token
url=http://127.0.0.1:$port/turncast

archive=$tmp/archive
small_archive "$archive" "$root/tests/fixtures/render/springfield.txt"
all="2021/lake 2021/springfield 2022/roe"

check_once() {  # check_once LABEL DIR: each transcript rendered, exactly once over the logs in DIR/*.log
  local got
  got=$(cat "$2"/*.log | grep -Eo '[^ ]+: [0-9:]+, [0-9]+ chapters?' | sed -E "s|^$3/||; s|: .*||" | sort | xargs)
  [ "$got" = "$all" ] || { echo "FAIL [$1]: rendered '$got', want '$all' once each"; fail=1; }
}

# The Indexed Job: one pod per completion index.
mkdir -p "$tmp/k8s-logs"
n=$(cat "$tmp/completions")
job=$(sed -e "s|^exec turncast|exec $bin|" -e "s| /archive | $archive |" -e "s| -o /audio| -o $tmp/k8s|" \
  -e "s|/tmp/turncast-cache|$tmp/k8s-cache-\$JOB_COMPLETION_INDEX|" -e "s|http://turncast-cache/turncast|$url|" \
  -e "s|--quiet ||" "$tmp/job.sh")
for ((i = 0; i < n; i++)); do
  JOB_COMPLETION_INDEX=$i /bin/sh -c "$job" >"$tmp/k8s-logs/$i.log" 2>&1 ||
    { echo "FAIL [kubernetes]: index $i exited $?"; cat "$tmp/k8s-logs/$i.log"; fail=1; }
done
check_once kubernetes "$tmp/k8s-logs" "$tmp/k8s"

# The Slurm array: three tasks.
mkdir -p "$tmp/slurm-logs"
for i in 1 2 3; do
  SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_COUNT=3 SLURM_CPUS_PER_TASK=2 ARCHIVE=$archive OUT=$tmp/slurm \
    CACHE_URL=$url TURNCAST=$bin TMPDIR=$tmp/slurm-tmp$i bash "$recipes/slurm-array.sh" >/dev/null 2>"$tmp/slurm-logs/$i.err" ||
    { echo "FAIL [slurm]: task $i exited $?"; cat "$tmp/slurm-logs/$i.err"; fail=1; }
done
[ "$(find "$tmp/slurm" -name manifest.json -not -path '*/.cache/*' | wc -l)" -eq 3 ] ||
  { echo "FAIL [slurm]: not three renders in the shared output"; fail=1; }

# GNU parallel over this machine (':'), when installed.
if command -v parallel >/dev/null; then
  echo : >"$tmp/nodes.txt"
  mkdir -p "$tmp/parallel-logs"
  ARCHIVE=$archive OUT=$tmp/parallel CACHE_URL=$url TURNCAST=$bin SHARDS=2 NODES=$tmp/nodes.txt \
    JOBLOG=$tmp/parallel-logs/joblog bash "$recipes/parallel-ssh.sh" >"$tmp/parallel-logs/out" 2>&1 ||
    { echo "FAIL [parallel]: exited $?"; cat "$tmp/parallel-logs/out"; fail=1; }
  [ "$(find "$tmp/parallel" -name manifest.json -not -path '*/.cache/*' | wc -l)" -eq 3 ] ||
    { echo "FAIL [parallel]: not three renders"; cat "$tmp/parallel-logs/out"; fail=1; }
else
  echo "note: GNU parallel is not installed; its recipe was not run"
fi

# The cache the recipes filled: a machine with an empty cache speaks nothing.
"$bin" render "$archive" -o "$tmp/last" --cache-dir "$tmp/last-cache" --cache-remote "$url" >"$tmp/last.out" 2>&1 ||
  { echo "FAIL: the last render exited $?"; cat "$tmp/last.out"; fail=1; }
if grep -Eq '[1-9][0-9]* segments? spoken' "$tmp/last.out"; then
  echo "FAIL: the last render spoke again:"; cat "$tmp/last.out"; fail=1
fi
"$bin" feed "$tmp/slurm" --base-url https://example.org/audio >/dev/null ||
  { echo "FAIL: feed over the Slurm output exited $?"; fail=1; }
[ "$(grep -c '<item>' "$tmp/slurm/feed.xml")" -eq 3 ] || { echo "FAIL: the feed has not three items"; fail=1; }

[ $fail -eq 0 ] && echo "scale-out recipes: OK"
exit $fail
