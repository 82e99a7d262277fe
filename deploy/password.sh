#!/usr/bin/env bash
# Add a name and password to the class password file (or change its
# password), for `make serve PASSWORD_FILE=...`: nginx then asks every
# visitor for them.  Usage: deploy/password.sh [FILE] [NAME]
# The password is read from $PASSWORD, or asked for (not echoed).
set -euo pipefail
FILE=${1:-deploy/passwords}
NAME=${2:-class}
case "$NAME" in
  "" | *:* | *" "*) echo "password.sh: a name without ':' or spaces, please" >&2; exit 2 ;;
esac
if [ -z "${PASSWORD+set}" ]; then
  read -rsp "Password for $NAME: " PASSWORD; echo
  read -rsp "Once more: " again; echo
  [ "$PASSWORD" = "$again" ] || { echo "password.sh: the two differ; nothing changed" >&2; exit 2; }
fi
[ -n "$PASSWORD" ] || { echo "password.sh: an empty password would let anyone in" >&2; exit 2; }
hash=$(printf '%s' "$PASSWORD" | openssl passwd -6 -stdin)  # SHA-512 crypt, salted
touch "$FILE"
chmod 600 "$FILE"
{ grep -v "^$NAME:" "$FILE" || true; echo "$NAME:$hash"; } > "$FILE.new"
chmod 600 "$FILE.new"
mv "$FILE.new" "$FILE"
echo "$NAME can sign in. Serve with: make serve PASSWORD_FILE=$FILE"
