import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { FastifyInstance } from 'fastify';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOMAIN_TAGS, SCHEMA_OPTIONS } from '../../scripts/ecs-openapi.js';
import { ECS_TARGET, MAIN_TARGET, renderEcsOpenApi, renderOpenApi } from '../../scripts/generate-openapi.js';
import { buildApp } from '../../src/gateway/app.js';
import { loadConfig } from '../../src/gateway/config.js';
import { listActions } from '../../src/gateway/ecs/catalog/index.js';
import type { Action, Param } from '../../src/gateway/ecs/catalog/types.js';
import { fieldSpellings } from '../../src/gateway/ecs/names.js';
import { actionSchemaWith } from '../../src/gateway/ecs/schema.js';
import { ECS_DOCUMENT_URL, MAIN_DOCUMENT_URL, registerEcsDocs } from '../../src/gateway/plugins/docs.js';
import { commonFields } from '../../src/gateway/schemas/common.js';

type Operation = {
  operationId: string; tags: string[]; summary: string; 'x-read-only': boolean;
  requestBody: { required: boolean; content: { 'application/json': { schema: { $ref: string }; example: Record<string, unknown> } } };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema: { $ref: string } }> }>;
};
type Doc = {
  openapi: string; info: { description: string };
  tags: Array<{ name: string; description: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Record<string, unknown>>; responses: Record<string, unknown>; securitySchemes: Record<string, unknown> };
  security: unknown[];
};

const committedText = readFileSync(ECS_TARGET, 'utf8');
const doc = JSON.parse(committedText) as Doc;
const mainDoc = JSON.parse(await renderOpenApi()) as Doc;
const actions = listActions();
const operations = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));

/** Every `example` value anywhere below `node`, with where it is. */
function examples(node: unknown, at = ''): Array<{ at: string; value: unknown }> {
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([k, v]) => (k === 'example' ? [{ at, value: v }, ...examples(v, `${at}.${k}`)] : examples(v, `${at}.${k}`)));
}

/** Secret names that must never carry a real value: the catalog's secret parameters plus the gateway's own. */
const SECRET_NAMES = ['Password', 'VncPassword', 'UserData', 'CommandContent', 'Content', 'BuildContent', 'TestContent', 'Parameters', 'PrivateKeyBody',
  'accessKeySecret', 'securityToken', 'authorization'];

/** Every secret parameter of an action, as the member lists it sits in (to match any spelling, at any depth). */
function secretParams(params: readonly Param[]): Param[] {
  return params.flatMap((p) => {
    const inner = p.type === 'object' ? p.members ?? [] : p.type === 'array' && p.items.type === 'object' ? p.items.members ?? [] : [];
    return [...(p.secret ? [p] : []), ...secretParams(inner)];
  });
}

/**
 * Where a secret sits in an example value: keys naming a secret (any spelling) whose value is not a
 * `<Name>` placeholder, at any depth.
 */
function secretsIn(value: unknown, secretKeys: ReadonlySet<string>, at = ''): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const here = `${at}.${k}`;
    const leak = secretKeys.has(k) && !(typeof v === 'string' && /^<\w+>$/.test(v)) ? [here] : [];
    return [...leak, ...secretsIn(v, secretKeys, here)];
  });
}

const secretKeysOf = (action: Action): Set<string> =>
  new Set([...secretParams(action.params).map((p) => p.name), ...SECRET_NAMES].flatMap((n) => fieldSpellings(n)));

describe('the OpenAPI document of every ECS action', () => {
  it('is valid OpenAPI 3 (swagger-parser; the main document is checked in openapi.test.ts)', async () => {
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeTruthy();
    expect(doc.openapi).toBe('3.0.3');
  }, 60_000);

  it('swagger-parser would catch a broken one (a reference to nothing)', async () => {
    const broken = structuredClone(doc);
    broken.paths['/api/ecs/DescribeDisks']!.post!.requestBody.content['application/json'].schema.$ref = '#/components/schemas/NoSuchSchema';
    await expect(SwaggerParser.validate(broken as never)).rejects.toThrow(/NoSuchSchema/);
  });

  it('is what `npm run openapi` generates now (run it after changing the catalog or a schema)', async () => {
    expect(await renderEcsOpenApi()).toBe(committedText);
  }, 60_000);

  it('has one POST /api/ecs/{Action} operation per catalog action, operationId = the action, tagged by its domain', () => {
    expect(actions).toHaveLength(380);
    expect(operations).toHaveLength(actions.length);
    for (const action of actions) {
      const found = operations.filter((o) => o.op.operationId === action.name);
      expect(found.map((o) => `${o.method} ${o.path}`), action.name).toEqual([`post /api/ecs/${action.name}`]);
      const { op } = found[0]!;
      expect(op.tags, action.name).toEqual([DOMAIN_TAGS[action.domain].name]);
      expect(op['x-read-only'], action.name).toBe(action.readOnly);
      expect(op.summary, action.name).toBe(action.description);
      expect(op.requestBody.content['application/json'].schema.$ref).toBe(`#/components/schemas/${action.name}Request`);
    }
  });

  it('declares every tag it uses, with a description, instances first', () => {
    const used = new Set(operations.flatMap((o) => o.op.tags));
    expect(doc.tags.map((t) => t.name).sort()).toEqual([...used].sort());
    expect(doc.tags[0]!.name).toBe('Instances');
    for (const tag of doc.tags) expect(tag.description.length, tag.name).toBeGreaterThan(10);
    expect([...used]).toEqual(expect.arrayContaining(['Instances', 'Disks', 'Snapshots', 'Security groups', 'Networking', 'Images', 'Cloud Assistant', 'Tags', 'Key pairs']));
  });

  it('documents each action\'s parameters in lowerCamelCase with their wire names, plus the credential fields', () => {
    for (const action of actions) {
      const schema = doc.components.schemas[`${action.name}Request`] as { properties: Record<string, { 'x-wire-name'?: string }>; required?: string[]; additionalProperties: boolean };
      const params = action.params.filter((p) => !p.internal);
      expect(Object.keys(schema.properties).sort(), action.name)
        .toEqual([...params.map((p) => fieldSpellings(p.name)[0]!), 'accessKeyId', 'accessKeySecret', 'securityToken', 'endpoint'].sort());
      for (const p of params) expect(schema.properties[fieldSpellings(p.name)[0]!]!['x-wire-name']).toBe(p.name);
      expect(schema.required ?? [], action.name).toEqual(params.filter((p) => p.required).map((p) => fieldSpellings(p.name)[0]!));
      expect(schema.additionalProperties).toBe(false);
    }
  });

  it('gives every operation the envelope for 200 and the shared Error responses for 4XX and 5XX (one Error schema, referenced)', () => {
    for (const { op } of operations) {
      expect(op.responses['200']!.content!['application/json']!.schema.$ref).toBe('#/components/schemas/Envelope');
      expect(op.responses['4XX']).toEqual({ $ref: '#/components/responses/ClientError' });
      expect(op.responses['5XX']).toEqual({ $ref: '#/components/responses/ServerError' });
    }
    expect(doc.components.schemas.Error).toEqual(mainDoc.components.schemas.Error);
    expect(committedText.match(/"Stable machine-readable code/g)).toHaveLength(1);
  });

  it('has the security schemes and requirements of the main document', () => {
    expect(doc.components.securitySchemes).toEqual(mainDoc.components.securitySchemes);
    expect(doc.security).toEqual(mainDoc.security);
  });

  it('links the two documents to each other', () => {
    expect(doc.info.description).toContain('[/docs](/docs)');
    expect(mainDoc.info.description).toContain('[/docs/ecs](/docs/ecs)');
  });

  it('gives every operation an example body that the action\'s validation accepts', () => {
    for (const action of actions) {
      const example = doc.paths[`/api/ecs/${action.name}`]!.post!.requestBody.content['application/json'].example;
      const result = actionSchemaWith(action, commonFields, SCHEMA_OPTIONS).safeParse(example);
      expect(result.success ? [] : result.error.issues, action.name).toEqual([]);
      for (const p of action.params.filter((q) => q.required && !q.internal)) expect(example, action.name).toHaveProperty(fieldSpellings(p.name)[0]!);
    }
  });

  it('has no secret in any example: secret parameters get none, a required one only a <Name> placeholder', () => {
    let placeholders = 0;
    for (const action of actions) {
      const schema = doc.components.schemas[`${action.name}Request`]!;
      const op = doc.paths[`/api/ecs/${action.name}`]!.post!;
      const found = [...examples(schema), ...examples(op)].flatMap(({ at, value }) => secretsIn(value, secretKeysOf(action), at));
      expect(found, action.name).toEqual([]);
      // Secret properties carry no example of their own.
      const props = (schema as { properties: Record<string, { 'x-secret'?: boolean; example?: unknown }> }).properties;
      for (const p of action.params.filter((q) => q.secret)) expect(props[fieldSpellings(p.name)[0]!], `${action.name} ${p.name}`).toMatchObject({ 'x-secret': true });
      for (const prop of Object.values(props)) if (prop['x-secret']) expect(prop.example).toBeUndefined();
      placeholders += JSON.stringify(op.requestBody.content['application/json'].example).match(/"<\w+>"/g)?.length ?? 0;
    }
    expect(placeholders).toBeGreaterThan(0);
    // Nothing that looks like a credential anywhere in the examples, by value.
    expect(JSON.stringify(examples(doc))).not.toMatch(/LTAI[0-9A-Za-z]{8,}|Bearer [^<]|-----BEGIN/);
  });

  it('the secret check finds a secret where there is one (any spelling, any depth)', () => {
    const runInstances = actions.find((a) => a.name === 'RunInstances')!;
    const keys = secretKeysOf(runInstances);
    expect(secretsIn({ password: 'Hunter2!' }, keys)).toEqual(['.password']);
    expect(secretsIn({ launch: { user_data: 'IyEvYmluL3No' } }, keys)).toEqual(['.launch.user_data']);
    expect(secretsIn({ accessKeySecret: 'x' }, keys)).toEqual(['.accessKeySecret']);
    expect(secretsIn({ Password: '<Password>' }, keys)).toEqual([]);
  });
});

describe('/docs/ecs and /docs/ecs/json', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    // With API keys: the docs stay public, as /docs is.
    const config = loadConfig({ LOG_LEVEL: 'silent', GATEWAY_API_KEYS: 'k'.repeat(32) }, { homeDir: '/nonexistent' });
    app = await buildApp({ config });
    await app.ready();
  });
  afterAll(async () => app.close());

  it('serves the committed document, byte for byte, without a key', async () => {
    const res = await app.inject({ url: '/docs/ecs/json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.rawPayload.equals(readFileSync(ECS_DOCUMENT_URL))).toBe(true);
    expect(res.body).toBe(committedText);
  });

  it('answers a revalidation with 304 (ETag)', async () => {
    const first = await app.inject({ url: '/docs/ecs/json' });
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await app.inject({ url: '/docs/ecs/json', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it.each(['/docs/ecs', '/docs/ecs/'])('%s is the Swagger UI page for it, without a key', async (url) => {
    const res = await app.inject({ url });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain("url: '/docs/ecs/json'");
    // Its assets are the ones /docs serves.
    for (const asset of res.body.match(/\/docs\/static\/[\w.-]+/g)!) {
      expect((await app.inject({ url: asset })).statusCode, asset).toBe(200);
    }
  });

  it('keeps /docs/json public and /api behind the key', async () => {
    expect((await app.inject({ url: '/docs/json' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/regions' })).statusCode).toBe(401);
  });

  it('is part of the build, next to the compiled plugin (npm start and the Docker image run dist/src only)', () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const read = ts.readConfigFile(join(root, 'tsconfig.build.json'), ts.sys.readFile);
    const build = ts.parseJsonConfigFileContent(read.config, ts.sys, root);
    expect(build.fileNames).toContain(ECS_TARGET);
    // The plugin finds it at the same place relative to itself in src/ and in dist/src/.
    expect(relative(join(root, 'src'), fileURLToPath(ECS_DOCUMENT_URL))).toBe(relative(join(root, 'src'), ECS_TARGET));
    expect(build.options.rootDir).toBe(root.replace(/\/$/, ''));
  });

  it('serves the main document from its generated file (no build at start-up), which the build ships too', async () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const served = (await app.inject({ url: '/docs/json' })).json() as Doc;
    expect(served).toEqual(JSON.parse(readFileSync(MAIN_TARGET, 'utf8')));
    expect(relative(join(root, 'src'), fileURLToPath(MAIN_DOCUMENT_URL))).toBe(relative(join(root, 'src'), MAIN_TARGET));
    const read = ts.readConfigFile(join(root, 'tsconfig.build.json'), ts.sys.readFile);
    expect(ts.parseJsonConfigFileContent(read.config, ts.sys, root).fileNames).toContain(MAIN_TARGET);
  });

  it('leaves its own routes out of the main document', async () => {
    const main = (await app.inject({ url: '/docs/json' })).json() as Doc;
    expect(Object.keys(main.paths).filter((p) => p.startsWith('/docs'))).toEqual([]);
  });

  it('reads the file once, and again only after a failed read', async () => {
    const { default: Fastify } = await import('fastify');
    const dir = mkdtempSync(join(tmpdir(), 'ecs-docs-'));
    const file = join(dir, 'ecs.json');
    const bare = Fastify();
    registerEcsDocs(bare, pathToFileURL(file));
    try {
      expect((await bare.inject({ url: '/docs/ecs/json' })).statusCode).toBe(500);
      writeFileSync(file, '{"v":1}');
      expect((await bare.inject({ url: '/docs/ecs/json' })).body).toBe('{"v":1}');
      writeFileSync(file, '{"v":2}');
      expect((await bare.inject({ url: '/docs/ecs/json' })).body).toBe('{"v":1}');
    } finally {
      await bare.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
