# syntax=docker/dockerfile:1
#
# dorc-monitor image: `docker build -t dorc-monitor .`, then `docker run dorc-monitor` starts a
# monitor (SQLite in /app/data, scripts in /app/scripts, HTTP on 8080). Other commands:
# `docker run dorc-monitor migrate`, `... submit --project P --environment E --components a,b`.

# Node 20's last release on Debian 12, pinned so that every build starts from the same image.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /build
# better-sqlite3 compiles itself when no prebuilt binary fits the platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
# bash runs component scripts. tini is PID 1: it forwards SIGTERM to the monitor and reaps the
# orphans that a killed script's process group leaves behind, which node would not.
RUN apt-get update \
 && apt-get install -y --no-install-recommends bash ca-certificates tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 dorc \
 && useradd --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin dorc
WORKDIR /app
ENV NODE_ENV=production
# Code stays owned by root, so the monitor (uid 10001) can write only its data and scripts.
COPY --from=build /build/package.json ./package.json
COPY --from=build /build/node_modules ./node_modules
COPY --from=build /build/dist ./dist
COPY bin ./bin
RUN mkdir -p /app/data /app/scripts \
 && chown 10001:10001 /app/data /app/scripts
USER 10001:10001
VOLUME ["/app/data", "/app/scripts"]
EXPOSE 8080
# Liveness only: /health/live never depends on the database or the broker.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const port = process.env.AppSettings__Http__Port || 8080; require('http').get('http://127.0.0.1:' + port + '/health/live', (res) => process.exit(res.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1)).setTimeout(2000, () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "dist/main.js"]
CMD ["start"]
