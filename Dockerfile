# One image for all three services; compose picks the entrypoint per service.
# Node's image, because Bun arrives as an npm dependency exactly as on a
# developer's machine, and sharp/resvg ship prebuilt glibc binaries.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    PATH=/app/node_modules/.bin:$PATH \
    IMAGES_DIR=/data/images \
    LOG_DIR=/data/logs
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY . .
RUN mkdir -p /data/images /data/logs && chown -R node:node /data
USER node
EXPOSE 3000
CMD ["bun", "api/main.ts"]
