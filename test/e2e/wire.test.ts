import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useRelayedStack, type Relayed } from '../support/relay.js';
import { call, DEMO_ACCESS_KEY } from '../support/stack.js';
import { parseParams } from '../support/upstream.js';

/**
 * What the gateway puts on the wire, seen by a recording relay between the gateway and a real emulator:
 * the URL carries no parameter at all (egress proxies log URLs, and servers cap their length), the
 * emulator verifies the signature of the body form, and a RunInstances with 16 KB of user data, which
 * cannot fit in a URL, arrives intact.
 */

const REGION = 'cn-hangzhou';
const creds = { accessKeyId: DEMO_ACCESS_KEY.accessKeyId, accessKeySecret: DEMO_ACCESS_KEY.accessKeySecret };
const PASSWORD = 'Wire-Secret-Pa55!';
/** 16 KB of user data (Base64 of 12 KB), the size that used to outgrow the 16 KB header limit as a query. */
const USER_DATA = Buffer.alloc(12 * 1024, '#!/bin/sh\necho "hello from user data"\n').toString('base64');

describe.each(['v3', 'v1'] as const)('the upstream wire (%s)', (version) => {
  const ctx = useRelayedStack(version);

  it('RunInstances with a password and 16 KB of user data: accepted, stored intact, nothing in the URL', async () => {
    expect(USER_DATA.length).toBe(16 * 1024);
    const created = await call(ctx.stack.base, 'POST', '/api/instances', {
      ...creds, regionId: REGION, imageId: 'aliyun_2_1903_x64_20G_alibase_20220408.vhd', instanceType: 'ecs.g7.large',
      password: PASSWORD, userData: USER_DATA,
    });
    expect(created.status).toBe(200);
    const [id] = created.json.data.value.body.InstanceIdSets.InstanceIdSet as string[];

    const stored = (ctx.stack.emulator.state.snapshot() as { instances: Array<{ instanceId: string; userData: string }> }).instances;
    expect(stored.find((i) => i.instanceId === id)?.userData).toBe(USER_DATA);

    expect(ctx.relay.requests).toHaveLength(1);
    const [sent] = ctx.relay.requests as [Relayed];
    expect(sent.method).toBe('POST');
    expect(sent.url).toBe('/');
    expect(sent.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = parseParams(sent.body);
    expect(form.Password).toBe(PASSWORD);
    expect(form.UserData).toBe(USER_DATA);
    if (version === 'v3') {
      expect(sent.headers['x-acs-content-sha256']).toBe(createHash('sha256').update(sent.body).digest('hex'));
      expect(sent.headers['x-acs-action']).toBe('RunInstances');
    }
    // Nor anywhere else outside the body (headers included).
    expect(JSON.stringify(sent.headers)).not.toContain(PASSWORD);
  });

  it('every route sends its parameters in the body only, and the emulator accepts the signatures', async () => {
    const q = (params: Record<string, string>) => new URLSearchParams({ ...creds, regionId: REGION, ...params }).toString();
    const created = await call(ctx.stack.base, 'POST', '/api/instances', {
      ...creds, regionId: REGION, imageId: 'aliyun_2_1903_x64_20G_alibase_20220408.vhd', instanceType: 'ecs.g7.large', instanceName: 'wire',
    });
    expect(created.status).toBe(200);
    const [id] = created.json.data.value.body.InstanceIdSets.InstanceIdSet as [string];
    const answers = [
      await call(ctx.stack.base, 'GET', `/api/regions?${q({ acceptLanguage: 'en-US' })}`),
      await call(ctx.stack.base, 'GET', `/api/zones?${q({})}`),
      await call(ctx.stack.base, 'GET', `/api/images?${q({ osType: 'linux', pageSize: '1' })}`),
      await call(ctx.stack.base, 'GET', `/api/instance-types?${q({ maxResults: '2' })}`),
      await call(ctx.stack.base, 'GET', `/api/instances?${q({ instanceName: 'wire', tags: 'a b:c*d' })}`),
      await call(ctx.stack.base, 'GET', `/api/instances/${id}?${q({})}`),
      await call(ctx.stack.base, 'PUT', '/api/instances/stop', { ...creds, regionId: REGION, instanceIds: [id], forceStop: true }),
    ];
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    expect(ctx.relay.requests.map((r) => r.headers['x-acs-action'] ?? parseParams(r.body).Action)).toEqual([
      'RunInstances', 'DescribeRegions', 'DescribeZones', 'DescribeImages', 'DescribeInstanceTypes', 'DescribeInstances',
      'DescribeInstances', 'StopInstances',
    ]);
    expect(ctx.relay.requests.map((r) => `${r.method} ${r.url}`)).toEqual(ctx.relay.requests.map(() => 'POST /'));
    expect(parseParams(ctx.relay.requests[5]!.body)).toMatchObject({ InstanceName: 'wire', 'Tag.1.Key': 'a b', 'Tag.1.Value': 'c*d' });
  });
});
