#!/bin/sh
# Re-records the corpus: traces/record.sh [NAME...] (all by default), as root.
# Each trace is recorded the way `pidns trace` and a user by hand record one:
#   unshare --pid --fork --mount-proc strace -f -qq -o traces/NAME.strace -- CMD
# The commands are in traces/corpus.tsv (NAME, a tab, the command line).
# Needs (Debian): strace util-linux bash dash busybox mksh zsh tini dumb-init
# catatonit make python3 coreutils procps psmisc findutils.
set -eu
cd "$(dirname "$0")/.."
wanted() {
  [ -z "$WANT" ] && return 0
  for n in $WANT; do [ "$n" = "$1" ] && return 0; done
  return 1
}
record() {
  name=$1; shift
  echo "recording $name" >&2
  unshare --pid --fork --mount-proc strace -f -qq -o "traces/$name.strace" -- "$@" </dev/null >/dev/null 2>&1 || true
}
WANT="$*"
grep -v '^#' traces/corpus.tsv | while IFS='	' read -r name cmd; do
  [ -n "$name" ] && wanted "$name" || continue
  eval "record $name $cmd"
done
