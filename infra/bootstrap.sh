#!/usr/bin/env bash
# Installs everything the platform needs on this machine, idempotently:
# Debian packages (PostgreSQL, Java, Maven, Node, Chromium), the Python virtualenv, the Apache
# Kafka jars and MailDev.
# Each step is skipped when what it installs is already there and unchanged.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
home=${XUDONG_HOME:-$HOME/.cache/xudong}
kafka_version=$(sed -n 's:.*<artifactId>kafka_2.13</artifactId><version>\(.*\)</version>.*:\1:p' "$root/infra/kafka/pom.xml")
maildev_version=2.2.1
mkdir -p "$home"

say() { echo "bootstrap: $*" >&2; }

apt_packages=()
[ -x /usr/lib/postgresql/15/bin/postgres ] || apt_packages+=(postgresql-15)
command -v java >/dev/null || apt_packages+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || apt_packages+=(maven)
command -v npm >/dev/null || apt_packages+=(nodejs npm)
command -v chromium >/dev/null || apt_packages+=(chromium chromium-driver)  # e-tickets in a real browser
if [ ${#apt_packages[@]} -gt 0 ]; then
  say "installing Debian packages: ${apt_packages[*]}"
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${apt_packages[@]}"
  # The platform runs its own PostgreSQL server; the cluster Debian starts on install would hold 5432.
  if [[ " ${apt_packages[*]} " == *" postgresql-15 "* ]]; then
    $sudo pg_ctlcluster 15 main stop 2>/dev/null || true
  fi
fi

# Python virtualenv, rebuilt when the pinned versions or a package definition change.
venv_hash=$(cat "$root/requirements.txt" "$root/constraints.txt" "$root"/libs/*/pyproject.toml \
  "$root"/services/*/pyproject.toml "$root/infra/pyproject.toml" | sha256sum | cut -c1-16)
if [ "$(cat "$root/.venv/.stamp" 2>/dev/null)" != "$venv_hash" ]; then
  say "building .venv"
  python3 -m venv "$root/.venv"
  "$root/.venv/bin/pip" install -q --upgrade pip
  editable=()
  for p in "$root"/libs/* "$root/infra" "$root"/services/*; do
    [ -f "$p/pyproject.toml" ] && editable+=(-e "$p")
  done
  "$root/.venv/bin/pip" install -q -c "$root/constraints.txt" -r "$root/requirements.txt" "${editable[@]}"
  echo "$venv_hash" > "$root/.venv/.stamp"
fi

# The pages' message catalogues (gettext .po files, committed) compiled to the .mo files
# Flask-Babel reads: again each time, as cheap as checking whether a catalogue changed.
for catalogues in "$root"/services/*/src/*/translations; do
  if [ -d "$catalogues" ]; then "$root/.venv/bin/pybabel" -q compile -d "$catalogues"; fi
done

# Apache Kafka broker: its published jars from the Maven registry.
kafka_libs="$home/kafka-$kafka_version/libs"
if [ ! -f "$kafka_libs/.complete" ]; then
  say "fetching Apache Kafka $kafka_version jars with mvn"
  mvn -q -B -f "$root/infra/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$kafka_libs"
  touch "$kafka_libs/.complete"
fi

# MailDev, the SMTP sink with a REST API.
if [ ! -x "$home/maildev-$maildev_version/node_modules/.bin/maildev" ]; then
  say "installing MailDev $maildev_version with npm"
  npm install -s --no-audit --no-fund --prefix "$home/maildev-$maildev_version" "maildev@$maildev_version" >/dev/null
fi

# The web front's browser packages (htmx, html5-qrcode, FullCalendar's MIT packages; axe-core for
# the accessibility tests), from npm by its lockfile, again only when the lockfile changed; the
# files the pages serve are copied beside its other static files (never a CDN).
web="$root/services/web"
web_hash=$(sha256sum "$web/package-lock.json" | cut -c1-16)
if [ "$(cat "$web/node_modules/.stamp" 2>/dev/null)" != "$web_hash" ]; then
  say "installing the web front's packages with npm ci"
  npm ci -s --no-audit --no-fund --prefix "$web" >/dev/null
  echo "$web_hash" > "$web/node_modules/.stamp"
fi
"$root/infra/web-vendor.sh" "$web/node_modules"
