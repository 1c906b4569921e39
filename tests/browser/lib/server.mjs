// A small static server for the browser suite, in the way GitHub Pages serves
// a project site: each site is mounted under a sub-path (`/diary/`), a folder
// is answered with its index.html (and a folder named without its slash is
// redirected to it), a missing file with the site's own 404.html and status
// 404, and never a directory listing. Every request is logged, one JSON
// object a line, to the log file.
//
//   node server.mjs --mount /diary/=DIR [--mount /journal/=DIR2] \
//     --log FILE --port-file FILE [--port 0]
//
// It prints `listening on http://127.0.0.1:PORT` and writes PORT to
// --port-file once it listens. Files are read at request time, so a site can
// be built into DIR after the server has started (its base URL needs the port).

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.mp4': 'video/mp4',
  '.mov': 'video/mp4',
  '.webm': 'video/webm',
  '.gpx': 'application/gpx+xml',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
};

function typeOf(file) {
  return TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream';
}

function isFile(p) {
  try { return fs.statSync(p).isFile(); } catch { return false; }
}
function isDir(p) {
  try { return fs.statSync(p).isDirectory(); } catch { return false; }
}

/**
 * Starts the server. `mounts` maps a sub-path (`/diary/`) to a folder.
 * Returns { server, port, origin, close() }.
 */
export async function startServer({ mounts, port = 0, log = null, quiet = true }) {
  const table = Object.entries(mounts).map(([prefix, dir]) => [
    prefix.endsWith('/') ? prefix : prefix + '/',
    path.resolve(dir),
  ]);
  const logStream = log ? fs.createWriteStream(log, { flags: 'a' }) : null;

  const server = http.createServer((req, res) => {
    const started = Date.now();
    const finish = (status) => {
      const line = {
        t: new Date(started).toISOString(),
        method: req.method,
        url: req.url,
        status,
        referer: req.headers.referer || null,
        ua: (req.headers['user-agent'] || '').slice(0, 40),
        ms: Date.now() - started,
      };
      if (logStream) logStream.write(JSON.stringify(line) + '\n');
      if (!quiet) console.log(`${line.status} ${line.method} ${line.url}`);
    };
    try {
      handle(req, res, table, finish);
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
      finish(500);
    }
  });
  server.keepAliveTimeout = 1000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const actual = server.address().port;
  return {
    server,
    port: actual,
    origin: `http://127.0.0.1:${actual}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => { logStream?.end(); resolve(); });
    }),
  };
}

function handle(req, res, table, finish) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' });
    res.end();
    return finish(405);
  }
  const url = new URL(req.url, 'http://x');
  let pathname;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return plain(res, 400, 'bad request', finish, req);
  }
  // A mount named without its slash: /diary -> /diary/
  for (const [prefix] of table) {
    if (pathname === prefix.slice(0, -1)) return redirect(res, prefix + url.search, finish);
  }
  const mount = table.find(([prefix]) => pathname.startsWith(prefix));
  if (!mount) return plain(res, 404, 'not found (outside every site on this server)', finish, req);
  const [prefix, root] = mount;
  const rel = pathname.slice(prefix.length);
  const target = path.resolve(root, '.' + path.posix.normalize('/' + rel));
  if (target !== root && !target.startsWith(root + path.sep)) {
    return plain(res, 403, 'forbidden', finish, req);
  }
  if (isDir(target)) {
    if (!pathname.endsWith('/')) return redirect(res, url.pathname + '/' + url.search, finish);
    const index = path.join(target, 'index.html');
    if (isFile(index)) return sendFile(req, res, index, 200, finish);
    return notFound(req, res, root, finish);
  }
  if (isFile(target)) return sendFile(req, res, target, 200, finish);
  return notFound(req, res, root, finish);
}

function notFound(req, res, root, finish) {
  const page = path.join(root, '404.html');
  if (isFile(page)) return sendFile(req, res, page, 404, finish, true);
  return plain(res, 404, 'not found', finish, req);
}

function plain(res, status, text, finish, req) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(req && req.method === 'HEAD' ? undefined : text + '\n');
  finish(status);
}

function redirect(res, location, finish) {
  res.writeHead(301, { location, 'cache-control': 'no-store' });
  res.end();
  finish(301);
}

function sendFile(req, res, file, status, finish, noRange = false) {
  const stat = fs.statSync(file);
  const headers = {
    'content-type': typeOf(file),
    'cache-control': 'no-cache',
    'last-modified': stat.mtime.toUTCString(),
    'x-content-type-options': 'nosniff',
  };
  let start = 0;
  let end = stat.size - 1;
  const range = !noRange && req.headers.range && /^bytes=(\d*)-(\d*)$/.exec(req.headers.range);
  if (!noRange) headers['accept-ranges'] = 'bytes';
  if (range && (range[1] !== '' || range[2] !== '')) {
    if (range[1] === '') {
      start = Math.max(0, stat.size - Number(range[2]));
    } else {
      start = Number(range[1]);
      if (range[2] !== '') end = Math.min(end, Number(range[2]));
    }
    if (start > end || start >= stat.size) {
      res.writeHead(416, { 'content-range': `bytes */${stat.size}` });
      res.end();
      return finish(416);
    }
    status = 206;
    headers['content-range'] = `bytes ${start}-${end}/${stat.size}`;
  }
  headers['content-length'] = stat.size === 0 ? 0 : end - start + 1;
  res.writeHead(status, headers);
  if (req.method === 'HEAD' || stat.size === 0) {
    res.end();
    return finish(status);
  }
  const stream = fs.createReadStream(file, { start, end });
  stream.on('error', () => res.destroy());
  // A browser that stops a video after its first bytes closes the stream: fine.
  res.on('close', () => stream.destroy());
  stream.pipe(res);
  finish(status);
}

// Run as a program.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const mounts = {};
  let port = 0;
  let log = null;
  let portFile = null;
  let quiet = true;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--mount') {
      const [prefix, dir] = args[++i].split('=');
      mounts[prefix] = dir;
    } else if (a === '--port') port = Number(args[++i]);
    else if (a === '--log') log = args[++i];
    else if (a === '--port-file') portFile = args[++i];
    else if (a === '--verbose') quiet = false;
    else {
      console.error(`server.mjs: unknown argument ${a}`);
      process.exit(2);
    }
  }
  if (!Object.keys(mounts).length) {
    console.error('server.mjs: give at least one --mount /prefix/=DIR');
    process.exit(2);
  }
  const s = await startServer({ mounts, port, log, quiet });
  if (portFile) fs.writeFileSync(portFile, String(s.port));
  console.log(`listening on ${s.origin} (${Object.keys(mounts).join(', ')})`);
  const stop = () => s.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
