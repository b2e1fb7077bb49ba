#!/bin/bash
# One shard of an archive per Slurm array task: `sbatch --array=1-16 slurm-array.sh`.
# Every task renders the transcripts under $ARCHIVE whose path hashes to its
# index, into the one shared output folder, with a local cache on the node and
# the shared cache behind it. Re-submit the same array after adding or
# correcting transcripts: what is up to date is skipped.
#
# The token for the shared cache and the renderers' secret come from the
# submitting shell (sbatch passes the environment on):
#   export TURNCAST_CACHE_TOKEN=... TURNCAST_CACHE_SECRET=...
#SBATCH --job-name=turncast
#SBATCH --array=1-16
#SBATCH --cpus-per-task=4
#SBATCH --mem=1G
#SBATCH --time=04:00:00
#SBATCH --output=turncast-%A_%a.log
set -euo pipefail
archive=${ARCHIVE:-/shared/archive}
out=${OUT:-/shared/audio}
cache_url=${CACHE_URL:-https://turncast-cache.example.org/turncast}
turncast=${TURNCAST:-turncast}
shards=${SLURM_ARRAY_TASK_COUNT:?run it as a job array (sbatch --array=1-N)}

"$turncast" --quiet render "$archive" -o "$out" \
  --cache-dir "${TMPDIR:-/tmp}/turncast-cache-$(id -un)" \
  --shard "$SLURM_ARRAY_TASK_ID/$shards" \
  --cache-remote "$cache_url" \
  --keep-going --jobs "${SLURM_CPUS_PER_TASK:-0}"
