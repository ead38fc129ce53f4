#!/usr/bin/env node
/**
 * Records a real build stream from the Docker Engine API as a JSONL fixture.
 *
 *   node scripts/record-build-stream.mjs --builder classic|buildkit --dir CONTEXT_DIR \
 *     --dockerfile NAME [--nocache] --out test/fixtures/NAME.jsonl
 *
 * Tars CONTEXT_DIR, POSTs it to `/build` on the daemon's unix socket (DOCKER_HOST=unix://…,
 * else /var/run/docker.sock) and writes one line per stream message:
 *   {"t": <ms since the request started, integer>, "msg": <the parsed JSON message>}
 *
 * `version=2` (BuildKit) is sent as a plain POST, without the gRPC session that dockerode and
 * the docker CLI open: the daemon then reads the context from the uploaded tar and streams
 * progress as `{"id":"moby.buildkit.trace","aux":"<base64 StatusResponse>"}` messages.
 *
 * The image is tagged layerbench-fixture:latest and carries no label (as layerbench's own
 * builds: a build label is one more step under the classic builder); remove it when done
 * recording (`docker rmi layerbench-fixture:latest`). The contexts build FROM lbexp/pyroot:1,
 * any image with python3 (e.g. `docker tag layerbench/bookworm-python3:1 lbexp/pyroot:1`).
 *
 * How test/fixtures/*.jsonl were made (contexts in test/fixtures/contexts/):
 *   <builder>-cold        --dir contexts/app --nocache
 *   <builder>-cached      --dir contexts/app (right after the cold build)
 *   <builder>-code-edit   --dir a copy of contexts/app whose app.py got a new line
 *   <builder>-failure     --dir contexts/failing
 *   <builder>-multistage  --dir contexts/multistage --nocache
 */
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import tar from 'tar-fs';

const TAG = 'layerbench-fixture:latest';

function usage(problem) {
  if (problem) process.stderr.write(`record-build-stream: ${problem}\n`);
  process.stderr.write(
    'usage: node scripts/record-build-stream.mjs --builder classic|buildkit --dir CONTEXT_DIR ' +
      '--dockerfile NAME [--nocache] --out FILE.jsonl\n',
  );
  process.exit(2);
}

function socketPath() {
  const host = process.env.DOCKER_HOST;
  if (host === undefined || host === '') return '/var/run/docker.sock';
  if (host.startsWith('unix://')) return host.slice('unix://'.length);
  usage(`only unix sockets are supported (DOCKER_HOST=${host})`);
}

let args;
try {
  args = parseArgs({
    options: {
      builder: { type: 'string' },
      dir: { type: 'string' },
      dockerfile: { type: 'string', default: 'Dockerfile' },
      nocache: { type: 'boolean', default: false },
      out: { type: 'string' },
    },
    strict: true,
  }).values;
} catch (err) {
  usage(err instanceof Error ? err.message : String(err));
}
if (args.builder !== 'classic' && args.builder !== 'buildkit') usage('--builder must be classic or buildkit');
if (!args.dir) usage('--dir is required');
if (!args.out) usage('--out is required');
const contextDir = path.resolve(args.dir);
if (!fs.existsSync(path.join(contextDir, args.dockerfile))) usage(`no ${args.dockerfile} in ${contextDir}`);

const query = new URLSearchParams({
  dockerfile: args.dockerfile,
  version: args.builder === 'buildkit' ? '2' : '1',
  nocache: args.nocache ? '1' : '0',
  rm: '1',
  forcerm: '1',
  t: TAG,
});

fs.mkdirSync(path.dirname(path.resolve(args.out)), { recursive: true });
const out = fs.createWriteStream(args.out);
const started = performance.now();
let messages = 0;
let outcome = 'no image id seen';

function writeMessage(line) {
  if (line.trim() === '') return;
  const t = Math.round(performance.now() - started);
  let msg;
  try {
    msg = JSON.parse(line);
  } catch {
    process.stderr.write(`record-build-stream: not JSON, kept as {"raw": …}: ${line.slice(0, 200)}\n`);
    msg = { raw: line };
  }
  messages += 1;
  if (msg.error !== undefined || msg.errorDetail !== undefined) outcome = `error: ${msg.errorDetail?.message ?? msg.error}`;
  else if (typeof msg.aux === 'object' && msg.aux !== null && typeof msg.aux.ID === 'string') outcome = `image ${msg.aux.ID}`;
  out.write(`${JSON.stringify({ t, msg })}\n`);
}

const request = http.request({
  socketPath: socketPath(),
  method: 'POST',
  path: `/build?${query.toString()}`,
  headers: { 'Content-Type': 'application/x-tar' },
});

request.on('response', (response) => {
  if (response.statusCode !== 200) {
    let body = '';
    response.setEncoding('utf8');
    response.on('data', (chunk) => (body += chunk));
    response.on('end', () => {
      process.stderr.write(`record-build-stream: HTTP ${response.statusCode}: ${body.trim()}\n`);
      out.end(() => {
        fs.rmSync(args.out, { force: true });
        process.exit(1);
      });
    });
    return;
  }
  // Chunks may split (or join) JSON lines: only complete lines are parsed.
  let pending = '';
  response.setEncoding('utf8');
  response.on('data', (chunk) => {
    pending += chunk;
    let newline;
    while ((newline = pending.indexOf('\n')) !== -1) {
      writeMessage(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
    }
  });
  response.on('end', () => {
    writeMessage(pending);
    out.end(() => {
      process.stderr.write(`record-build-stream: ${messages} messages → ${args.out} (${outcome})\n`);
    });
  });
  response.on('error', (err) => {
    process.stderr.write(`record-build-stream: stream broke: ${err.message}\n`);
    process.exitCode = 1;
  });
});

request.on('error', (err) => {
  process.stderr.write(`record-build-stream: request failed: ${err.message}\n`);
  process.exit(1);
});

tar.pack(contextDir).pipe(request);
