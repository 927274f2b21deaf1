/**
 * Paging as ECS does it: PageNumber/PageSize, and NextToken/MaxResults.
 * NextTokens are opaque 32-hex strings that encode an offset and are bound to
 * the account, region and action that issued them.
 */
import { createHash } from 'node:crypto';
import { EcsErrors } from '../errors.js';
import type { Params } from '../params.js';

/** One page of results and the paging fields of the answer. */
export interface Page<T> {
  items: T[];
  pageNumber: number;
  pageSize: number;
  totalCount: number;
  /** The token of the next page, '' on the last page. */
  nextToken: string;
}

/** Limits of one action's PageNumber/PageSize paging. */
export interface PageLimits {
  defaultSize: number;
  maxSize: number;
}

/** Pages `all` with PageNumber (default 1) / PageSize (default and max per action). */
export function pageByNumber<T>(all: readonly T[], params: Params, limits: PageLimits): Page<T> {
  const pageNumber = params.int('PageNumber', 1, 1, 1_000_000_000);
  const pageSize = params.int('PageSize', limits.defaultSize, 1, limits.maxSize);
  const start = (pageNumber - 1) * pageSize;
  return {
    items: all.slice(start, start + pageSize),
    pageNumber,
    pageSize,
    totalCount: all.length,
    nextToken: '',
  };
}

/** The scope a NextToken is bound to, e.g. `DescribeInstances|<account>|<region>`. */
function tokenTag(scope: string, offset: number): string {
  return createHash('sha256').update(`${scope}|${offset}`).digest('hex').slice(0, 24);
}

/** Encodes an offset as an opaque 32-hex NextToken. */
export function encodeToken(scope: string, offset: number): string {
  return offset.toString(16).padStart(8, '0') + tokenTag(scope, offset);
}

/** Decodes a NextToken issued for `scope`, or InvalidParameter. */
export function decodeToken(scope: string, token: string): number {
  const offset = /^[0-9a-f]{32}$/.test(token) ? parseInt(token.slice(0, 8), 16) : NaN;
  if (!Number.isSafeInteger(offset) || token !== encodeToken(scope, offset)) {
    throw EcsErrors.invalidParameter('NextToken');
  }
  return offset;
}

/** Pages `all` with NextToken/MaxResults; the answer names the next page's token. */
export function pageByToken<T>(
  all: readonly T[],
  params: Params,
  scope: string,
  limits: PageLimits,
): Page<T> {
  const maxResults = params.int('MaxResults', limits.defaultSize, 1, limits.maxSize);
  const token = params.str('NextToken');
  const offset = token === undefined ? 0 : decodeToken(scope, token);
  const end = offset + maxResults;
  return {
    items: all.slice(offset, end),
    pageNumber: Math.floor(offset / maxResults) + 1,
    pageSize: maxResults,
    totalCount: all.length,
    nextToken: end < all.length ? encodeToken(scope, end) : '',
  };
}
