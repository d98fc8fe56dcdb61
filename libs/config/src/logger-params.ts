import { randomUUID } from 'node:crypto';
import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import type { AppConfig } from './config.schema';

/**
 * JSON logs with request ids; tokens and caller data never reach a log line. Shared by the
 * api and the worker: nestjs-pino keeps one root logger per process, so under `npm start` (both in
 * one process) whichever module starts first sets it; they must agree.
 */
export function loggerParams(config: AppConfig): Params {
  return {
    // Every route (path-to-regexp v8 syntax): the library's default matched only `/` under Fastify.
    forRoutes: [{ path: '*splat', method: RequestMethod.ALL }],
    pinoHttp: {
      level: config.logLevel,
      // Fastify's genReqId (create-api-app.ts) has already settled the id on the raw request.
      genReqId: (req) => String(req.headers['x-request-id'] ?? randomUUID()),
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["x-acs-dingtalk-access-token"]',
          'req.query.access_token',
          '*.token',
          '*.access_token',
          '*.accessToken',
          '*.appSecret',
          '*.caller',
          '*.callerName',
          '*.callerPhone',
          '*.callerAddress',
          '*.phone',
          '*.mobile',
        ],
        censor: '[redacted]',
      },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          // Query strings may carry tokens (DingTalk style): log the path only.
          url: req.url.split('?')[0],
        }),
        // Issue 19 goal 1: the status only. pino-http's default wrote every response header (the
        // same dozen security headers each time) into every request's line, ~1.3 kB of it.
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      // 503 is a planned answer (database or DingTalk unreachable, issue 18.6): not an error per request.
      customLogLevel: (_req, res, err) =>
        res.statusCode === 503
          ? 'warn'
          : err || res.statusCode >= 500
            ? 'error'
            : res.statusCode >= 400
              ? 'warn'
              : 'info',
    },
  };
}
