#!/bin/sh
# Re-records the corpus: scripts/traces/record.sh [NAME...] (all by default), as root.
# Each trace is recorded the way `pidns trace` and a user by hand record one:
#   unshare --pid --fork --mount-proc strace -f -qq -o traces/NAME.strace -- CMD
# The commands are in scripts/traces/corpus.tsv (NAME, a tab, the command line).
# Needs (Debian): strace util-linux bash dash busybox mksh zsh tini dumb-init
# catatonit make python3 coreutils procps psmisc findutils bsdutils (script).
set -eu
cd "$(dirname "$0")/../.."
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
grep -v '^#' scripts/traces/corpus.tsv | while IFS='	' read -r name cmd; do
  [ -n "$name" ] && wanted "$name" || continue
  eval "record $name $cmd"
done

# The variants (test/fixtures/trace_variants/): the same recipe with the options a hand
# recording may add, which the importer must read alike. Run with VARIANTS=1.
if [ "${VARIANTS:-}" = 1 ]; then
  v=test/fixtures/trace_variants
  unshare --pid --fork --mount-proc strace -f -qq -tt -e trace=process -o $v/python_pidfd.process_tt.strace -- /usr/bin/python3 -c 'import os; p=os.fork(); os._exit(5) if p==0 else None; fd=os.pidfd_open(p); print(os.waitid(os.P_PIDFD, fd, os.WEXITED)); os.close(fd)' >/dev/null
  unshare --pid --fork --mount-proc strace -f -ttt -o $v/dash_pipe.ttt_noq.strace -- dash -c 'echo a | cat; (exit 2) || true' >/dev/null
  rm -f $v/python_fork.ff.*
  unshare --pid --fork --mount-proc strace -ff -qq -ttt -o $v/python_fork.ff -- /usr/bin/python3 -c 'import os; p=os.fork(); os._exit(7) if p==0 else print(os.waitpid(p,0))' >/dev/null
  unshare --pid --fork --mount-proc strace -qq -o $v/single.strace -- /bin/true
  unshare --pid --fork --mount-proc strace -f -qq -T -o $v/busybox_sh.T.strace -- busybox sh -c 'echo a | cat; (exit 2); true' >/dev/null
fi
