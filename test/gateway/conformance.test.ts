/**
 * Conformance: every action of the catalog, through POST /api/ecs/{Action} into a fake upstream.
 *
 * For each action a body is built from the catalog (every parameter a caller may send, lists of two, objects
 * with all their members, nested as deep as ECS nests them), in lowerCamelCase, in snake_case (JSON-valued
 * parameters then as pre-encoded JSON text) and, signed V1, with the ECS wire names. What reaches the upstream
 * must be exactly the query the official SDK builds from the same values (its own `xxxWithOptions`, see
 * test/support/sdk-oracle.ts; not our toWire), and its signature must verify with the SDK's own signing
 * helpers (openapi-core getAuthorization for V3, getRPCSignature for V1).
 */
import { createHash } from 'node:crypto';
import { OpenApiUtil } from '@alicloud/openapi-core';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionNames, getAction } from '../../src/gateway/ecs/catalog/index.js';
import type { Action } from '../../src/gateway/ecs/catalog/types.js';
import { hasNesting, jsonParams, keyOf, sampleInput, type Spelling } from '../support/catalog-input.js';
import { CREDS, testGateway } from '../support/gateway.js';
import { sdkQueryFor } from '../support/sdk-oracle.js';
import { businessParams, FakeUpstream, type CapturedRequest } from '../support/upstream.js';

let upstream: FakeUpstream;
let v3: FastifyInstance;
let v1: FastifyInstance;

beforeAll(async () => {
  upstream = await new FakeUpstream().start();
  // One app per signature version, reused by every action; warn level keeps 1,000 requests from writing 1,000 lines.
  v3 = (await testGateway(upstream.url, { LOG_LEVEL: 'warn' })).app;
  v1 = (await testGateway(upstream.url, { LOG_LEVEL: 'warn', ECS_SIGNATURE_VERSION: 'v1' })).app;
});

afterAll(async () => {
  await v3?.close();
  await v1?.close();
  await upstream?.close();
});

/** Sends `body` to the generic route; returns the one request that reached the upstream. */
async function send(app: FastifyInstance, action: Action, body: Record<string, unknown>): Promise<CapturedRequest> {
  const before = upstream.requests.length;
  const res = await app.inject({ method: 'POST', url: `/api/ecs/${action.name}`, payload: { ...CREDS, ...body } });
  expect(res.statusCode, `${action.name}: ${res.body}`).toBe(200);
  expect(JSON.parse(res.body).data.value.body).toEqual({ RequestId: 'F6A8C2D1-0000-4000-8000-000000000001' });
  const sent = upstream.requests.slice(before);
  expect(sent).toHaveLength(1);
  return sent[0]!;
}

/** The V3 request verifies with the SDK's getAuthorization; its body hash is the signed one. */
function expectV3Signature(call: CapturedRequest, action: Action): void {
  expect(call.method).toBe('POST');
  expect(call.url).toBe('/');
  expect(call.headers['x-acs-action']).toBe(action.name);
  const hash = createHash('sha256').update(call.body, 'utf8').digest('hex');
  expect(call.headers['x-acs-content-sha256']).toBe(hash);
  const asSeen = { method: call.method, pathname: '/', query: {}, headers: call.headers };
  const expected = OpenApiUtil.getAuthorization(asSeen as unknown as Parameters<typeof OpenApiUtil.getAuthorization>[0],
    'ACS3-HMAC-SHA256', hash, CREDS.accessKeyId, CREDS.accessKeySecret);
  expect(call.headers.authorization).toBe(expected);
}

/** The V1 request's Signature verifies with the SDK's getRPCSignature. */
function expectV1Signature(call: CapturedRequest, action: Action): void {
  const { Signature, ...signed } = call.params;
  expect(signed.Action).toBe(action.name);
  expect(signed.AccessKeyId).toBe(CREDS.accessKeyId);
  expect(Signature).toBe(OpenApiUtil.getRPCSignature(signed, 'POST', CREDS.accessKeySecret));
}

const names = actionNames();

describe('every catalog action through POST /api/ecs/{Action}', () => {
  it('covers the whole catalog, with nesting and JSON-valued parameters among it', () => {
    expect(names).toHaveLength(380);
    expect(names.filter((n) => hasNesting(getAction(n)!)).length).toBeGreaterThan(50);
    expect(names.filter((n) => jsonParams(getAction(n)!).length > 0).length).toBeGreaterThan(20);
  });

  it.each(names)('%s: the SDK\'s wire params, signature verified (V3 camelCase and snake_case, V1 wire names)', async (name) => {
    const action = getAction(name)!;
    const native = sampleInput(action, 'camel');
    const expected = await sdkQueryFor(action, native);
    // A parameter sent empty-handed would make the comparison weak: every sampled parameter is on the wire.
    expect(Object.keys(expected).length).toBeGreaterThanOrEqual(Object.keys(native).length);

    const camel = await send(v3, action, native);
    expect(camel.params).toEqual(expected);
    expectV3Signature(camel, action);

    // snake_case, with JSON-valued parameters pre-encoded (sent as they are).
    const snake = sampleInput(action, 'snake');
    for (const p of jsonParams(action)) snake[keyOf(p, 'snake')] = expected[p.name];
    const snakeCall = await send(v3, action, snake);
    expect(snakeCall.params).toEqual(expected);
    expectV3Signature(snakeCall, action);

    const wireSpelled: Spelling = 'wire';
    const wireCall = await send(v1, action, sampleInput(action, wireSpelled));
    expect(businessParams(wireCall)).toEqual(expected);
    expectV1Signature(wireCall, action);
  });
});
