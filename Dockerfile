# The monitor daemon. Data (WARC captures, digests) lives in the /data volume; the store is
# SQLite in /data unless MONITOR_DB points at PostgreSQL (see docker-compose.yml).
# sources.yaml and positions.yaml are copied in as defaults only: mount your own and point
# MONITOR_SOURCES / MONITOR_POSITIONS at them (docker-compose.yml mounts ./ into /config).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MONITOR_STORAGE=/data \
    MONITOR_SOURCES=/app/sources.yaml \
    MONITOR_POSITIONS=/app/positions.yaml

WORKDIR /app
COPY pyproject.toml README.md ./
COPY monitor ./monitor
RUN pip install --no-cache-dir '.[metrics]'
COPY sources.yaml positions.yaml ./

RUN useradd --create-home --uid 1000 monitor && mkdir -p /data/digests && chown -R monitor /data
USER monitor
VOLUME ["/data"]

ENTRYPOINT ["monitor"]
CMD ["run"]
