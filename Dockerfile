# geoalert: the bot and its bundled rules, seeds and feed list.
# BASE_IMAGE lets the image be built from a locally made base (no registry needed).
ARG BASE_IMAGE=python:3.11-slim

FROM ${BASE_IMAGE} AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY storage ./storage
RUN python3 -m venv /opt/geoalert \
    && /opt/geoalert/bin/pip install --no-cache-dir --upgrade pip \
    && /opt/geoalert/bin/pip install --no-cache-dir .

FROM ${BASE_IMAGE}
ENV PATH=/opt/geoalert/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite:////data/geoalert.db \
    GEOALERT_FEEDS=/app/feeds.yaml \
    GEOALERT_RULES_DIR=/app/rules \
    GEOALERT_SEEDS_DIR=/app/seeds
COPY --from=build /opt/geoalert /opt/geoalert
WORKDIR /app
COPY feeds.yaml ./feeds.yaml
COPY rules ./rules
COPY seeds ./seeds
RUN mkdir -p /data && chown 10001:10001 /data
USER 10001:10001
VOLUME ["/data"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["geoalert"]
CMD ["run"]
