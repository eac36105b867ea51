# geoalert: the bot with its bundled rules, seeds and feed list. See docs/deploy.md.
#
# Works with the classic builder and with podman/buildah (no BuildKit-only syntax).
# BASE_IMAGE lets the image be built from a locally made base without any registry; any
# Debian-like image with python3.11 (+ venv) and useradd will do. Both stages must use the same
# base: the venv built in the first stage points at the base's python.
ARG BASE_IMAGE=python:3.11-slim

# ---------------------------------------------------------------- build: a venv in /opt/geoalert
FROM ${BASE_IMAGE} AS build

# Optional pip settings for builds without PyPI (a mirror, or a wheelhouse served over HTTP):
#   --build-arg PIP_NO_INDEX=1 --build-arg PIP_FIND_LINKS=http://127.0.0.1:8765/
# Left unset they do not exist inside RUN, and pip uses PyPI.
ARG PIP_INDEX_URL
ARG PIP_FIND_LINKS
ARG PIP_NO_INDEX
ARG PIP_TRUSTED_HOST

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /src

# Dependencies first, from the hash-pinned lock: this layer is reused until the lock changes.
COPY requirements.lock ./
RUN python3 -m venv /opt/geoalert \
    && /opt/geoalert/bin/pip install --no-cache-dir --require-hashes -r requirements.lock

# Then the project itself; its dependencies (and setuptools/wheel to build it) are already in.
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY storage ./storage
RUN /opt/geoalert/bin/pip install --no-cache-dir --no-deps --no-build-isolation . \
    && /opt/geoalert/bin/pip check \
    && /opt/geoalert/bin/geoalert --version

# ---------------------------------------------------------------- runtime
FROM ${BASE_IMAGE}

LABEL org.opencontainers.image.title="geoalert" \
      org.opencontainers.image.description="Telegram bot: geopolitical news alerts (CSTO, sanctions, non-recognition)" \
      org.opencontainers.image.licenses="MIT"

# Settings have the same names as in .env.example; these defaults suit the image's layout:
# the SQLite database lives in the /data volume, rules and feeds can be mounted over /app/...
ENV PATH=/opt/geoalert/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DATABASE_URL=sqlite:////data/geoalert.db \
    GEOALERT_FEEDS=/app/feeds.yaml \
    GEOALERT_RULES_DIR=/app/rules \
    GEOALERT_SEEDS_DIR=/app/seeds

# A numeric, non-root user; /data is its only writable place.
RUN groupadd --system --gid 10001 geoalert \
    && useradd --system --no-log-init --uid 10001 --gid 10001 \
       --home-dir /data --no-create-home --shell /usr/sbin/nologin geoalert \
    && mkdir -p /data \
    && chown 10001:10001 /data \
    && chmod 0750 /data

COPY --from=build /opt/geoalert /opt/geoalert
WORKDIR /app
COPY feeds.yaml ./feeds.yaml
COPY rules ./rules
COPY seeds ./seeds

USER 10001:10001
VOLUME ["/data"]

# Healthy = the database answers and this `geoalert run` refreshed its lock heartbeat (every
# 30 s) within the last 90 s. Start-up (migrations, first poll) gets a grace period.
HEALTHCHECK --interval=60s --timeout=15s --start-period=60s --retries=3 \
    CMD ["geoalert", "health"]

# Python is PID 1 (exec form, no shell): SIGTERM reaches it and it stops cleanly.
STOPSIGNAL SIGTERM
ENTRYPOINT ["geoalert"]
CMD ["run"]
