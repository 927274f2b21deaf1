import { isIPv4, isIPv6 } from 'node:net';
import { z } from 'zod';
import { text, unicode } from './common.js';

/**
 * Building blocks of the resource routes (disks, snapshots, security groups, key pairs, tags, Cloud
 * Assistant): id shapes of each kind, tags in the two shapes people write, and the parts of a security
 * group rule.
 */

/**
 * An ECS id of one kind: the prefix, then lowercase letters and digits (`d-bp1g6zv0ce8oghu7k1a2`); the docs
 * mask their ends (`d-bp67acfmxazb4p****`), which is accepted too (and not found). Anything else is refused
 * before ECS is called, so a word such as `attach` is never an id.
 */
export const ecsId = (prefix: string, label: string, example: string) =>
  z.string().max(64).regex(new RegExp(`^${prefix}-[a-z0-9]+\\**$`), `must be an ECS ${label.toLowerCase()} id: ${prefix}- followed by lowercase letters and digits, e.g. ${example}`)
    .describe(`${label} ID: ${prefix}- followed by lowercase letters and digits`)
    .meta({ example });

export const instanceId = () => ecsId('i', 'Instance', 'i-bp67acfmxazb4p****');
export const diskId = () => ecsId('d', 'Disk', 'd-bp67acfmxazb4p****');
export const snapshotId = () => ecsId('s', 'Snapshot', 's-bp67acfmxazb4p****');
export const securityGroupId = () => ecsId('sg', 'Security group', 'sg-bp67acfmxazb4p****');
export const imageId = () => ecsId('m', 'Custom image', 'm-bp67acfmxazb4p****');
export const invokeId = () => ecsId('t', 'Invocation', 't-hz0jdfwd9f****');

export const keyPairName = () =>
  z.string().regex(/^[A-Za-z][A-Za-z0-9:_-]{1,127}$/, 'must be a key pair name: 2-128 characters, starting with a letter; letters, digits, ":", "_" and "-"')
    .describe('Key pair name: 2-128 characters, starting with a letter; letters, digits, ":", "_" and "-"')
    .meta({ example: 'demo-key' });

const tagItem = z.strictObject({ key: text(128).describe('Tag key'), value: unicode(128).optional().describe('Tag value') });

/**
 * Tags as `{"env": "prod"}` or `[{"key": "env", "value": "prod"}]`; both become ECS's `Tag.N.Key` /
 * `Tag.N.Value`.
 */
export const tags = (max = 20) =>
  z.union([z.record(text(128), unicode(128)), z.array(tagItem)])
    .transform((v) => (Array.isArray(v) ? v : Object.entries(v).map(([key, value]) => ({ key, value }))))
    .pipe(z.array(tagItem).min(1).max(max))
    .describe(`Tags: {"key": "value", …} or [{"key": …, "value": …}] (up to ${max})`)
    .meta({ example: { env: 'demo' } });

// ---- security group rules ----

/** Protocols as people write them (any case); ECS's names upper-case. */
export const protocol = () =>
  z.string().transform((s) => s.toUpperCase()).pipe(z.enum(['TCP', 'UDP', 'ICMP', 'ICMPV6', 'GRE', 'ALL']))
    .transform((s) => (s === 'ICMPV6' ? 'ICMPv6' : s))
    .describe('tcp, udp, icmp, icmpv6, gre or all (any case)')
    .meta({ example: 'tcp' });

const PORT = /^(\d{1,5})(?:\s*[-/]\s*(\d{1,5}))?$/;

/**
 * A port (`443`, `"443"`) or a range (`"8000-8080"`, ECS's own `"8000/8080"`), as ECS's PortRange:
 * `443/443`, `8000/8080`. 1-65535, and a range must not run backwards.
 */
export const port = () =>
  z.union([z.number().int(), z.string().trim()])
    .transform((v, ctx) => {
      const m = PORT.exec(String(v));
      const from = m ? Number(m[1]) : NaN;
      const to = m ? Number(m[2] ?? m[1]) : NaN;
      if (!m || from < 1 || to > 65535 || from > to) {
        ctx.addIssue({ code: 'custom', message: 'must be a port 1-65535 (443) or a range ("8000-8080")' });
        return z.NEVER;
      }
      return `${from}/${to}`;
    })
    .describe('A port (443) or a range ("8000-8080"); becomes ECS\'s PortRange (443/443, 8000/8080). Only for tcp and udp.')
    .meta({ example: 443 });

/** What an address of a rule is: an IPv4 address or CIDR block, an IPv6 one, or a security group. */
export type AddressKind = 'an IPv4 CIDR block' | 'an IPv6 CIDR block' | 'a security group id';

function cidr(s: string, family: 4 | 6): boolean {
  const [ip, bits, ...rest] = s.split('/');
  if (rest.length > 0 || ip === undefined) return false;
  if (!(family === 4 ? isIPv4(ip) : isIPv6(ip))) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

/** The kind of a valid address (see `address()`). */
export function addressKind(value: unknown): AddressKind {
  const s = String(value);
  if (s.startsWith('sg-')) return 'a security group id';
  return s.includes(':') ? 'an IPv6 CIDR block' : 'an IPv4 CIDR block';
}

/** A rule's source or destination: `0.0.0.0/0`, `10.0.0.1`, `2001:db8::/32` or `sg-…`. */
export const address = (what: string) =>
  z.string().trim().refine((s) => cidr(s, 4) || cidr(s, 6) || /^sg-[a-z0-9]+\**$/.test(s),
    'must be an IPv4 or IPv6 address or CIDR block (0.0.0.0/0, 2001:db8::/32) or a security group id (sg-…)')
    .describe(`The ${what}: an IPv4 or IPv6 CIDR block (or address), or a security group id (sg-…)`)
    .meta({ example: '0.0.0.0/0' });
