# Production image: one image, two roles (api, worker) chosen by the command.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build && (cd dingtalk-miniapp && npm ci && npm run build) && npm prune --omit=dev --ignore-scripts

FROM node:20-bookworm-slim
# NODE_ENV=production: the api and worker refuse to boot without the DingTalk credentials and the
# three keys (README, Configuration). /data is the image user's: a named volume mounted at
# /data/attachments starts as a copy of this folder, so it is writable by `node`, not root.
ENV NODE_ENV=production TZ=Asia/Shanghai DATA_DIR=/data ATTACHMENTS_DIR=/data/attachments
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/dingtalk-miniapp/dist ./dingtalk-miniapp/dist
COPY package.json ./
RUN mkdir -p /data/attachments && chown -R node:node /data
USER node
EXPOSE 3000
CMD ["node", "dist/apps/api/src/main.js"]
