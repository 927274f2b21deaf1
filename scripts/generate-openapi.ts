/**
 * Writes openapi/openapi.json from the running route schemas (the same zod schemas that validate).
 * `--check` exits 1 when the committed file is stale instead of writing it.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../src/gateway/app.js';
import { loadConfig } from '../src/gateway/config.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const target = resolve(root, 'openapi/openapi.json');

/** The OpenAPI document as served at /docs/json, serialised stably. */
export async function renderOpenApi(): Promise<string> {
  const config = loadConfig({ LOG_LEVEL: 'silent' }, { homeDir: '/nonexistent' });
  const app = await buildApp({ config });
  try {
    await app.ready();
    return `${JSON.stringify(app.swagger(), null, 2)}\n`;
  } finally {
    await app.close();
  }
}

async function main(): Promise<void> {
  const fresh = await renderOpenApi();
  if (process.argv.includes('--check')) {
    let committed = '';
    try {
      committed = readFileSync(target, 'utf8');
    } catch { /* missing counts as stale */ }
    if (committed !== fresh) {
      process.stderr.write('openapi/openapi.json is stale: run `npm run openapi` and commit the result\n');
      process.exit(1);
    }
    process.stdout.write('openapi/openapi.json is up to date\n');
    return;
  }
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, fresh);
  process.stdout.write(`wrote ${target}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
