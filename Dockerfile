# One image for every Python process of the platform (see docker-compose.yml): the services'
# api, relay and worker, the web front, the one-shot init (topics and migrations) and localstripe.

# The web front's browser packages, from npm by its lockfile as infra/bootstrap.sh installs them.
FROM node:20-slim AS browser-packages
WORKDIR /web
COPY services/web/package.json services/web/package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Third-party packages first, at the versions pinned in constraints.txt, so that changing
# the code does not reinstall them.
COPY requirements.txt constraints.txt ./
RUN pip install -c constraints.txt -r requirements.txt

# Then the repository and our own packages, installed editable so that xudong.stack.ROOT,
# the services' migrations and infra/topics.toml all stay where the code expects them.
COPY . .
RUN pip install -c constraints.txt \
        -e libs/eventbus \
        -e infra \
        -e services/identity \
        -e services/venues \
        -e services/booking \
        -e services/notifications \
        -e services/web
COPY --from=browser-packages /web/node_modules /tmp/web-node-modules
RUN infra/web-vendor.sh /tmp/web-node-modules && rm -rf /tmp/web-node-modules

# The pages' message catalogues, compiled as infra/bootstrap.sh compiles them.
RUN for catalogues in services/*/src/*/translations; do pybabel -q compile -d "$catalogues"; done

RUN useradd --create-home --uid 10001 xudong
USER xudong
