import { z } from 'zod';
import { secret } from './fields.js';

/**
 * Building blocks shared by every route schema. Query strings only carry strings, and the original
 * service (protobuf JSON mapping) accepted numbers as strings too, so numeric and boolean fields take
 * both forms and come out typed.
 */

/** `true`/`false`, also as the strings "true"/"false" (query strings). */
export const boolish = () =>
  z.union([z.boolean(), z.enum(['true', 'false'])])
    .transform((v) => v === true || v === 'true');

/** An integer in [min, max], also as a decimal string ("50"). */
export const intish = (min: number, max: number) =>
  z.union([z.number().int().min(min).max(max), z.string().trim().regex(/^-?\d{1,15}$/, 'must be a whole number')])
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/** A lone UTF-16 surrogate cannot be UTF-8 encoded, so it could never be signed or sent. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Any string that is valid Unicode, 0..max long. */
export const unicode = (max: number) =>
  z.string().max(max).refine((s) => !LONE_SURROGATE.test(s), 'must be valid Unicode (no lone surrogates)');

/** A printable string without control characters, 1..max long. */
export const text = (max: number) =>
  unicode(max).pipe(z.string().min(1).regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters'));

/**
 * A list of identifiers. In a query string it may come as repeated keys (`a=1&a=2`), as `a[]=1`,
 * or comma-separated (`a=1,2`); in JSON it is an array.
 */
export const idList = (max: number, itemMax = 128) =>
  z.union([z.array(z.string()), z.string()])
    .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter((s) => s !== ''))
    .pipe(z.array(text(itemMax)).min(1).max(max));

/** ECS region ids: `cn-hangzhou`, `ap-southeast-1`. */
export const regionId = () =>
  z.string().regex(/^[a-z]{2,}(?:-[a-z0-9]+){1,4}$/, 'must be a region id such as cn-hangzhou')
    .describe('Region ID, e.g. cn-hangzhou. Also decides the endpoint when `endpoint` is not given.')
    .meta({ example: 'cn-beijing' });

/** One `{key, value}` ECS tag. */
export const tag = z.strictObject({
  key: text(128).describe('Tag key'),
  value: unicode(128).optional().describe('Tag value'),
});

/** An AccessKey ID or STS token: it is sent to ECS in an HTTP header, which carries printable ASCII only. */
const headerText = (max: number) => text(max).pipe(z.string().regex(/^[\x20-\x7e]*$/, 'must be printable ASCII'));

/** Credentials and endpoint, accepted by every route (headers X-Access-Key-Id/-Secret and X-Security-Token work too). */
export const commonFields = {
  accessKeyId: headerText(128).optional().describe('AccessKey ID. Also accepted as the X-Access-Key-Id header. Optional when the gateway has server-side credentials.'),
  accessKeySecret: secret(text(256).optional().describe('AccessKey secret. Also accepted as the X-Access-Key-Secret header. Never logged.')),
  securityToken: secret(headerText(8192).optional().describe('STS security token, for temporary credentials. Also accepted as the X-Security-Token header. Never logged.')),
  endpoint: text(253).optional().describe('ECS endpoint hostname, e.g. ecs.cn-beijing.aliyuncs.com. Only ECS hostnames (and ECS_ALLOWED_ENDPOINTS) are accepted.')
    .meta({ example: 'ecs.cn-beijing.aliyuncs.com' }),
};

export const dryRun = () => boolish().optional().describe('Check the request only (ECS DryRun): ECS answers DryRunOperation / DRYRUN.SUCCESS');
export const batchOptimization = () => z.enum(['AllTogether', 'SuccessFirst']).optional()
  .describe('AllTogether (default): one failure fails all. SuccessFirst: each instance is handled on its own.');
export const pageNumber = () => intish(1, 1_000_000).optional().describe('Page number, from 1 (default 1)');
export const pageSize = (max: number) => intish(1, max).optional().describe(`Entries per page, 1-${max} (default 10)`);
