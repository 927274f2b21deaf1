/**
 * Bench upstream: answers every request at once with a fixed ECS StopInstances body and real ECS
 * headers, so that what the targets measure is their own cost, not the upstream's.
 * Env: PORT (required), HOST (default 127.0.0.1).
 */
import { createServer } from 'node:http';
import { ECS_RESPONSE_HEADERS, STOP_INSTANCES_BODY } from './fixtures.js';

const payload = Buffer.from(JSON.stringify(STOP_INSTANCES_BODY));
const headers = { ...ECS_RESPONSE_HEADERS, 'content-length': String(payload.length) };

const server = createServer((req, res) => {
  // Read the (empty for V3, form for V1) request body before answering, as a real server does.
  req.resume();
  req.on('end', () => {
    res.writeHead(200, headers);
    res.end(payload);
  });
});
// Longer than any phase, so keep-alive connections from the targets are never dropped mid-run.
server.keepAliveTimeout = 120_000;
server.headersTimeout = 125_000;
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');

const stop = () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
