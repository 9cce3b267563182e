# syntax=docker/dockerfile:1
# metrics-adapter image: `docker build -t metrics-adapter:0.1.0 .`
# Node 22 is the current LTS; the code runs on Node >= 20.19 (package.json engines).
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/bundle.mjs ./scripts/
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
# Measured with `npm run bench:footprint` (docs/benchmarks.md, "Footprint"): a young generation of
# at most 3 x 4 MiB instead of 3 x 16 MiB, and one V8 helper thread instead of four, keep an idle
# adapter about 20 MiB smaller; the old generation's limit follows the container's memory limit.
ENV NODE_OPTIONS="--max-semi-space-size=4 --v8-pool-size=1"
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY rules ./rules
# The `node` user of the official images; manifests/deployment.yaml runs as the same uid/gid.
USER 1000:1000
EXPOSE 6443
ENTRYPOINT ["node", "dist/bundle/main.js"]
