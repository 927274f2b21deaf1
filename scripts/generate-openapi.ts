/**
 * Writes the two OpenAPI documents:
 * - src/gateway/openapi/openapi.json, the curated routes, from the running route schemas (the same zod
 *   schemas that validate), served at /docs/json as a file;
 * - src/gateway/openapi/ecs.json, every ECS action (scripts/ecs-openapi.ts), as served at /docs/ecs/json.
 *   It lives under src/ so that the build (tsconfig.build.json includes it) copies it to dist/src/, which
 *   is what `npm start` and the Docker image run; the gateway serves its bytes, read once.
 * `--check` exits 1 when a committed file is stale instead of writing it.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../src/gateway/app.js';
import { loadConfig } from '../src/gateway/config.js';
import { buildEcsOpenApi } from './ecs-openapi.js';
import { runIfMain, writeOrCheck } from './lib/generated-files.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const MAIN_TARGET = resolve(root, 'src/gateway/openapi/openapi.json');
export const ECS_TARGET = resolve(root, 'src/gateway/openapi/ecs.json');

/** The OpenAPI document as served at /docs/json, serialised stably. */
export async function renderOpenApi(): Promise<string> {
  const config = loadConfig({ LOG_LEVEL: 'silent' }, { homeDir: '/nonexistent' });
  const app = await buildApp({ config, openapiFromRoutes: true });
  try {
    await app.ready();
    return `${JSON.stringify(app.swagger(), null, 2)}\n`;
  } finally {
    await app.close();
  }
}

/**
 * JSON with the first levels on their own lines and everything deeper on one line: each path (each
 * action) and each component schema is one line. A change to one action is a one-line diff, and the file
 * is about the size of compact JSON (the gateway serves it as it is).
 */
export function layeredJson(value: unknown, expand: (path: readonly string[]) => boolean, path: string[] = []): string {
  if (typeof value !== 'object' || value === null || !expand(path)) return JSON.stringify(value);
  const indent = '  '.repeat(path.length + 1);
  const close = '  '.repeat(path.length);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v, i) => indent + layeredJson(v, expand, [...path, String(i)])).join(',\n')}\n${close}]`;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${indent}${JSON.stringify(k)}: ${layeredJson(v, expand, [...path, k])}`).join(',\n')}\n${close}}`;
}

/** The top level, the paths, the tags and the components' maps are expanded. */
const ECS_LAYOUT = (path: readonly string[]): boolean =>
  path.length === 0 || (path.length === 1 && ['paths', 'components', 'tags'].includes(path[0]!)) || (path.length === 2 && path[0] === 'components');

/** The document of every ECS action as served at /docs/ecs/json; `mainDocument` is the text of the main one (for the shared Error schema). */
export async function renderEcsOpenApi(mainDocument?: string): Promise<string> {
  const main = JSON.parse(mainDocument ?? await renderOpenApi()) as { components: { schemas: Record<string, unknown> } };
  return `${layeredJson(buildEcsOpenApi({ errorSchema: main.components.schemas.Error }), ECS_LAYOUT)}\n`;
}

runIfMain(import.meta.url, async () => {
  const mainDoc = await renderOpenApi();
  writeOrCheck([
    { target: MAIN_TARGET, text: mainDoc },
    { target: ECS_TARGET, text: await renderEcsOpenApi(mainDoc) },
  ], 'npm run openapi');
});
