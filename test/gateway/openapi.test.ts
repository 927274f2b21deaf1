import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { renderOpenApi } from '../../scripts/generate-openapi.js';
import { RESOURCE_ROUTES } from '../../src/gateway/routes/resources.js';

type Operation = { operationId?: string; tags?: string[]; requestBody?: unknown; parameters?: unknown[]; responses: Record<string, unknown>; security?: unknown[] };
type Requirement = Record<string, string[]>;
const doc = JSON.parse(await renderOpenApi()) as {
  openapi: string; tags?: { name: string; description?: string }[]; paths: Record<string, Record<string, Operation>>; security: Requirement[];
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, Record<string, string>> };
};
const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));

/** Every `example` value anywhere below `node`. */
function examples(node: unknown): unknown[] {
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([k, v]) => (k === 'example' ? [v, ...examples(v)] : examples(v)));
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3 and lists every route of the seed plus ours', () => {
    expect(doc.openapi).toBe('3.0.3');
    expect(operations.map(({ method, path }) => `${method.toUpperCase()} ${path}`).sort()).toEqual([
      'GET /api/ecs', 'GET /api/ecs/{Action}', 'GET /api/images', 'GET /api/instance-types', 'GET /api/instances', 'GET /api/instances/{instanceId}', 'GET /api/regions',
      'GET /api/zones', 'GET /healthz', 'GET /readyz', 'POST /api/ecs/{Action}', 'POST /api/instances', 'PUT /api/instances/reboot',
      'PUT /api/instances/start', 'PUT /api/instances/stop', 'PUT /api/instances/terminate',
      // The resource routes of issue 9 (test/gateway/routes-resources.test.ts checks each one's tag and examples).
      ...RESOURCE_ROUTES.map((r) => `${r.method} /api${r.url.replace(/:(\w+)/g, '{$1}')}`),
      // Issue 10's inventory across regions.
      'GET /api/inventory/{kind}',
    ].sort());
  });

  it('validates as OpenAPI 3 (swagger-parser)', async () => {
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeTruthy();
  });

  it('points to the document of every ECS action', () => {
    expect((doc as unknown as { info: { description: string } }).info.description).toContain('[/docs/ecs](/docs/ecs)');
  });

  it.each(operations)('$method $path has a 200 example, and body routes a request example', ({ op }) => {
    expect(examples(op.responses['200']).length).toBeGreaterThan(0);
    if (op.requestBody) expect(examples(op.requestBody).length).toBeGreaterThan(0);
  });

  it('declares every tag an operation uses, once, with a description, and no tag no operation uses', () => {
    const declared = doc.tags ?? [];
    const used = new Set(operations.flatMap(({ op }) => op.tags ?? []));
    for (const { method, path, op } of operations) expect(op.tags?.length, `${method} ${path} has a tag`).toBeGreaterThan(0);
    expect(declared.map((t) => t.name).sort()).toEqual([...used].sort());
    expect(new Set(declared.map((t) => t.name)).size).toBe(declared.length);
    for (const tag of declared) expect(tag.description?.trim(), `tag ${tag.name} has a description`).toBeTruthy();
    // the resource tags of issue 9 are among them
    expect([...used]).toEqual(expect.arrayContaining(['Disks', 'Snapshots', 'Images', 'Security groups', 'Key pairs', 'Tags', 'Networking', 'Cloud Assistant', 'Pricing', 'ECS']));
  });

  it('documents the one error shape for 4xx and 5xx on every /api route', () => {
    for (const { path, op } of operations.filter((o) => o.path.startsWith('/api'))) {
      expect(JSON.stringify(op.responses['4XX']), path).toContain('#/components/schemas/Error');
      expect(JSON.stringify(op.responses['5XX']), path).toContain('#/components/schemas/Error');
    }
    expect(Object.keys(doc.components.schemas)).toEqual(['Error']);
  });

  it('keeps the original operation ids, so generated clients keep working', () => {
    const ids = operations.map((o) => o.op.operationId).filter(Boolean);
    expect(ids).toEqual(expect.arrayContaining(['Instance_ListRegions', 'Instance_ListImages', 'Instance_ListInstanceTypes',
      'Instance_ListInstances', 'Instance_CreateInstances', 'Instance_StartInstances', 'Instance_StopInstances',
      'Instance_RebootInstances', 'Instance_DeleteInstances', 'Ecs_CallAction', 'Ecs_ListActions', 'Ecs_DescribeAction']));
  });

  it('has no secrets in its examples', () => {
    const text = JSON.stringify(examples(doc));
    expect(text).not.toMatch(/accessKeySecret|securityToken|password|Bearer /i);
  });

  it('declares the credential headers as security schemes, so "Authorize" in /docs sends them as headers', () => {
    expect(doc.components.securitySchemes).toMatchObject({
      gatewayApiKey: { type: 'http', scheme: 'bearer' },
      accessKeyId: { type: 'apiKey', in: 'header', name: 'X-Access-Key-Id' },
      accessKeySecret: { type: 'apiKey', in: 'header', name: 'X-Access-Key-Secret' },
      securityToken: { type: 'apiKey', in: 'header', name: 'X-Security-Token' },
    });
  });

  it('combines them as the gateway does: the key and the AccessKey pair each optional, the pair together, a token only with it', () => {
    const sets = doc.security.map((r) => Object.keys(r).sort().join('+'));
    expect(sets.sort()).toEqual([
      '', 'accessKeyId+accessKeySecret', 'accessKeyId+accessKeySecret+gatewayApiKey', 'accessKeyId+accessKeySecret+gatewayApiKey+securityToken',
      'accessKeyId+accessKeySecret+securityToken', 'gatewayApiKey',
    ]);
    // /api operations inherit it; the probes need nothing.
    for (const { path, op } of operations) {
      if (path.startsWith('/api')) expect(op.security, path).toBeUndefined();
      else expect(op.security, path).toEqual([]);
    }
  });

  it('is what src/gateway/openapi/openapi.json holds (run `npm run openapi` after changing a schema)', () => {
    const committed = readFileSync(resolve(__dirname, '../../src/gateway/openapi/openapi.json'), 'utf8');
    expect(JSON.parse(committed)).toEqual(doc);
  });
});
