# One image for every deployable; the command chooses which (see docker-compose.yml):
#   node monolith/dist/server.js | services/auth/dist/server.js | services/payments/dist/server.js
#   node edge/dist/server.js     | cli/bin/strangler.js sync <capability> ... (and every other strangler command)
# Node 24 LTS, as .nvmrc. No compiler: the native modules load prebuilt binaries shipped inside their npm
# packages (better-sqlite3 13's N-API prebuilds, @node-rs/argon2's platform package).
FROM node:24.21-bookworm-slim AS build
WORKDIR /app
# Manifests first, so the dependency layer is rebuilt only when they change. npm ci needs every
# workspace of the root package.json, contracts included (its sources are not needed).
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
COPY cutover-model/package.json cutover-model/
COPY kit/package.json kit/
COPY migrations/package.json migrations/
COPY data-engine/package.json data-engine/
COPY api/payments/package.json api/payments/
COPY api/auth/package.json api/auth/
COPY monolith/package.json monolith/
COPY services/auth/package.json services/auth/
COPY services/payments/package.json services/payments/
COPY edge/package.json edge/
COPY contracts/package.json contracts/
COPY cli/package.json cli/
RUN npm ci --no-audit --no-fund --ignore-scripts
# Every workspace a deployable needs (their project references), then only those projects are built;
# the capability manifests too (MANIFESTS_DIR's default; compose mounts ./manifests over them).
COPY cutover-model cutover-model
COPY manifests manifests
COPY kit kit
COPY migrations migrations
COPY data-engine data-engine
COPY api/payments api/payments
COPY api/auth api/auth
COPY monolith monolith
COPY services/auth services/auth
COPY services/payments services/payments
COPY edge edge
COPY cli cli
RUN npx tsc -b monolith services/auth services/payments edge cli && npm prune --omit=dev --ignore-scripts

FROM node:24.21-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
# Writable by the runtime user: SQLite defaults and the edge's Unleash backup (.data/unleash-backup).
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 3000 3001 3002 8080 9470 9471
CMD ["node", "monolith/dist/server.js"]
