import { spawn } from 'node:child_process';
import { connect, type AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testGateway } from '../support/gateway.js';
import { FakeUpstream } from '../support/upstream.js';

/**
 * A body the gateway refuses before reading it all (over the limit, wrong content type, no API key)
 * must still reach its client as the documented error. Answering and closing while the client is
 * still sending resets the connection, and the client gets EPIPE/ECONNRESET instead of the 413; the
 * gateway reads and discards what is in flight, up to a bound, first.
 *
 * Real sockets, not inject: the failure is a TCP one. The client runs in a child process, as a real
 * client does: in the gateway's own event loop it never sees the race. Each try is one request on a
 * new connection that writes its whole body before reading (as curl and most clients do).
 */

const API_KEY = 'oversized-body-test-key-0123';
const MIB = 1024 * 1024;
const LIMIT = 2 * MIB;

/** The client: `tries` POSTs of `size` bytes; prints how each ended (status, or socket error code) as JSON counts. */
const CLIENT = `
import { request } from 'node:http';
const [port, size, tries, chunked, contentType, key] = process.argv.slice(1);
const body = Buffer.alloc(Number(size), 'x');
const tally = {};
for (let i = 0; i < Number(tries); i++) {
  const outcome = await new Promise((resolve) => {
    const req = request({
      host: '127.0.0.1', port: Number(port), method: 'POST', path: '/api/instances', agent: false,
      headers: { 'content-type': contentType, authorization: 'Bearer ' + key, ...(chunked === 'chunked' ? {} : { 'content-length': size }) },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        let code = 'not-json';
        try { code = JSON.parse(Buffer.concat(chunks).toString()).error.code; } catch {}
        resolve(res.statusCode + ' ' + code);
      });
      res.on('error', (e) => resolve(e.code ?? 'error'));
    });
    req.on('error', (e) => resolve(e.code ?? 'error'));
    if (chunked === 'chunked') {
      for (let at = 0; at < body.length; at += 65536) req.write(body.subarray(at, at + 65536));
      req.end();
    } else {
      req.end(body);
    }
  });
  tally[outcome] = (tally[outcome] ?? 0) + 1;
}
process.stdout.write(JSON.stringify(tally));
`;

let upstream: FakeUpstream;
let app: FastifyInstance;
let port: number;
beforeAll(async () => {
  upstream = await new FakeUpstream().start();
  ({ app } = await testGateway(upstream.url, { GATEWAY_API_KEYS: API_KEY, BODY_LIMIT_BYTES: String(LIMIT), LOG_LEVEL: 'silent' }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await app.close();
  await upstream.close();
});

interface Tries { size: number; tries: number; chunked?: boolean; contentType?: string; key?: string }

/** Runs the client in a child process; resolves with its counts of outcomes. */
function tryPosting({ size, tries, chunked = false, contentType = 'application/json', key = API_KEY }: Tries): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CLIENT, String(port), String(size), String(tries), chunked ? 'chunked' : 'length', contentType, key],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString('utf8'); });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as Record<string, number>) : reject(new Error(`client exited with ${code}`))));
  });
}

describe('a refused body still gets its answer over a real socket', () => {
  // 3.5 × the limit: more than the socket buffers hold, so the client is still writing when the
  // gateway answers; within the drain bound (4 × the limit), so every try must read the 413.
  it('a body of 3.5 × the limit, with Content-Length: 413 PAYLOAD_TOO_LARGE every time', async () => {
    expect(await tryPosting({ size: 3.5 * LIMIT, tries: 30 })).toEqual({ '413 PAYLOAD_TOO_LARGE': 30 });
  }, 60_000);

  it('the same body chunked (no Content-Length, refused once the limit is crossed): 413 every time', async () => {
    expect(await tryPosting({ size: 3.5 * LIMIT, tries: 10, chunked: true })).toEqual({ '413 PAYLOAD_TOO_LARGE': 10 });
  }, 60_000);

  it('a large text/plain body: 415 UNSUPPORTED_MEDIA_TYPE every time', async () => {
    expect(await tryPosting({ size: 3.5 * LIMIT, tries: 10, contentType: 'text/plain' })).toEqual({ '415 UNSUPPORTED_MEDIA_TYPE': 10 });
  }, 60_000);

  it('a large body with a wrong API key: 401 UNAUTHORIZED every time', async () => {
    expect(await tryPosting({ size: 3.5 * LIMIT, tries: 10, key: 'wrong-key-0123456789' })).toEqual({ '401 UNAUTHORIZED': 10 });
  }, 60_000);

  it('a body declared beyond the bound is not read: 413 and the connection closes after the headers', async () => {
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(`POST /api/instances HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${API_KEY}\r\nContent-Type: application/json\r\nContent-Length: ${64 * MIB}\r\n\r\n`);
      });
      let data = '';
      socket.on('data', (chunk: Buffer) => { data += chunk.toString('utf8'); });
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    expect(raw.split('\r\n')[0]).toBe('HTTP/1.1 413 Payload Too Large');
    expect(raw.toLowerCase()).toContain('connection: close');
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE', status: 413 } });
  });

  it('nothing reached ECS', () => {
    expect(upstream.requests).toHaveLength(0);
  });
});
