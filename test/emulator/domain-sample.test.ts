/**
 * End to end per domain: every call of test/support/domain-sample.ts, through the official SDKs against the
 * emulator, answers 200 with a body of the SDK's response model — V3 with the typed `@alicloud/ecs20140526`
 * client (request models built from the sample), V1 with `@alicloud/pop-core` (wire parameters expanded from
 * the sample by the emulator's spec), GET and POST.
 */
import * as Ecs from '@alicloud/ecs20140526';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUPPORTED_ACTIONS } from '../../src/emulator/ecs/index.js';
import { FAKE_PRIVATE_KEY } from '../../src/emulator/ecs/synthetic.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { getAction, listActions } from '../../src/gateway/ecs/catalog/index.js';
import { DOMAIN_SAMPLE } from '../support/domain-sample.js';
import { TEST_KEY } from './helpers.js';
import { sampleModel, sampleWire } from './sample-calls.js';
import { bodyProblems } from './sdk-shape.js';
import { v1Client, v3Client } from './sdk-clients.js';

type Body = Record<string, unknown>;

/** Stateful answers leave out what the emulator does not model: only types and unknown fields count there. */
function problems(action: string, body: unknown): string[] {
  const all = bodyProblems(action, body);
  return SUPPORTED_ACTIONS.includes(action) ? all.filter((p) => !p.endsWith(': missing')) : all;
}

/**
 * A stateful action that names the sample's made-up resources (`d-bp1sample…`) finds none of them: ECS's
 * `….NotFound` (404) then shows the call was signed and well-formed as much as a 200 would.
 */
async function answered(action: string, call: (typeof DOMAIN_SAMPLE)[number], send: () => Promise<Body>): Promise<Body | undefined> {
  if (!SUPPORTED_ACTIONS.includes(action) || !JSON.stringify(call.params).includes('sample')) return send();
  try {
    return await send();
  } catch (err) {
    // The V3 client reports the HTTP status; pop-core only the body's Code.
    const e = err as { statusCode?: number; code?: string };
    expect(e.code).toMatch(/\.NotFound$/);
    if (e.statusCode !== undefined) expect(e.statusCode).toBe(404);
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, transitionMs: 0, accessKeys: [TEST_KEY] });
});
afterAll(() => emu.close());

describe('the domain sample', () => {
  it('covers every domain of the catalog, each action filed under its catalog domain', () => {
    const domains = new Set(listActions().map((a) => a.domain));
    expect(new Set(DOMAIN_SAMPLE.map((c) => c.domain))).toEqual(domains);
    for (const c of DOMAIN_SAMPLE) expect(getAction(c.action)?.domain, c.action).toBe(c.domain);
    // Nested values are in it: objects, lists of objects, a list inside a list, JSON-valued parameters.
    const wire = DOMAIN_SAMPLE.flatMap((c) => Object.keys(sampleWire(c)));
    expect(wire).toEqual(expect.arrayContaining(['SystemDisk.Size', 'Tag.1.Key', 'NetworkInterface.1.SecurityGroupIds.2', 'DiskIds', 'Parameters']));
  });
});

describe.each(DOMAIN_SAMPLE.map((c) => [c.domain, c.action, c] as const))('%s: %s', (_domain, action, call) => {
  it('V3: the typed SDK call answers 200 with the response model', async () => {
    const ecs = v3Client(emu.url, TEST_KEY) as unknown as Record<string, (req: unknown) => Promise<{ statusCode: number; body: { toMap(): Body } }>>;
    const request = sampleModel(call);
    const method = action.charAt(0).toLowerCase() + action.slice(1);
    const body = await answered(action, call, async () => {
      const res = await ecs[method]!.call(ecs, request);
      expect(res.statusCode).toBe(200);
      return res.body.toMap();
    });
    if (body === undefined) return;
    expect(body.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(problems(action, body)).toEqual([]);
  });

  it.each(['GET', 'POST'] as const)('V1 %s: pop-core answers 200 with the response model', async (method) => {
    const body = await answered(action, call, () => v1Client(emu.url, TEST_KEY).request<Body>(action, sampleWire(call), { method, formatParams: false }));
    if (body === undefined) return;
    expect(body.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(problems(action, body)).toEqual([]);
  });
});

describe('what the sample shows', () => {
  it('CreateKeyPair answers an obviously fake private key', async () => {
    const ecs = v3Client(emu.url, TEST_KEY);
    const res = await ecs.createKeyPair(new Ecs.CreateKeyPairRequest({ regionId: 'cn-hangzhou', keyPairName: 'deploy' }));
    expect(res.body?.privateKeyBody).toBe(FAKE_PRIVATE_KEY);
    expect(res.body?.keyPairName).toBe('emulator-key-pair');
  });
});
