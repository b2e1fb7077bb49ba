#!/usr/bin/env bash
# Prints the warnings ffprobe's stderr (read from stdin) holds that are real:
# FFmpeg 5.1 has no decoder for the QuickTime chapter text track Apple players
# read, and says so for every MP4 that carries one (those the ffmpeg CLI writes
# too); its MP4 reader also says "timescale not set" of the cover art (a covr
# box, no track) in every MP4 with one. Everything else is printed.
#
#   ffprobe -v warning ... 2>err; bash tests/tools/ffprobe_warnings.sh <err >real; [ -s real ] && fail
grep -v -e "^Unsupported codec with id 98314 for input stream 1$" \
  -e "^\[mov,mp4,m4a,3gp,3g2,mj2 @ 0x[0-9a-f]*\] stream 0, timescale not set$" || true
