import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyHelmet from '@fastify/helmet';
import fastifyMultipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import type { AppConfig } from '@hotline/config';
import { ApiModule } from './api.module';
import { createApiDocument } from './openapi';

export const BODY_LIMIT_BYTES = 1024 * 1024;

const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  connectSrc: ["'self'"],
  frameAncestors: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
};
/** The API docs page (Swagger UI) needs inline script; nothing else does. */
const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "frame-ancestors 'self'",
  "object-src 'none'",
  "base-uri 'self'",
].join('; ');

/**
 * Request ids: a well-formed incoming x-request-id is kept, otherwise one is made; it is written
 * back on the raw request so the access log (pino-http) carries the same id, and echoed.
 */
export function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
  req.headers['x-request-id'] = id;
  return id;
}

/**
 * Issue 17: X-Forwarded-For is believed only from the proxies named in TRUSTED_PROXIES (none by
 * default), so a client cannot pick its own address and escape the sign-in rate limit.
 */
export function createFastifyAdapter(trustedProxies: string[] = []): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: trustedProxies.length > 0 ? trustedProxies : false,
    genReqId: requestId,
  });
}

/** The built micro-app at `/` (hash routes, so only its files are served; no catch-all). */
async function serveMiniapp(app: NestFastifyApplication, dir: string): Promise<void> {
  if (!existsSync(join(dir, 'index.html'))) return;
  await app.register(fastifyStatic as never, {
    root: dir,
    prefix: '/',
    wildcard: false,
    decorateReply: false,
    index: ['index.html'],
  });
}

/** Logger, shutdown hooks, the micro-app and the OpenAPI document (also used by the e2e harness). */
export async function configureApiApp(app: NestFastifyApplication, config: AppConfig): Promise<NestFastifyApplication> {
  // Security headers. Scripts only from this origin (the micro-app is built into files); only the
  // API docs page (Swagger UI) gets inline script, by its own header (issue 17, item 5).
  await app.register(fastifyHelmet as never, {
    contentSecurityPolicy: { directives: { ...CSP_DIRECTIVES, scriptSrc: ["'self'"] } },
  });
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', async (req, reply) => {
      const path = req.url.split('?')[0];
      if (path === '/api/docs' || path.startsWith('/api/docs/')) {
        void reply.header('content-security-policy', DOCS_CSP);
      } else if (path.startsWith('/api/') && !reply.hasHeader('cache-control')) {
        // API answers are about tickets and people: never kept by a shared cache.
        void reply.header('cache-control', 'no-store');
      }
    });
  // Only the app's own origin may call the API from a browser.
  app.enableCors({ origin: [new URL(config.publicUrl).origin], credentials: false });
  // multipart/form-data for attachments only; each route sets its own limits when it reads the file.
  await app.register(fastifyMultipart as never, {
    limits: { fileSize: config.attachments.maxBytes + 1, files: 1, fields: 5, parts: 6 },
    throwFileSizeLimit: false,
  });
  // Upstream intake signs the exact bytes it sends (HMAC over timestamp + body): JSON bodies on
  // /api/intake keep their raw bytes (req.rawBody) beside the parsed value.
  const parseJson = app.getHttpAdapter().getInstance().getDefaultJsonParser('error', 'ignore');
  app.useBodyParser('application/json', { bodyLimit: BODY_LIMIT_BYTES }, (req, body, done) => {
    if (req.url.startsWith('/api/intake')) (req as { rawBody?: Buffer }).rawBody = body;
    void parseJson(req as never, body.toString('utf8'), done);
  });
  await serveMiniapp(app, config.miniappDir);
  app.useLogger(app.get(Logger));
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', async (req, reply) => {
      void reply.header('x-request-id', req.id);
    });
  app.enableShutdownHooks();
  SwaggerModule.setup('api/docs', app, createApiDocument(app), {
    jsonDocumentUrl: 'api/docs-json',
  });
  return app;
}

/** Builds the HTTP app (used by apps/api main and the standalone launcher). */
export async function createApiApp(config: AppConfig, databaseUrl: string): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule.forRoot(config, databaseUrl),
    createFastifyAdapter(config.trustedProxies),
    {
      bufferLogs: true,
    },
  );
  return configureApiApp(app, config);
}
