// A small static server for dist/ that forwards /api to a running API (browser tests, previews).
// Standalone: HOTLINE_API_URL=http://127.0.0.1:3300 node tests/static-server.mjs [port]
import http from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

export const DIST = fileURLToPath(new URL('../dist/', import.meta.url));

function forward(req, res, apiUrl) {
  const target = new URL(req.url, apiUrl);
  const upstream = http.request(
    target,
    { method: req.method, headers: { ...req.headers, host: target.host } },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', (e) => {
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ statusCode: 502, error: 'BAD_GATEWAY', message: e.message }));
  });
  req.pipe(upstream);
}

async function serveFile(req, res) {
  const urlPath = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  let file = path.join(DIST, path.normalize(urlPath).replace(/^(\.\.[/\\])+/, ''));
  if (!file.startsWith(DIST)) file = path.join(DIST, 'index.html');
  try {
    const s = await stat(file);
    if (s.isDirectory()) file = path.join(file, 'index.html');
    await stat(file);
  } catch {
    file = path.join(DIST, 'index.html');
  }
  res.writeHead(200, {
    'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'cache-control': file.endsWith('index.html') ? 'no-cache' : 'max-age=3600',
  });
  createReadStream(file).pipe(res);
}

/** Starts the server on `port` (0 = any free port); resolves to { server, url }. */
export function startStaticServer(apiUrl, port = 0) {
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/api/') || req.url === '/api') forward(req, res, apiUrl);
    else void serveFile(req, res);
  });
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      const { port: actual } = server.address();
      resolve({ server, url: `http://127.0.0.1:${actual}` });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const api = process.env.HOTLINE_API_URL ?? 'http://127.0.0.1:3300';
  const { url } = await startStaticServer(api, Number(process.argv[2] ?? 4173));
  console.log(`serving ${DIST} at ${url}, /api → ${api}`);
}
