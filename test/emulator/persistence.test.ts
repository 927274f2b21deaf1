/**
 * EMULATOR_STATE_FILE: instances survive a restart; the file is written after changes
 * (not only on close), atomically, and a corrupt file stops the start.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/server.js';
import { TEST_KEY } from './helpers.js';
import { $Ecs, v3Client } from './sdk-clients.js';

const RUN = { regionId: 'cn-hangzhou', imageId: 'aliyun_3_x64_20G_alibase_20240528.vhd', instanceType: 'ecs.g6.large' };

async function waitFor(check: () => boolean, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('state file', () => {
  it('keeps instances and their status across a restart', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ecs-emu-')), 'state.json');
    const first = await startEmulator({ port: 0, transitionMs: 0, accessKeys: [TEST_KEY], stateFile: file });
    const ecs1 = v3Client(first.url, TEST_KEY);
    const ids = (await ecs1.runInstances(new $Ecs.RunInstancesRequest({ ...RUN, amount: 2 }))).body?.instanceIdSets?.instanceIdSet ?? [];
    await ecs1.stopInstances(new $Ecs.StopInstancesRequest({ regionId: 'cn-hangzhou', instanceId: [ids[0] as string] }));
    // Written after the change, before any close: a crash would not lose it.
    await waitFor(() => existsSync(file) && readFileSync(file, 'utf8').includes(ids[0] as string));
    await first.close();

    const second = await startEmulator({ port: 0, transitionMs: 0, accessKeys: [TEST_KEY], stateFile: file });
    try {
      const res = await v3Client(second.url, TEST_KEY).describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou' }));
      const seen = (res.body?.instances?.instance ?? []).map((i) => [i.instanceId, i.status]).sort();
      expect(seen).toEqual([[ids[0], 'Stopped'], [ids[1], 'Running']].sort());
    } finally {
      await second.close();
    }
    expect(readdirSync(join(file, '..'))).toEqual(['state.json']);
  });

  it('writes the whole document each time (temp file + rename), never a partial one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecs-emu-'));
    const file = join(dir, 'state.json');
    const emu = await startEmulator({ port: 0, transitionMs: 0, accessKeys: [TEST_KEY], stateFile: file });
    const ecs = v3Client(emu.url, TEST_KEY);
    for (let i = 0; i < 5; i++) {
      await ecs.runInstances(new $Ecs.RunInstancesRequest(RUN));
      if (existsSync(file)) expect(JSON.parse(readFileSync(file, 'utf8')).format).toBe('ecs-emulator-state');
    }
    await emu.close();
    expect(JSON.parse(readFileSync(file, 'utf8')).format).toBe('ecs-emulator-state');
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  it('refuses to start from a corrupt state file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ecs-emu-')), 'state.json');
    writeFileSync(file, '{"format":"something-else"}');
    await expect(startEmulator({ port: 0, accessKeys: [TEST_KEY], stateFile: file })).rejects.toThrow(/not an ecs-emulator-state/);
  });
});
