#!/usr/bin/env bash
# The files the web front's pages serve from its npm packages, copied beside its other static files
# (never a CDN): `infra/web-vendor.sh NODE_MODULES`. infra/bootstrap.sh and the Dockerfile run it.
set -euo pipefail
modules="$1"
vendor="$(cd "$(dirname "$0")/.." && pwd)/services/web/src/web/static/vendor"
mkdir -p "$vendor"
cp "$modules/htmx.org/dist/htmx.min.js" "$modules/html5-qrcode/html5-qrcode.min.js" "$vendor/"
for part in core daygrid timegrid list interaction; do
  cp "$modules/@fullcalendar/$part/index.global.min.js" "$vendor/fullcalendar-$part.min.js"
done
cp "$modules/@fullcalendar/core/locales/vi.global.min.js" "$vendor/fullcalendar-vi.min.js"
cp "$modules/chart.js/dist/chart.umd.min.js" "$vendor/chart.min.js"
