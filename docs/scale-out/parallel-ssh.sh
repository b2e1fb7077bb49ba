#!/bin/bash
# An archive over the machines in nodes.txt (one ssh login a line, GNU
# parallel's --sshloginfile format; ':' is this machine), one shard per
# machine at a time. Each machine needs turncast, the archive and the output
# folder at the same paths (an NFS mount, say) and reaches the shared cache.
#
#   export TURNCAST_CACHE_TOKEN=... TURNCAST_CACHE_SECRET=...
#   SHARDS=8 docs/scale-out/parallel-ssh.sh
set -euo pipefail
archive=${ARCHIVE:-/shared/archive}
out=${OUT:-/shared/audio}
cache_url=${CACHE_URL:-https://turncast-cache.example.org/turncast}
turncast=${TURNCAST:-turncast}
shards=${SHARDS:-8}
nodes=${NODES:-nodes.txt}

# --env passes the token and the secret to the remote shells; a shard that fails is listed
# in the joblog and can be run again with --resume-failed.
seq 1 "$shards" | parallel --will-cite --sshloginfile "$nodes" --jobs 1 --env TURNCAST_CACHE_TOKEN --env TURNCAST_CACHE_SECRET \
  --joblog "${JOBLOG:-turncast-parallel.log}" --tagstring 'shard {}' \
  "$(printf '%q ' "$turncast") --quiet render $(printf '%q ' "$archive") -o $(printf '%q ' "$out") \
     --cache-dir /tmp/turncast-cache-\$(id -un) --shard {}/$shards \
     --cache-remote $(printf '%q' "$cache_url") --keep-going"
