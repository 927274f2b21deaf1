/**
 * A stand-in for node:fs/promises in the persistence tests, installed per file with
 *   vi.mock('node:fs/promises', async (real) => (await import('./fs-spy.js')).spiedFsPromises(await real()));
 * It tells the test when a write has landed (so nothing polls on a clock), and can make
 * writeFile crash midway: half the data reaches the file it was given, then it throws.
 */
import type * as FsPromises from 'node:fs/promises';

type Fs = typeof FsPromises;

const listeners = new Set<() => void>();

export const fsSpy = {
  /** While true, every writeFile writes the first half of its data, then fails with ENOSPC. */
  crashWrites: false,
};

function landed(): void {
  for (const listener of [...listeners]) listener();
}

/** Resolves once `check()` holds: checked now and after every completed writeFile and rename. */
export function afterWrites(check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const listener = () => {
      if (!check()) return;
      listeners.delete(listener);
      resolve();
    };
    listeners.add(listener);
    listener();
  });
}

export function spiedFsPromises(real: Fs): Fs {
  const writeFile: Fs['writeFile'] = async (file, data, options) => {
    if (fsSpy.crashWrites && typeof data === 'string') {
      await real.writeFile(file, data.slice(0, Math.floor(data.length / 2)), options);
      landed();
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    }
    await real.writeFile(file, data, options);
    landed();
  };
  const rename: Fs['rename'] = async (from, to) => {
    await real.rename(from, to);
    landed();
  };
  return { ...real, writeFile, rename };
}
