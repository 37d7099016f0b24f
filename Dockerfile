# One image for every deployable; choose which with the command, e.g. `node monolith/dist/server.js`.
FROM node:20.20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
COPY kit/package.json kit/
COPY migrations/package.json migrations/
COPY capabilities/payments/package.json capabilities/payments/
COPY monolith/package.json monolith/
RUN npm ci --no-audit --no-fund
COPY kit kit
COPY migrations migrations
COPY capabilities capabilities
COPY monolith monolith
RUN npx tsc -b && npm prune --omit=dev

FROM node:20.20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
USER node
EXPOSE 3000
CMD ["node", "monolith/dist/server.js"]
