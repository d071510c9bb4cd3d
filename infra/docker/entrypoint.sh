#!/bin/sh
# Entrypoint of the api image. On ECS every task has its own address, and other
# nodes forward writes to it there: advertise it (STRATA_ADVERTISE_URL) unless
# one is given. Then exec the command, so SIGTERM reaches the node and it drains.
set -eu

if [ -z "${STRATA_ADVERTISE_URL:-}" ] && [ -n "${ECS_CONTAINER_METADATA_URI_V4:-}" ]; then
  ip=$(node -e '
    fetch(process.env.ECS_CONTAINER_METADATA_URI_V4)
      .then((r) => r.json())
      .then((m) => process.stdout.write(m.Networks[0].IPv4Addresses[0]))
      .catch((e) => { console.error(`no task address in the ECS metadata: ${e.message}`); process.exit(1); });
  ')
  export STRATA_ADVERTISE_URL="http://${ip}:${STRATA_PORT:-8080}"
fi

exec "$@"
