# Multi-stage image (issue 15): the build stage compiles with dev dependencies; the final stage has
# production dependencies only and runs as the non-root `node` user of the official image.
FROM node:20-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
      libcairo2-dev libpango1.0-dev libjpeg-dev libgif-dev librsvg2-dev libpixman-1-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx tsc -p tsconfig.json && npm run build:app && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
# Run-time libraries of canvas (chart cards) and a font for the charts' text; curl for healthchecks.
RUN apt-get update && apt-get install -y --no-install-recommends \
      libcairo2 libpango-1.0-0 libpangocairo-1.0-0 libjpeg62-turbo libgif7 librsvg2-2 libpixman-1-0 fonts-dejavu-core curl \
    && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
# glibc makes a malloc arena per thread that allocates (libvips and cairo render threads), and
# their fragmentation more than doubled the bot's resident memory under load; two arenas suffice.
ENV MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD curl -fsS "http://127.0.0.1:${HTTP_PORT:-8080}/health" || exit 1
CMD ["node", "dist/bin/start.js", "all"]
