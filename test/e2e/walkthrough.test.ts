/**
 * The README's walk-through (security group → rule → key pair → instance → data disk → snapshot → command), run as
 * written, step by step, through the gateway (V3 and V1 signing) in front of the emulator with the demo's default
 * EMULATOR_TRANSITION_MS. The emulator's clock is injected: the walk-through's `sleep N` advances it by N seconds
 * (and nothing else does), so its waits are checked against the demo's transition times without wall-clock sleeps.
 * After each step the official SDK (@alicloud/ecs20140526) checks the state directly against the emulator.
 */
import { execFile } from 'node:child_process';
import { createHash, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/gateway/app.js';
import { loadConfig } from '../../src/gateway/config.js';
import { loadEmulatorConfig } from '../../src/emulator/config.js';
import { DEMO_ACCESS_KEY, startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { $Ecs, v3Client } from '../emulator/sdk-clients.js';
import { LogCapture } from '../support/gateway.js';
import { STRICT_CURL } from '../support/strict-curl.js';

const run = promisify(execFile);
const readme = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');
const REGION = 'cn-beijing';
/** The transition time `npm run demo` uses when EMULATOR_TRANSITION_MS is not set. */
const DEMO_TRANSITION_MS = loadEmulatorConfig({}).transitionMs;

/** The walk-through's sh block: the prelude (variables, `body`) and its numbered steps (`# 1. …`). */
function walkthrough(): { prelude: string; steps: string[]; block: string } {
  const start = readme.indexOf('### Walk-through');
  if (start < 0) throw new Error('README has no Walk-through section');
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(start))?.[1];
  if (!block) throw new Error('README Walk-through has no sh block');
  const [prelude, ...steps] = block.split(/^(?=# \d+\. )/m);
  return { prelude: prelude!, steps, block };
}


/** The emulator's clock, moved only by the script's `sleep` (through a tiny local HTTP endpoint). */
class ScriptClock {
  now = Date.now();
  readonly slept: number[] = [];
  private server: Server = createServer((req, res) => {
    const seconds = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('seconds'));
    if (!Number.isFinite(seconds) || seconds < 0) {
      res.writeHead(400).end();
      return;
    }
    this.slept.push(seconds);
    this.now += seconds * 1000;
    res.writeHead(204).end();
  });
  url = '';
  async start(): Promise<void> {
    await new Promise<void>((ok) => this.server.listen(0, '127.0.0.1', ok));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  async close(): Promise<void> {
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }
}

/** The fingerprint ECS shows for the key pair whose private key is `pem`: SHA-1 of its OpenSSH public key blob. */
function fingerprintOfPem(pem: string): string {
  const jwk = createPrivateKey(pem).export({ format: 'jwk' });
  const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, 0].map((_, i) => (b.length >>> (24 - 8 * i)) & 0xff)), b]);
  const mpint = (b64: string) => {
    const raw = Buffer.from(b64, 'base64url');
    return str(raw[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), raw]) : raw);
  };
  const blob = Buffer.concat([str(Buffer.from('ssh-rsa')), mpint(jwk.e!), mpint(jwk.n!)]);
  return createHash('sha1').update(blob).digest('hex').match(/../g)!.join(':');
}

describe.each(['v3', 'v1'] as const)('README walk-through, gateway signing %s', (version) => {
  let emulator: RunningEmulator;
  let gateway: FastifyInstance;
  let base: string;
  const clock = new ScriptClock();
  let dir: string;
  const ecs = () => v3Client(emulator.url, DEMO_ACCESS_KEY);
  const { prelude, steps } = walkthrough();
  /** Shell variables the steps have set so far (`declare -p` lines). */
  let state = '';
  const vars: Record<string, string> = {};

  beforeAll(async () => {
    await clock.start();
    emulator = await startEmulator({ port: 0, accessKeys: [DEMO_ACCESS_KEY], transitionMs: DEMO_TRANSITION_MS, now: () => clock.now });
    const config = loadConfig({ ECS_UPSTREAM_URL: emulator.url, ECS_SIGNATURE_VERSION: version, LOG_LEVEL: 'debug', ECS_TIMEOUT_MS: '60000' }, { homeDir: '/nonexistent' });
    gateway = await buildApp({ config, logStream: new LogCapture() });
    await gateway.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), 'walkthrough-'));
  });
  afterAll(async () => {
    await gateway?.close();
    await emulator?.close();
    await clock.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs step `n` (1-based) as written, after the prelude and the variables of the steps before it; returns stdout. */
  async function step(n: number): Promise<string> {
    const text = steps[n - 1]!;
    const assigned = [...text.matchAll(/^([A-Z_][A-Z0-9_]*)=/gm)].map((m) => m[1]!);
    const sleep = `sleep() { command curl -sS -f -X POST "${clock.url}/?seconds=$1"; }\n`;
    const script = STRICT_CURL + sleep + prelude.replaceAll('http://127.0.0.1:8000', base) + state + text
      + assigned.map((v) => `declare -p ${v} >&3\n`).join('');
    const { stdout, stderr } = await run('bash', ['-c', `exec 3>"${join(dir, 'vars')}"\n${script}`], { cwd: dir })
      .catch((e: { stdout: string; stderr: string }) => { throw new Error(`step ${n} failed:\n${e.stdout}\n${e.stderr}`); });
    expect(stderr).toBe('');
    const declared = readFileSync(join(dir, 'vars'), 'utf8');
    state += declared;
    for (const m of declared.matchAll(/^declare -- ([A-Z_][A-Z0-9_]*)="(.*)"$/gm)) vars[m[1]!] = m[2]!;
    expect(Object.keys(vars)).toEqual(expect.arrayContaining(assigned));
    return stdout;
  }

  it('has the six steps the README names, with waits', () => {
    expect(steps.map((s) => /^# (\d+)\./.exec(s)?.[1])).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(walkthrough().block).toMatch(/^sleep \d+/m);
  });

  it('1. a security group with a rule opening port 443 to 0.0.0.0/0', async () => {
    const out = await step(1);
    expect(vars.SG).toMatch(/^sg-/);
    expect(out).toContain(`"SecurityGroupId":"${vars.SG}"`);
    const attr = (await ecs().describeSecurityGroupAttribute(new $Ecs.DescribeSecurityGroupAttributeRequest({ regionId: REGION, securityGroupId: vars.SG }))).body!;
    expect(attr.securityGroupName).toBe('web');
    const rules = attr.permissions!.permission!.map((p) => [p.direction, p.ipProtocol?.toLowerCase(), p.portRange, p.sourceCidrIp]);
    expect(rules).toContainEqual(['ingress', 'tcp', '443/443', '0.0.0.0/0']);
  });

  it('2. a key pair whose private key is saved to walk-key.pem', async () => {
    await step(2);
    const pem = readFileSync(join(dir, 'walk-key.pem'), 'utf8');
    expect(pem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    const pairs = (await ecs().describeKeyPairs(new $Ecs.DescribeKeyPairsRequest({ regionId: REGION, keyPairName: 'walk-key' }))).body!.keyPairs!.keyPair!;
    expect(pairs).toHaveLength(1);
    // the fingerprint ECS keeps is the one of the public half of the saved private key
    expect(pairs[0]!.keyPairFingerPrint).toBe(fingerprintOfPem(pem));
  });

  it('3. an instance in that group with that key pair, tagged, Running after the wait', async () => {
    const before = clock.now;
    await step(3);
    expect(clock.now).toBeGreaterThan(before); // the step waits, and the wait is what makes it Running
    expect(vars.ID).toMatch(/^i-/);
    expect(vars.ZONE).toMatch(/^cn-beijing-/);
    const inst = (await ecs().describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: REGION, instanceIds: JSON.stringify([vars.ID]) }))).body!.instances!.instance![0]!;
    expect(inst.status).toBe('Running');
    expect(inst.zoneId).toBe(vars.ZONE);
    expect(inst.hostName).toBe('walk-1');
    expect(inst.securityGroupIds!.securityGroupId).toEqual([vars.SG]);
    expect(inst.keyPairName).toBe('walk-key');
    expect(inst.tags!.tag!.map((t) => [t.tagKey, t.tagValue])).toContainEqual(['env', 'walk']);
  });

  it('4. a 40 GiB data disk in its zone, In_use on the instance', async () => {
    const out = await step(4);
    expect(vars.DISK).toMatch(/^d-/);
    expect(out).toContain('"Status":"In_use"');
    const disk = (await ecs().describeDisks(new $Ecs.DescribeDisksRequest({ regionId: REGION, diskIds: JSON.stringify([vars.DISK]) }))).body!.disks!.disk![0]!;
    expect([disk.status, disk.instanceId, disk.type, disk.size, disk.zoneId]).toEqual(['In_use', vars.ID, 'data', 40, vars.ZONE]);
  });

  it('5. a snapshot of that disk, accomplished', async () => {
    const out = await step(5);
    expect(vars.SNAP).toMatch(/^s-/);
    expect(out).toContain('"Status":"accomplished"');
    const snaps = (await ecs().describeSnapshots(new $Ecs.DescribeSnapshotsRequest({ regionId: REGION, diskId: vars.DISK }))).body!.snapshots!.snapshot!;
    expect(snaps.map((s) => [s.snapshotId, s.sourceDiskId, s.status, s.snapshotName])).toEqual([[vars.SNAP, vars.DISK, 'accomplished', 'data-1-first']]);
  });

  it('6. a command on the instance, finished, printing walk-1', async () => {
    const out = await step(6);
    expect(vars.INVOKE).toMatch(/^t-/);
    expect(out.trim()).toBe('walk-1'); // the README's `# walk-1`: output as plain text
    const result = (await ecs().describeInvocationResults(new $Ecs.DescribeInvocationResultsRequest({ regionId: REGION, invokeId: vars.INVOKE }))).body!
      .invocation!.invocationResults!.invocationResult!;
    expect(result).toHaveLength(1);
    expect([result[0]!.instanceId, result[0]!.invocationStatus, result[0]!.exitCode]).toEqual([vars.ID, 'Success', 0]);
    expect(Buffer.from(result[0]!.output!, 'base64').toString()).toBe('walk-1\n');
  });

  it('waited exactly the README\'s sleeps, and nothing else moved the clock', () => {
    const sleeps = [...walkthrough().block.matchAll(/^sleep (\d+)/gm)].map((m) => Number(m[1]));
    expect(clock.slept).toEqual(sleeps);
  });
});
