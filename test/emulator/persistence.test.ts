/**
 * EMULATOR_STATE_FILE: instances survive a restart; the file is written after changes
 * (not only on close), atomically (a save that dies midway leaves the previous file whole),
 * and a corrupt file stops the start.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadStateFile } from '../../src/emulator/persistence.js';
import { startEmulator } from '../../src/emulator/server.js';
import { afterWrites, fsSpy } from './fs-spy.js';
import { TEST_KEY } from './helpers.js';
import { $Ecs, v3Client } from './sdk-clients.js';

// The emulator's writes go through a spy: the tests wait for a write to land instead of polling a clock.
vi.mock('node:fs/promises', async (real) => (await import('./fs-spy.js')).spiedFsPromises(await real()));
afterEach(() => {
  fsSpy.crashWrites = false;
});

const RUN = { regionId: 'cn-hangzhou', imageId: 'aliyun_3_x64_20G_alibase_20240528.vhd', instanceType: 'ecs.g6.large' };

/** True once `file` exists and holds `text`. */
const fileHolds = (file: string, text: string) => () => existsSync(file) && readFileSync(file, 'utf8').includes(text);

describe('state file', () => {
  it('keeps instances and their status across a restart', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ecs-emu-')), 'state.json');
    const first = await startEmulator({ port: 0, transitionMs: 0, accessKeys: [TEST_KEY], stateFile: file });
    const ecs1 = v3Client(first.url, TEST_KEY);
    const ids = (await ecs1.runInstances(new $Ecs.RunInstancesRequest({ ...RUN, amount: 2 }))).body?.instanceIdSets?.instanceIdSet ?? [];
    await ecs1.stopInstances(new $Ecs.StopInstancesRequest({ regionId: 'cn-hangzhou', instanceId: [ids[0] as string] }));
    // Written after the change, before any close: a crash would not lose it.
    await afterWrites(fileHolds(file, ids[0] as string));
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

  it('never leaves a partial file: a save that dies midway keeps the previous whole document', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecs-emu-'));
    const file = join(dir, 'state.json');
    let reportFailure: (line: string) => void = () => {};
    const failure = new Promise<string>((resolve) => { reportFailure = resolve; });
    const emu = await startEmulator({
      port: 0, transitionMs: 0, accessKeys: [TEST_KEY], stateFile: file,
      logger: (line) => { if (line.startsWith('state file write failed')) reportFailure(line); },
    });
    const ecs = v3Client(emu.url, TEST_KEY);
    const run = async () => (await ecs.runInstances(new $Ecs.RunInstancesRequest(RUN))).body?.instanceIdSets?.instanceIdSet?.[0] as string;
    try {
      const first = await run();
      await afterWrites(fileHolds(file, first));

      // The next save dies halfway through writing (disk full, crash): the file still holds the first save, whole.
      fsSpy.crashWrites = true;
      const second = await run();
      expect(await failure).toContain('ENOSPC');
      const kept = loadStateFile(file);
      expect(JSON.stringify(kept)).toContain(first);
      expect(JSON.stringify(kept)).not.toContain(second);

      // Writes work again afterwards, and no temp file is left behind.
      fsSpy.crashWrites = false;
      const third = await run();
      await afterWrites(fileHolds(file, third));
      expect(readFileSync(file, 'utf8')).toContain(second);
    } finally {
      await emu.close();
    }
    expect(loadStateFile(file)).toBeDefined();
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  it('refuses to start from a corrupt state file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ecs-emu-')), 'state.json');
    writeFileSync(file, '{"format":"something-else"}');
    await expect(startEmulator({ port: 0, accessKeys: [TEST_KEY], stateFile: file })).rejects.toThrow(/not an ecs-emulator-state/);
  });
});
