import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CREDS, testGateway } from '../support/gateway.js';
import { FakeUpstream } from '../support/upstream.js';

// Records whether the gateway ever imports its tracing module or @fastify/otel (vitest calls a mock's
// factory on the first import only, and each test file has its own module graph).
const loaded = vi.hoisted(() => new Set<string>());
vi.mock('../../src/gateway/observe/tracing.js', async (importOriginal) => {
  loaded.add('observe/tracing');
  return importOriginal();
});
vi.mock('@fastify/otel', async (importOriginal) => {
  loaded.add('@fastify/otel');
  return importOriginal();
});

let upstream: FakeUpstream;
beforeAll(async () => { upstream = await new FakeUpstream().start(); });
afterAll(async () => { await upstream.close(); });

describe('tracing off: no OpenTelemetry code on the hot path', () => {
  it('with nothing configured, serving requests (ECS calls included) never imports the tracing module', async () => {
    const { app } = await testGateway(upstream.url);
    try {
      await request(app.server).get('/api/regions').query(CREDS).expect(200);
      await request(app.server).get('/healthz').expect(200);
      expect([...loaded]).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('configured, it is imported (so the check above can fail)', async () => {
    const { app } = await testGateway(upstream.url, { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
    try {
      expect([...loaded].sort()).toEqual(['@fastify/otel', 'observe/tracing']);
    } finally {
      await app.close();
    }
  });
});
