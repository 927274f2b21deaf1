/**
 * Tags keep state on every kind the emulator holds (instances, security groups, key pairs, disks, snapshots, images): TagResources,
 * UntagResources (TagKey.N or All), ListTagResources (ResourceId.N, Tag.N, TagFilter.N, NextToken paging), the
 * 20-tag limit and the documented refusals. Behaviour layer, then the official V3 SDK.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAGGABLE } from '../../../src/emulator/ecs/actions/tag-kinds.js';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/server.js';
import { TEST_KEY } from '../helpers.js';
import { $Ecs, v3Client } from '../sdk-clients.js';
import { Harness, REGION, expectEcsError } from './helpers.js';

type Row = { ResourceId: string; ResourceType: string; TagKey: string; TagValue: string };

function tagParams(tags: Array<[string, string]>, prefix = 'Tag'): Record<string, string> {
  return Object.fromEntries(tags.flatMap(([k, v], i) => [[`${prefix}.${i + 1}.Key`, k], [`${prefix}.${i + 1}.Value`, v]]));
}

function tag(h: Harness, type: string, ids: string[], tags: Array<[string, string]>, account = 'AK-A'): Record<string, unknown> {
  const resources = Object.fromEntries(ids.map((id, i) => [`ResourceId.${i + 1}`, id]));
  return h.call('TagResources', { RegionId: REGION, ResourceType: type, ...resources, ...tagParams(tags) }, account);
}

function list(h: Harness, params: Record<string, string>): { rows: Row[]; next: string } {
  const body = h.call('ListTagResources', { RegionId: REGION, ...params });
  return { rows: (body.TagResources as { TagResource: Row[] }).TagResource, next: body.NextToken as string };
}

const pairs = (rows: Row[]) => rows.map((r) => [r.ResourceId, r.TagKey, r.TagValue]);

describe('tags (behaviour)', () => {
  it('tags instances, security groups and key pairs; DescribeInstances and the other lists show them', () => {
    const h = new Harness();
    const [i1, i2] = h.run({ Amount: '2', ...tagParams([['env', 'dev']]) });
    const sg = h.call('CreateSecurityGroup', { RegionId: REGION }).SecurityGroupId as string;
    h.call('CreateKeyPair', { RegionId: REGION, KeyPairName: 'deploy' });
    expect(tag(h, 'instance', [i1!, i2!], [['env', 'prod'], ['team', 'core']])).toEqual({});
    tag(h, 'securitygroup', [sg], [['env', 'prod']]);
    tag(h, 'keypair', ['deploy'], [['owner', 'ops']]);
    expect(pairs(list(h, { ResourceType: 'instance' }).rows)).toEqual([
      [i1, 'env', 'prod'], [i1, 'team', 'core'], [i2, 'env', 'prod'], [i2, 'team', 'core'],
    ]);
    expect(list(h, { ResourceType: 'securitygroup', 'ResourceId.1': sg }).rows).toEqual([{ ResourceId: sg, ResourceType: 'securitygroup', TagKey: 'env', TagValue: 'prod' }]);
    expect(pairs(list(h, { ResourceType: 'keypair' }).rows)).toEqual([['deploy', 'owner', 'ops']]);
    expect(h.instances({ 'Tag.1.Key': 'team', 'Tag.1.Value': 'core' }).map((i) => i.InstanceId)).toEqual([i1, i2]);
    const sgs = h.call('DescribeSecurityGroups', { RegionId: REGION, 'Tag.1.Key': 'env', 'Tag.1.Value': 'prod' });
    expect((sgs.SecurityGroups as { SecurityGroup: Array<Record<string, unknown>> }).SecurityGroup.map((g) => g.SecurityGroupId)).toEqual([sg]);
    // The resource type is case-insensitive on input (ECS takes `Instance` too), answered lower-case.
    expect(list(h, { ResourceType: 'Instance', 'ResourceId.1': i2! }).rows.every((r) => r.ResourceType === 'instance')).toBe(true);
  });

  it('tags disks, snapshots and custom images, which keep storage state', () => {
    const h = new Harness();
    const [i1] = h.run({});
    const disk = (h.call('DescribeDisks', { RegionId: REGION, InstanceId: i1! }).Disks as { Disk: Array<{ DiskId: string }> }).Disk[0]!.DiskId;
    const snapshot = h.call('CreateSnapshot', { DiskId: disk }).SnapshotId as string;
    tag(h, 'disk', [disk], [['env', 'prod']]);
    tag(h, 'snapshot', [snapshot], [['backup', 'daily']]);
    expect(pairs(list(h, { ResourceType: 'disk' }).rows)).toEqual([[disk, 'env', 'prod']]);
    expect(pairs(list(h, { ResourceType: 'snapshot', 'ResourceId.1': snapshot }).rows)).toEqual([[snapshot, 'backup', 'daily']]);
    expectEcsError(() => tag(h, 'disk', ['d-doesnotexist'], [['a', 'b']]), 404, 'InvalidResourceId.NotFound');
  });

  it('filters ListTagResources by Tag.N and TagFilter.N, and pages 50 rows with NextToken', () => {
    const h = new Harness();
    const ids = h.run({ Amount: '30' });
    ids.forEach((id, n) => tag(h, 'instance', [id], [['n', String(n)], ['parity', n % 2 ? 'odd' : 'even']]));
    expect(list(h, { ResourceType: 'instance', 'Tag.1.Key': 'parity', 'Tag.1.Value': 'odd' }).rows).toHaveLength(30);
    const filtered = list(h, { ResourceType: 'instance', 'TagFilter.1.TagKey': 'n', 'TagFilter.1.TagValues.1': '3', 'TagFilter.1.TagValues.2': '4' });
    expect(new Set(filtered.rows.map((r) => r.ResourceId))).toEqual(new Set([ids[3], ids[4]]));
    const first = list(h, { ResourceType: 'instance' });
    expect([first.rows.length, first.next]).toEqual([50, expect.stringMatching(/^[0-9a-f]{32}$/)]);
    const second = list(h, { ResourceType: 'instance', NextToken: first.next });
    expect([second.rows.length, second.next]).toEqual([10, '']);
    expect(new Set([...first.rows, ...second.rows].map((r) => `${r.ResourceId}/${r.TagKey}`)).size).toBe(60);
    expectEcsError(() => list(h, { ResourceType: 'instance', NextToken: '0'.repeat(32) }), 400, 'InvalidParameter');
    // A token from another resource type is refused.
    expectEcsError(() => list(h, { ResourceType: 'keypair', NextToken: first.next }), 400, 'InvalidParameter');
  });

  it('overwrites values, removes by key or all, and keeps at most 20 tags (InvalidTagCount, nothing changes)', () => {
    const h = new Harness();
    const [id] = h.run();
    const twenty = Array.from({ length: 20 }, (_, i) => [`k${i}`, `v${i}`] as [string, string]);
    tag(h, 'instance', [id!], twenty);
    tag(h, 'instance', [id!], [['k0', 'changed']]); // an existing key: still 20
    expectEcsError(() => tag(h, 'instance', [id!], [['k20', 'x']]), 400, 'InvalidTagCount');
    const rows = list(h, { ResourceType: 'instance' }).rows;
    expect(rows).toHaveLength(20);
    expect(rows.find((r) => r.TagKey === 'k0')?.TagValue).toBe('changed');
    h.call('UntagResources', { RegionId: REGION, ResourceType: 'instance', 'ResourceId.1': id!, 'TagKey.1': 'k0', 'TagKey.2': 'k1', 'TagKey.3': 'absent' });
    expect(list(h, { ResourceType: 'instance' }).rows).toHaveLength(18);
    const before = h.changes;
    h.call('UntagResources', { RegionId: REGION, ResourceType: 'instance', 'ResourceId.1': id! }); // neither TagKey nor All: nothing
    expect([list(h, { ResourceType: 'instance' }).rows.length, h.changes]).toEqual([18, before]);
    h.call('UntagResources', { RegionId: REGION, ResourceType: 'instance', 'ResourceId.1': id!, All: 'true' });
    expect(list(h, { ResourceType: 'instance' }).rows).toEqual([]);
    expect(h.instances()[0]).not.toHaveProperty('Tags');
  });

  it('refuses unknown resources and types, other accounts’ resources, bad keys and values, and too many ids', () => {
    const h = new Harness();
    const [id] = h.run();
    expectEcsError(() => tag(h, 'instance', [id!, 'i-bp1nope'], [['a', 'b']]), 404, 'InvalidResourceId.NotFound');
    expect(list(h, { ResourceType: 'instance' }).rows).toEqual([]); // all or nothing
    expectEcsError(() => tag(h, 'instance', [id!], [['a', 'b']], 'AK-B'), 404, 'InvalidResourceId.NotFound');
    expectEcsError(() => tag(h, 'disk', ['d-bp1nope'], [['a', 'b']]), 404, 'InvalidResourceId.NotFound');
    expectEcsError(() => tag(h, 'spaceship', [id!], [['a', 'b']]), 404, 'InvalidResourceType.NotFound');
    for (const key of ['aliyun-x', 'acs:x', 'http://x', 'k'.repeat(129)]) {
      expectEcsError(() => tag(h, 'instance', [id!], [[key, 'v']]), 400, 'InvalidTagKey.Malformed');
    }
    for (const value of ['https://x', 'acs:x', 'v'.repeat(129)]) {
      expectEcsError(() => tag(h, 'instance', [id!], [['k', value]]), 400, 'InvalidTagValue.Malformed');
    }
    expectEcsError(() => h.call('TagResources', { RegionId: REGION, ResourceType: 'instance', 'ResourceId.1': id!, 'Tag.21.Key': 'k', 'Tag.21.Value': 'v' }), 400, 'InvalidParameter');
    const many = Array.from({ length: 51 }, (_, i) => `i-${i}`);
    expectEcsError(() => tag(h, 'instance', many, [['a', 'b']]), 400, 'InvalidParameter');
    expectEcsError(() => h.call('UntagResources', { RegionId: REGION, ResourceType: 'instance', 'ResourceId.1': 'i-bp1nope', All: 'true' }), 404, 'InvalidResourceId.NotFound');
  });

  it('knows every ResourceType ECS documents for the tag actions; kinds without state hold nothing', () => {
    expect(Object.keys(TAGGABLE)).toEqual(expect.arrayContaining(['instance', 'disk', 'snapshot', 'image', 'securitygroup', 'keypair', 'eni', 'launchtemplate']));
    const h = new Harness();
    expect(list(h, { ResourceType: 'snapshot' }).rows).toEqual([]);
  });
});

describe('tags (official V3 SDK)', () => {
  let emu: RunningEmulator;
  let ecs: ReturnType<typeof v3Client>;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, transitionMs: 0, accessKeys: [TEST_KEY] });
    ecs = v3Client(emu.url, TEST_KEY);
  });
  afterAll(() => emu.close());

  it('tag → list → untag on an instance, and InvalidResourceId.NotFound as an SDK exception', async () => {
    const run = await ecs.runInstances(new $Ecs.RunInstancesRequest({ regionId: REGION, imageId: 'aliyun_3_x64_20G_alibase_20240528.vhd', instanceType: 'ecs.g7.large' }));
    const id = run.body?.instanceIdSets?.instanceIdSet?.[0] as string;
    await ecs.tagResources(new $Ecs.TagResourcesRequest({ regionId: REGION, resourceType: 'instance', resourceId: [id], tag: [new $Ecs.TagResourcesRequestTag({ key: 'env', value: 'prod' })] }));
    const listed = await ecs.listTagResources(new $Ecs.ListTagResourcesRequest({ regionId: REGION, resourceType: 'instance', resourceId: [id] }));
    expect(listed.body?.tagResources?.tagResource?.map((t) => [t.resourceId, t.resourceType, t.tagKey, t.tagValue])).toEqual([[id, 'instance', 'env', 'prod']]);
    await ecs.untagResources(new $Ecs.UntagResourcesRequest({ regionId: REGION, resourceType: 'instance', resourceId: [id], tagKey: ['env'] }));
    const after = await ecs.listTagResources(new $Ecs.ListTagResourcesRequest({ regionId: REGION, resourceType: 'instance', resourceId: [id] }));
    expect(after.body?.tagResources?.tagResource ?? []).toEqual([]);
    await expect(ecs.tagResources(new $Ecs.TagResourcesRequest({ regionId: REGION, resourceType: 'instance', resourceId: ['i-bp1nope'], tag: [new $Ecs.TagResourcesRequestTag({ key: 'a', value: 'b' })] })))
      .rejects.toMatchObject({ code: 'InvalidResourceId.NotFound', statusCode: 404 });
  });
});
