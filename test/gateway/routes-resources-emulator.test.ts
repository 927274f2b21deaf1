import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, DEMO_ACCESS_KEY, startStack, type Stack } from '../support/stack.js';

/**
 * The Cloud Assistant routes against the emulator (V3 and V1): run a command on an instance created through
 * the gateway, then read the invocation's output — as text by default (the route asks ECS for
 * ContentEncoding=PlainText), as ECS's Base64 with `outputEncoding=base64`. The rest of the README's
 * walk-through needs emulator state that lands on other branches; its end-to-end test comes with them.
 */

const H = { 'x-access-key-id': DEMO_ACCESS_KEY.accessKeyId, 'x-access-key-secret': DEMO_ACCESS_KEY.accessKeySecret };
const Q = `accessKeyId=${DEMO_ACCESS_KEY.accessKeyId}&accessKeySecret=${DEMO_ACCESS_KEY.accessKeySecret}&regionId=cn-beijing`;

describe.each(['v3', 'v1'] as const)('run a command and read its output through the gateway (%s)', (version) => {
  let stack: Stack;
  let instanceId = '';
  beforeAll(async () => {
    stack = await startStack(version);
    const created = await call(stack.base, 'POST', '/api/instances', {
      regionId: 'cn-beijing', imageId: 'aliyun_2_1903_x64_20G_alibase_20220408.vhd', instanceType: 'ecs.t1.xsmall', hostName: 'walk-1',
    }, H);
    expect(created.status, JSON.stringify(created.json)).toBe(200);
    instanceId = created.json.data.value.body.InstanceIdSets.InstanceIdSet[0];
  });
  afterAll(async () => {
    await stack.close();
  });

  const run = async (commandContent: string): Promise<string> => {
    const res = await call(stack.base, 'POST', '/api/commands/run', { regionId: 'cn-beijing', instanceIds: [instanceId], commandContent }, H);
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    return res.json.data.value.body.InvokeId;
  };
  const output = async (invokeId: string, extra = ''): Promise<unknown> => {
    const res = await call(stack.base, 'GET', `/api/invocations/${invokeId}?${Q}${extra}`);
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    const [result] = res.json.data.value.body.Invocation.InvocationResults.InvocationResult;
    expect(result.InvokeRecordStatus).toBe('Finished');
    return result.Output;
  };

  it('hostname prints the instance\'s host name, as text', async () => {
    const invokeId = await run('hostname');
    expect(invokeId).toMatch(/^t-[a-z0-9]+$/);
    expect(String(await output(invokeId)).trim()).toBe('walk-1');
  });

  it('echo, as text by default and as Base64 on request', async () => {
    const invokeId = await run('echo hello world');
    const text = String(await output(invokeId));
    expect(text.trim()).toBe('hello world');
    expect(await output(invokeId, '&outputEncoding=base64')).toBe(Buffer.from(text).toString('base64'));
  });

  it('the invocation is listed, and stopping a finished one is ECS\'s own refusal, passed through', async () => {
    const invokeId = await run('echo listed');
    const listed = await call(stack.base, 'GET', `/api/invocations?${Q}&invokeId=${invokeId}`);
    expect(listed.status).toBe(200);
    expect(listed.json.data.value.body.Invocations.Invocation.map((i: { InvokeId: string }) => i.InvokeId)).toEqual([invokeId]);
    const stopped = await call(stack.base, 'POST', `/api/invocations/${invokeId}/stop`, { regionId: 'cn-beijing' }, H);
    // With instant transitions it has already Finished: ECS refuses to stop it (403 Operation.Forbidden).
    expect(stopped.status).toBe(403);
    expect(stopped.json.error.code).toBe('Operation.Forbidden');
    const unknown = await call(stack.base, 'POST', '/api/invocations/t-bp1nosuchinvocation/stop', { regionId: 'cn-beijing' }, H);
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('InvalidInvokeId.NotFound');
  });
});
