# One image for all three services; compose picks the command per service.
#
# Stage 1 installs the dependencies with npm, because package-lock.json is the
# lockfile of record (the same `npm ci` a developer and CI run). Both stages
# are Debian with glibc, so sharp's and resvg's prebuilt binaries carry over.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci's postinstall mends a postgres.js bug (see the script).
COPY scripts/patch-postgres.mjs scripts/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# Stage 2 runs on the official Bun image, the Bun version the lockfile pins.
FROM oven/bun:1.4.5-debian
WORKDIR /app
ENV NODE_ENV=production \
    IMAGES_DIR=/data/images \
    LOG_DIR=/data/logs
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN mkdir -p /data/images /data/logs && chown -R bun:bun /data
USER bun
EXPOSE 3000
CMD ["bun", "api/main.ts"]
