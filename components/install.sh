# Install step of every ei-gg component (inlined into the recipes by tools/greengrass; runs as root at every
# nucleus start, so it must stay quick and idempotent). Adds the component's POSIX user (ggc_user on the
# classic nucleus, ggcore on Nucleus Lite) to the groups in ei_ggc_user_groups that exist on this device.
# The group list arrives in EI_GGC_USER_GROUPS (the recipe's Setenv), never spliced into this text.
set -eu
set -f  # the list is split on spaces below; no word may glob
for user in ggc_user ggcore; do
  id "$user" >/dev/null 2>&1 || continue
  current=" $(id -nG "$user") "
  for group in $EI_GGC_USER_GROUPS; do
    case "$group" in
      *[!A-Za-z0-9._-]* | -*) echo "ignoring invalid group name '$group'" >&2; continue ;;
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
