# Lifecycle steps of every ei-gg component. Packaging ships this file at the root of each artifact zip, beside
# node/ and app/, and every recipe step is `exec sh <unpacked zip>/lifecycle.sh <step>`: the recipes stay small
# (Nucleus Lite refuses a recipe over 8196 bytes) and the steps are the same on both nuclei.
#
#   install  (root) The deployment gate, then group membership; quick and idempotent. The classic nucleus runs it
#            at every start, for a new version, and for every deployment that changes Parameters (the recipe
#            passes them in EI_GG_CONFIGURATION, so the interpolated step changes and the nucleus reinstalls);
#            Nucleus Lite runs it for a new version or configuration.
#            1. The deployed Parameters arrive as JSON in EI_GG_CONFIGURATION ({configuration:/Parameters}); the
#               component checks them with --check-config. An invalid configuration exits non-zero naming every
#               problem: the install step fails, the component goes BROKEN after three tries and the deployment
#               fails (and rolls back under ROLLBACK) instead of succeeding with a component that cannot start.
#            2. Adds the component's POSIX user (ggc_user on the classic nucleus; on Nucleus Lite its runWithDefault
#               posixUser: ggcore with the Debian package, gg_component in Lite's sample configuration), where it
#               exists, to each group of the validated ei_ggc_user_groups that exists here and it is not yet in.
#   run      The component; exec, so the nucleus's SIGTERM reaches Node. Arguments after `run` go to the component
#            (the recipes pass none; the bench starts the packaged component this way, with its own flags).
#   recover  The component with --recover (the classic nucleus runs it on ERRORED; Nucleus Lite has no recover).
set -eu
set -f # group names are split on spaces below; no word may glob
root=$(cd "$(dirname "$0")" && pwd)
node="$root/node/bin/node"
main="$root/app/main.js"
# Node flags and allocator settings of the component (run, recover), for a small long-running service next to the
# nucleus on a 512 MB-1 GB gateway (npm run bench, which starts the packaged component through this script, same
# run; resident memory after 60 s, serial runner / linux runner with the demo model):
# - --max-semi-space-size=1: the young generation's semi-spaces stay at 1 MB instead of growing to 16; serial
#   runner RSS 116.7 -> 109.3 MB after 45 s.
# - no --enable-source-maps: parsing and keeping the 2.3 MB main.js.map cost 30 MB RSS (135.7 -> 105.4 MB). Stack
#   traces keep their function and class names (the bundle keeps names); main.js.map ships beside main.js to map
#   their main.js:1:<column> positions offline.
# - --optimize-for-size: V8 grows the old generation by smaller steps; the linux runner's per-frame garbage had
#   it hold 42 MB of old space for 15 MB of live objects (RSS 129 -> 105 MB; serial runner 85 -> 79 MB).
# - --no-opt --no-maglev: no optimising compilers; their code in the Node binary is never paged in, nor their
#   compilation memory (binary's resident pages 46 -> 40 MB). The components' JavaScript is I/O glue: the linux
#   runner's frames/s with the demo model at 20 ms per inference 38.7 -> 38.8, at 2 ms 152 -> 149 (within the
#   spread of the runs).
# - --v8-pool-size=1: one V8 worker thread (background compilation and GC) instead of 4, each with its stack and
#   malloc arena (serial runner 75.6 -> 70.7 MB).
# - MALLOC_TRIM_THRESHOLD_: a fixed value turns off glibc's dynamic thresholds, which a large freed block (start-up
#   compilation) raised so high that the main arena kept 23 MB of free memory (serial runner RSS 102 -> 82 MB).
# - MALLOC_ARENA_MAX=2: threads (libuv, aws-crt, libvips) share two arenas instead of one each (up to 8 per core);
#   linux runner 115.9 -> 111.5 MB after 30 s.
# - UV_THREADPOOL_SIZE=2: libuv's pool (files, DNS lookups, sharp's work) has 2 threads instead of 4; the
#   components do one file or image operation at a time (serial runner 75.6 -> 72.1 MB).
# Each variable can be set in the environment instead; the processes the component starts inherit them.
# Altogether (with the linux runner's libvips cache off): serial runner 101.4 -> 75.7 MB, linux runner 139.5 -> 97.9.
node_flags="--max-semi-space-size=1 --optimize-for-size --no-opt --no-maglev --v8-pool-size=1"
export MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-131072}" MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
export UV_THREADPOOL_SIZE="${UV_THREADPOOL_SIZE:-2}"

case "${1:-}" in
  run)
    shift
    exec "$node" $node_flags "$main" "$@"
    ;;
  recover) exec "$node" $node_flags "$main" --recover ;;
  install) ;;
  *)
    echo "usage: lifecycle.sh install|run|recover" >&2
    exit 2
    ;;
esac

if [ -z "${EI_GG_CONFIGURATION:-}" ]; then
  echo "EI_GG_CONFIGURATION is empty: the recipe's install step passes {configuration:/Parameters} in it" >&2
  exit 1
fi
# Configuration is data on stdin, never script text. Exit status: the component's (1 for an invalid configuration).
if ! summary=$(printf '%s' "$EI_GG_CONFIGURATION" |
  "$node" "$main" --check-config --transport stdout --config /dev/stdin); then
  echo "the deployment's configuration is invalid (above): install fails so that the deployment fails" >&2
  exit 1
fi
# Warnings on stderr, the verdict on stdout (both in the component's log).
"$node" -e '
  const summary = JSON.parse(process.argv[1]);
  for (const warning of summary.warnings) console.error(`warning: ${warning}`);
  console.log(`${summary.component}: configuration valid (device ${summary.deviceName})`);
' "$summary"
groups=$("$node" -p 'JSON.parse(process.argv[1]).parameters.ei_ggc_user_groups.join(" ")' "$summary")

for user in ggc_user ggcore gg_component; do
  id "$user" >/dev/null 2>&1 || continue
  current=" $(id -nG "$user") "
  for group in $groups; do
    case "$group" in
      *[!A-Za-z0-9._-]* | -*)
        echo "ignoring invalid group name '$group'" >&2
        continue
        ;;
    esac
    case "$current" in *" $group "*) continue ;; esac
    if ! getent group "$group" >/dev/null; then
      echo "group $group does not exist here; $user not added"
      continue
    fi
    if command -v usermod >/dev/null; then usermod -a -G "$group" "$user"; else adduser "$user" "$group"; fi
    echo "added $user to $group"
  done
done
