/**
 * Cloud Assistant in the emulator: RunCommand → DescribeInvocations / DescribeInvocationResults → StopInvocation,
 * with invocations walking Pending → Running → Finished on the injected clock, what the emulator "runs", the
 * documented errors, the snapshot round-trip, and the same through the official V3 SDK.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatedOutput, shellWords } from '../../../src/emulator/ecs/command-runner.js';
import { EcsApiError } from '../../../src/emulator/ecs/index.js';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/server.js';
import { TEST_KEY } from '../helpers.js';
import { $Ecs, v3Client } from '../sdk-clients.js';
import { expectEcsError, Harness, idParams, REGION } from './helpers.js';

type Obj = Record<string, unknown>;
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

function runCommand(h: Harness, ids: string[], extra: Record<string, string> = {}, account = 'AK-A'): string {
  const body = h.call(
    'RunCommand',
    { RegionId: REGION, Type: 'RunShellScript', CommandContent: 'echo hello', ...idParams(ids), ...extra },
    account,
  );
  expect(Object.keys(body).sort()).toEqual(['CommandId', 'InvokeId']);
  expect(body.CommandId).toMatch(/^c-[0-9a-f]{32}$/);
  expect(body.InvokeId).toMatch(/^t-[0-9a-f]{32}$/);
  return body.InvokeId as string;
}

function results(h: Harness, params: Record<string, string> = {}): Obj[] {
  const body = h.call('DescribeInvocationResults', { RegionId: REGION, ...params });
  return ((body.Invocation as Obj).InvocationResults as { InvocationResult: Obj[] }).InvocationResult;
}

function invocations(h: Harness, params: Record<string, string> = {}): Obj[] {
  const body = h.call('DescribeInvocations', { RegionId: REGION, ...params });
  return (body.Invocations as { Invocation: Obj[] }).Invocation;
}

describe('what the emulator runs', () => {
  it.each([
    ['echo hello', 'hello\n'],
    ['echo   a   b  ', 'a b\n'],
    ["echo 'a  b' \"c \\\" d\" e\\ f", 'a  b c " d e f\n'],
    ['echo -n no newline', 'no newline'],
    ['echo $HOME; ls > /dev/null', '$HOME; ls > /dev/null\n'],
    ['#!/bin/bash\n\n# comment\necho one\r\nuptime\necho two', 'one\ntwo\n'],
    ['hostname', 'web-1\n'],
    ['hostname -f', ''],
    ['yum install -y nginx', ''],
    ["echo 'unterminated", 'unterminated\n'],
  ])('%j prints %j', (script, output) => {
    expect(emulatedOutput(script, 'web-1')).toBe(output);
  });

  it('splits words like a shell without expansion', () => {
    expect(shellWords(`a "b c" 'd "e"' f\\'g ""`)).toEqual(['a', 'b c', 'd "e"', "f'g", '']);
  });
});

describe('RunCommand and the invocation lifecycle (transitionMs 1000)', () => {
  it('walks Pending → Running → Finished; Output is Base64 of what echo printed', () => {
    const h = new Harness(1000);
    const [id] = h.running(1, { HostName: 'web-1' });
    const invokeId = runCommand(h, [id!], { CommandContent: 'echo hello world\nhostname', Name: 'greet' });
    expect(h.changes).toBeGreaterThan(0);

    const pending = results(h, { InvokeId: invokeId })[0]!;
    expect(pending).toMatchObject({ InstanceId: id, InvocationStatus: 'Pending', InvokeRecordStatus: 'Pending', Output: '', StartTime: '' });
    expect(invocations(h)[0]).toMatchObject({ InvokeId: invokeId, InvokeStatus: 'Pending', InvocationStatus: 'Pending', CommandName: 'greet' });

    h.advance(999);
    expect(results(h)[0]!.InvocationStatus).toBe('Pending');
    h.advance(1);
    expect(results(h)[0]).toMatchObject({ InvocationStatus: 'Running', InvokeRecordStatus: 'Running', Output: '', StartTime: '2024-05-01T08:00:11Z' });
    expect(invocations(h)[0]!.InvokeStatus).toBe('Running');

    h.advance(1000);
    const done = results(h)[0]!;
    expect(done).toMatchObject({
      InvocationStatus: 'Success',
      InvokeRecordStatus: 'Finished',
      ExitCode: 0,
      ErrorCode: '',
      FinishedTime: '2024-05-01T08:00:12Z',
      Repeats: 1,
      Username: 'root',
    });
    expect(unb64(done.Output as string)).toBe('hello world\nweb-1\n');
    expect(results(h, { ContentEncoding: 'PlainText' })[0]!.Output).toBe('hello world\nweb-1\n');
    const inv = invocations(h, { IncludeOutput: 'true' })[0]!;
    expect(inv).toMatchObject({ InvokeStatus: 'Finished', InvocationStatus: 'Success', CommandType: 'RunShellScript', RepeatMode: 'Once', Timeout: 60 });
    expect(unb64(inv.CommandContent as string)).toBe('echo hello world\nhostname');
    const [ii] = (inv.InvokeInstances as { InvokeInstance: Obj[] }).InvokeInstance;
    expect(ii).toMatchObject({ InstanceId: id, InstanceInvokeStatus: 'Finished', InvocationStatus: 'Success', ExitCode: 0 });
    expect(unb64(ii!.Output as string)).toBe('hello world\nweb-1\n');
    // Without IncludeOutput, DescribeInvocations leaves Output out.
    expect((invocations(h)[0]!.InvokeInstances as { InvokeInstance: Obj[] }).InvokeInstance[0]!.Output).toBe('');
  });

  it('decodes ContentEncoding=Base64 (any case), substitutes Parameters, and runs on several instances', () => {
    const h = new Harness(0);
    const ids = h.running(2);
    const invokeId = runCommand(h, ids, {
      CommandContent: b64('echo {{greeting}}, {{ name }}'),
      ContentEncoding: 'base64',
      EnableParameter: 'true',
      Parameters: JSON.stringify({ greeting: 'hi', name: 'Jack' }),
      Type: 'RunPowerShellScript',
    });
    const rs = results(h, { InvokeId: invokeId, ContentEncoding: 'PlainText' });
    expect(rs.map((r) => [r.InstanceId, r.Output, r.Username])).toEqual(ids.map((i) => [i, 'hi, Jack\n', 'System']));
    const inv = invocations(h, { ContentEncoding: 'PlainText' })[0]!;
    expect(inv.CommandContent).toBe('echo {{greeting}}, {{ name }}');
    expect(JSON.parse(inv.Parameters as string)).toEqual({ greeting: 'hi', name: 'Jack' });
    expect(results(h, { InstanceId: ids[1]! }).map((r) => r.InstanceId)).toEqual([ids[1]]);
  });

  it('lists newest first, filters and pages', () => {
    const h = new Harness(0);
    const [a, b] = h.running(2);
    const first = runCommand(h, [a!]);
    const second = runCommand(h, [b!], { Type: 'RunBatScript', Name: 'two' });
    expect(invocations(h).map((i) => i.InvokeId)).toEqual([second, first]);
    expect(invocations(h, { InstanceId: a! }).map((i) => i.InvokeId)).toEqual([first]);
    expect(invocations(h, { CommandType: 'RunBatScript' }).map((i) => i.InvokeId)).toEqual([second]);
    expect(invocations(h, { CommandName: 'two' }).map((i) => i.InvokeId)).toEqual([second]);
    expect(invocations(h, { InvokeStatus: 'Running' })).toEqual([]);
    expect(invocations(h, { InvokeId: 't-00000000000000000000000000000000' })).toEqual([]);
    const page = h.call('DescribeInvocations', { RegionId: REGION, PageSize: '1', PageNumber: '2' });
    expect(page).toMatchObject({ TotalCount: 2, PageNumber: 2, PageSize: 1 });
    expect((page.Invocations as { Invocation: Obj[] }).Invocation.map((i) => i.InvokeId)).toEqual([first]);
    const tok = h.call('DescribeInvocationResults', { RegionId: REGION, MaxResults: '1' });
    const next = (tok.Invocation as Obj).NextToken as string;
    expect(next).toMatch(/^[0-9a-f]{32}$/);
    const rest = h.call('DescribeInvocationResults', { RegionId: REGION, MaxResults: '1', NextToken: next });
    expect(((rest.Invocation as Obj).InvocationResults as { InvocationResult: Obj[] }).InvocationResult[0]!.InvokeId).toBe(first);
    // Other accounts and regions see nothing.
    expect(h.call('DescribeInvocations', { RegionId: REGION }, 'AK-B')).toMatchObject({ TotalCount: 0 });
    expect(h.call('DescribeInvocations', { RegionId: 'cn-beijing' })).toMatchObject({ TotalCount: 0 });
  });
});

describe('StopInvocation', () => {
  it('cancels a Pending run and terminates a Running one; the invocation is Stopped', () => {
    const h = new Harness(1000);
    const [a, b] = h.running(2);
    const pendingId = runCommand(h, [a!]);
    h.call('StopInvocation', { RegionId: REGION, InvokeId: pendingId });
    expect(results(h, { InvokeId: pendingId })[0]).toMatchObject({ InvocationStatus: 'Cancelled', InvokeRecordStatus: 'Stopped', Output: '' });
    expect(invocations(h, { InvokeId: pendingId })[0]).toMatchObject({ InvokeStatus: 'Stopped', InvocationStatus: 'Stopped' });

    const runningId = runCommand(h, [b!]);
    h.advance(1500);
    h.call('StopInvocation', { RegionId: REGION, InvokeId: runningId, 'InstanceId.1': b! });
    h.advance(10_000);
    expect(results(h, { InvokeId: runningId })[0]).toMatchObject({
      InvocationStatus: 'Terminated',
      InvokeRecordStatus: 'Stopped',
      ErrorCode: 'ExecutionInterrupted',
      StopTime: '2024-05-01T08:00:11Z',
      Output: '',
    });
    expect(invocations(h, { InvokeStatus: 'Stopped' })).toHaveLength(2);
  });

  it('refuses a finished or already stopped invocation with Operation.Forbidden, an unknown one with InvalidInvokeId.NotFound', () => {
    const h = new Harness(1000);
    const [a] = h.running(1);
    const invokeId = runCommand(h, [a!]);
    h.advance(2000);
    expectEcsError(() => h.call('StopInvocation', { RegionId: REGION, InvokeId: invokeId }), 403, 'Operation.Forbidden');
    const other = runCommand(h, [a!]);
    h.call('StopInvocation', { RegionId: REGION, InvokeId: other });
    expectEcsError(() => h.call('StopInvocation', { RegionId: REGION, InvokeId: other }), 403, 'Operation.Forbidden');
    expectEcsError(() => h.call('StopInvocation', { RegionId: REGION, InvokeId: 't-nope' }), 404, 'InvalidInvokeId.NotFound');
    expectEcsError(() => h.call('StopInvocation', { RegionId: REGION, InvokeId: invokeId }, 'AK-B'), 404, 'InvalidInvokeId.NotFound');
    expectEcsError(() => h.call('StopInvocation', { RegionId: REGION, InvokeId: other, ...idParams(Array.from({ length: 51 }, (_, i) => `i-${i}`)) }), 403, 'InstanceIds.ExceedLimit');
  });
});

describe('RunCommand errors', () => {
  const SECRET = 'echo s3cr3t-t0ken';

  function refused(h: Harness, params: Record<string, string>, status: number, code: string): EcsApiError {
    const before = JSON.stringify(h.state.snapshot());
    const err = expectEcsError(
      () => h.call('RunCommand', { RegionId: REGION, Type: 'RunShellScript', CommandContent: SECRET, ...params }),
      status,
      code,
    );
    expect(err.message).not.toContain('s3cr3t');
    expect(JSON.stringify(h.state.snapshot())).toBe(before); // nothing created
    return err;
  }

  it('refuses unknown, foreign and not-Running instances', () => {
    const h = new Harness(1000);
    const [running] = h.running(1);
    const [stopped] = h.stopped(1);
    const [theirs] = h.running(1, {}, 'AK-B');
    const [pending] = h.run(); // still Pending: the clock does not move from here
    refused(h, { 'InstanceId.1': 'i-missing' }, 404, 'InvalidInstance.NotFound');
    refused(h, idParams([running!, 'i-missing']), 404, 'InvalidInstance.NotFound');
    refused(h, { 'InstanceId.1': theirs! }, 404, 'InvalidInstance.NotFound');
    refused(h, { 'InstanceId.1': running!, RegionId: 'cn-beijing' }, 404, 'InvalidInstance.NotFound');
    refused(h, { 'InstanceId.1': stopped! }, 403, 'InvalidInstance.NotMatch');
    refused(h, idParams([running!, pending!]), 403, 'InvalidInstance.NotMatch');
  });

  it('checks type, lengths, encoding, parameters, repeat mode and the instance list', () => {
    const h = new Harness(0);
    const [id] = h.running(1);
    const one = { 'InstanceId.1': id! };
    refused(h, { ...one, Type: 'Shell' }, 403, 'InvalidCmdType.NotFound');
    refused(h, { ...one, Name: 'n'.repeat(129) }, 403, 'CmdName.ExceedLimit');
    refused(h, { ...one, Description: 'd'.repeat(513) }, 403, 'CmdDesc.ExceedLimit');
    refused(h, { ...one, CommandContent: `echo s3cr3t ${'x'.repeat(12_300)}` }, 403, 'CmdContent.ExceedLimit');
    refused(h, { ...one, ContentEncoding: 'Base64', CommandContent: 's3cr3t!!' }, 400, 'InvalidParameter');
    refused(h, { ...one, Parameters: '{"a":"1"}' }, 404, 'Parameter.Disabled');
    const withParams = (p: object) => ({ ...one, EnableParameter: 'true', Parameters: JSON.stringify(p) });
    refused(h, withParams({ other: 'x' }), 403, 'Parameter.NotMatched');
    refused(h, { ...withParams({ a: 'x' }), CommandContent: 'echo {{a}} {{b}} s3cr3t' }, 403, 'Parameter.NotMatched');
    refused(h, withParams(Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v']))), 403, 'ParameterCount.ExceedLimit');
    refused(h, withParams({ '': 'v' }), 403, 'CmdParam.EmptyKey');
    refused(h, withParams({ ['k'.repeat(65)]: 'v' }), 403, 'ParameterKey.ExceedLimit');
    refused(h, { ...one, Timed: 'true' }, 403, 'MissingParam.Frequency');
    refused(h, { ...one, RepeatMode: 'Period', Timed: 'true', Frequency: '0 */20 * * * *' }, 400, 'InvalidParameter');
    refused(h, { ...one, RepeatMode: 'EveryReboot' }, 400, 'InvalidParameter');
    refused(h, {}, 400, 'MissingParameter');
    refused(h, idParams(Array.from({ length: 51 }, (_, i) => `i-${i}`)), 403, 'InstanceIds.ExceedLimit');
    refused(h, { ...one, RegionId: 'xx-nowhere-1' }, 404, 'InvalidRegionId.NotFound');
    // An invalid ContentEncoding means PlainText, as ECS documents.
    const invokeId = runCommand(h, [id!], { ContentEncoding: 'rot13' });
    expect(results(h, { InvokeId: invokeId, ContentEncoding: 'PlainText' })[0]!.Output).toBe('hello\n');
  });
});

describe('snapshot round-trip', () => {
  it('keeps invocations, their timing and their results across snapshot/restore', () => {
    const h = new Harness(1000);
    const [a, b] = h.running(2, { HostName: 'db' });
    const done = runCommand(h, [a!], { CommandContent: 'hostname' });
    h.advance(2000);
    const stopped = runCommand(h, [b!]);
    h.call('StopInvocation', { RegionId: REGION, InvokeId: stopped });
    const live = runCommand(h, [a!, b!]);
    const snap = JSON.parse(JSON.stringify(h.state.snapshot())) as Obj;

    const copy = new Harness(1000);
    copy.now = h.now;
    copy.state.restore(snap);
    for (const x of [h, copy]) {
      expect(results(x, { InvokeId: done, ContentEncoding: 'PlainText' })[0]!.Output).toMatch(/^db\d*\n$/);
      expect(results(x, { InvokeId: stopped })[0]!.InvocationStatus).toBe('Cancelled');
      expect(invocations(x, { InvokeId: live })[0]!.InvokeStatus).toBe('Pending');
      x.advance(2000);
      expect(invocations(x, { InvokeId: live })[0]!.InvokeStatus).toBe('Finished');
    }
    expect(copy.state.snapshot()).toEqual(h.state.snapshot());
  });

  it('restores a snapshot from before Cloud Assistant (no invocations key) and rejects malformed invocations', () => {
    const h = new Harness(0);
    h.running(1);
    const old = h.state.snapshot() as Obj;
    delete old.invocations;
    const copy = new Harness(0);
    copy.state.restore(old);
    expect(invocations(copy)).toEqual([]);
    expect(() => copy.state.restore({ ...old, invocations: [{ invokeId: 1 }] })).toThrow(TypeError);
    expect(() => copy.state.restore({ ...old, invocations: {} })).toThrow(/invocations must be an array/);
  });
});

describe('Cloud Assistant through the official V3 SDK', () => {
  let emu: RunningEmulator;
  let ecs: ReturnType<typeof v3Client>;
  let offset = 0;
  const logs: string[] = [];

  beforeAll(async () => {
    // A clock that only moves when the test says so (starting at real time: the SDK signs with the real clock,
    // which the emulator accepts within 15 minutes).
    const base = Date.now();
    emu = await startEmulator({ port: 0, transitionMs: 5000, accessKeys: [TEST_KEY], now: () => base + offset, logger: (l) => logs.push(l) });
    ecs = v3Client(emu.url, TEST_KEY);
  });
  afterAll(() => emu.close());

  it('runCommand → describeInvocations → describeInvocationResults → stopInvocation', async () => {
    const run = await ecs.runInstances(
      new $Ecs.RunInstancesRequest({ regionId: REGION, imageId: 'aliyun_3_x64_20G_alibase_20240528.vhd', instanceType: 'ecs.g6.large', hostName: 'sdk-host', amount: 1 }),
    );
    const [id] = run.body?.instanceIdSets?.instanceIdSet ?? [];
    offset += 20_000; // Running

    const cmd = await ecs.runCommand(
      new $Ecs.RunCommandRequest({
        regionId: REGION,
        type: 'RunShellScript',
        commandContent: b64("echo 'sdk s3cr3t'\nhostname"),
        contentEncoding: 'Base64',
        instanceId: [id!],
        name: 'sdk-cmd',
        timeout: 120,
      }),
    );
    const invokeId = cmd.body?.invokeId ?? '';
    expect(invokeId).toMatch(/^t-/);
    expect(cmd.body?.commandId).toMatch(/^c-/);

    const describe = async () =>
      (await ecs.describeInvocationResults(new $Ecs.DescribeInvocationResultsRequest({ regionId: REGION, invokeId }))).body
        ?.invocation?.invocationResults?.invocationResult?.[0];
    expect((await describe())?.invocationStatus).toBe('Pending');
    offset += 5000;
    expect((await describe())?.invocationStatus).toBe('Running');
    offset += 5000;
    const done = await describe();
    expect(done).toMatchObject({ invocationStatus: 'Success', invokeRecordStatus: 'Finished', exitCode: 0, instanceId: id });
    expect(unb64(done?.output ?? '')).toBe('sdk s3cr3t\nsdk-host\n');

    const list = await ecs.describeInvocations(new $Ecs.DescribeInvocationsRequest({ regionId: REGION, invokeId, includeOutput: true }));
    const inv = list.body?.invocations?.invocation?.[0];
    expect(inv).toMatchObject({ invokeId, invokeStatus: 'Finished', commandName: 'sdk-cmd', timeout: 120 });
    expect(inv?.invokeInstances?.invokeInstance?.[0]?.instanceInvokeStatus).toBe('Finished');

    // A finished invocation cannot be stopped; a pending one can.
    await expect(ecs.stopInvocation(new $Ecs.StopInvocationRequest({ regionId: REGION, invokeId }))).rejects.toMatchObject({
      code: 'Operation.Forbidden',
      statusCode: 403,
    });
    const next = await ecs.runCommand(
      new $Ecs.RunCommandRequest({ regionId: REGION, type: 'RunShellScript', commandContent: 'echo later', instanceId: [id!] }),
    );
    const stop = await ecs.stopInvocation(new $Ecs.StopInvocationRequest({ regionId: REGION, invokeId: next.body?.invokeId, instanceId: [id!] }));
    expect(stop.statusCode).toBe(200);
    const after = await ecs.describeInvocations(new $Ecs.DescribeInvocationsRequest({ regionId: REGION, invokeId: next.body?.invokeId }));
    expect(after.body?.invocations?.invocation?.[0]?.invokeStatus).toBe('Stopped');

    await expect(
      ecs.runCommand(new $Ecs.RunCommandRequest({ regionId: REGION, type: 'RunShellScript', commandContent: 'echo s3cr3t', instanceId: ['i-bp1nothere'] })),
    ).rejects.toMatchObject({ code: 'InvalidInstance.NotFound', statusCode: 404 });
    // The command content never reaches the log.
    expect(logs.join('\n')).not.toContain('s3cr3t');
    expect(logs.join('\n')).not.toContain(b64("echo 'sdk s3cr3t'\nhostname"));
  });
});
