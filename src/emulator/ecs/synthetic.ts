/**
 * Synthetic answers: for every action the emulator keeps no state for, a well-formed body of the documented
 * response shape (the SDK's `XxxResponseBody`, from catalog/spec.json). Nothing is stored and nothing from
 * the request is echoed. The body is deterministic: the same action and parameters give the same body (the
 * protocol layer adds a fresh RequestId).
 *
 * - every list has one element, every object all its documented fields, a free-form map is `{}`;
 * - `Code` is "200" and `Message` "success" (ECS's words for success inside a body), `HttpStatusCode` 200;
 * - numbers are 1 (so `TotalCount` agrees with the one-element lists, and `PageNumber`/`PageSize` end paging),
 *   booleans false;
 * - strings are placeholders chosen by field name: IDs shaped like ECS's (`InstanceId` → `i-…`, `DiskId` →
 *   `d-…`, other `…Id` fields → a prefix made of the name's initials), region `cn-hangzhou`, zone
 *   `cn-hangzhou-i`, times `2026-01-01T00:00:00Z`, addresses and CIDR blocks from documentation ranges, `NextToken` empty
 *   (no next page), and an obviously fake value for every secret-like field (`PrivateKeyBody`, passwords,
 *   tokens, user data, command content, activation codes, VNC/WebSocket URLs).
 * - `DryRun=true` answers DryRunOperation, as ECS does, when the action takes DryRun.
 */
import { createHash } from 'node:crypto';
import type { ActionSpec, SpecField, SpecShape } from './catalog/spec.js';
import { EcsErrors } from './errors.js';

/** The value every secret-like string field gets. */
export const FAKE_SECRET = 'EMULATOR-SYNTHETIC-NOT-A-SECRET';
/** What `PrivateKeyBody` gets: PEM-shaped, obviously not a key. */
export const FAKE_PRIVATE_KEY =
  '-----BEGIN RSA PRIVATE KEY-----\nEMULATOR-SYNTHETIC-NOT-A-REAL-KEY\n-----END RSA PRIVATE KEY-----';

/** Field names whose values would be secret on real ECS. */
const SECRET_LIKE =
  /PrivateKey|Password|Secret|SecurityToken|AccessKey|UserData|CommandContent|^Content$|BuildContent|TestContent|ActivationCode|WebSocketUrl|VncUrl|^Parameters$/;

/** ECS ID prefixes by field name (the name without a trailing `Id`). */
const ID_PREFIX: Readonly<Record<string, string>> = {
  Instance: 'i', Disk: 'd', Snapshot: 's', SnapshotGroup: 'ssg', SnapshotLink: 'sl', Image: 'm',
  SecurityGroup: 'sg', Vpc: 'vpc', VSwitch: 'vsw', NetworkInterface: 'eni', Command: 'c', Invoke: 't',
  Task: 't', LaunchTemplate: 'lt', DedicatedHost: 'dh', DedicatedHostCluster: 'dc', DeploymentSet: 'ds',
  AutoSnapshotPolicy: 'sp', Allocation: 'eip-', PrefixList: 'pl', ImageComponent: 'ic', ImagePipeline: 'ip',
  Execution: 'exec', AutoProvisioningGroup: 'apg', CapacityReservation: 'crp', ElasticityAssurance: 'eap',
  PrivatePoolOptions: 'crp', ReservedInstance: 'ecsri', StorageSet: 'ss', HpcCluster: 'hpc',
  PortRangeList: 'prl', RouteTable: 'vtb', VRouter: 'vrt', ResourceGroup: 'rg', HaVip: 'havip',
  PhysicalConnection: 'pc', RouterInterface: 'ri', NatGateway: 'ngw', BandwidthPackage: 'bwp',
  ForwardTable: 'ftb', ForwardEntry: 'fwd', VirtualBorderRouter: 'vbr', Activation: 'act', Session: 's',
  DiagnosticMetricSet: 'dms', DiagnosticReport: 'dr', KeyPair: 'kp', Eip: 'eip', StorageCapacityUnit: 'scu',
  SavingsPlan: 'spn', Event: 'e', Vsc: 'vsc', SourceGroup: 'sg', DestGroup: 'sg', SourcePrefixList: 'pl',
  DestPrefixList: 'pl', SecurityGroupRule: 'sgr',
};

/** The singular a list field stands for: `InstanceIdSet` → `InstanceId`, `DiskIds` → `DiskId`. */
function singular(name: string): string {
  return name.replace(/(?:Set|Sets|List)$/, '').replace(/Ids$/, 'Id').replace(/ses$/, 's').replace(/([^s])s$/, '$1');
}

/** The dash-less ID prefix for an `…Id` field: the known one, else the initials (`SavingsPlanId` → `sp`). */
function idPrefix(base: string): string {
  const known = ID_PREFIX[base];
  if (known) return known.replace(/-$/, '');
  const initials = base.match(/[A-Z][a-z0-9]*/g)?.map((w) => w[0]!.toLowerCase()).join('');
  return initials || 'id';
}

class Builder {
  constructor(private readonly seed: string) {}

  /** A stable 20-character lower-case token for a field path. */
  private token(path: string): string {
    return createHash('sha256').update(`${this.seed}\n${path}`).digest('hex').slice(0, 20);
  }

  value(shape: SpecShape, name: string, path: string): unknown {
    switch (shape.type) {
      case 'object': {
        const out: Record<string, unknown> = {};
        for (const m of shape.members ?? []) out[m.name] = this.field(m, `${path}.${m.name}`);
        return out;
      }
      case 'map': return {};
      case 'array': return [this.value(shape.items ?? { type: 'string' }, singular(name), `${path}.1`)];
      case 'boolean': return false;
      case 'integer':
      case 'number': return name === 'HttpStatusCode' ? 200 : 1;
      default: return this.string(name, path);
    }
  }

  private field(f: SpecField, path: string): unknown {
    return this.value(f, f.name, path);
  }

  private string(name: string, path: string): string {
    if (name === 'NextToken') return '';
    // A call's own outcome, as ECS reports success in bodies (pop-core reads a top-level Code as an error).
    if (name === 'Code') return '200';
    if (name === 'Message') return 'success';
    if (name === 'PrivateKeyBody') return FAKE_PRIVATE_KEY;
    if (SECRET_LIKE.test(name)) return FAKE_SECRET;
    if (name === 'RegionId') return 'cn-hangzhou';
    if (name === 'ZoneId') return 'cn-hangzhou-i';
    if (/Ipv6.*Cidr|Cidr.*Ipv6/.test(name)) return '2001:db8::/32';
    if (/Cidr/.test(name)) return '192.0.2.0/24';
    if (/(?:^|[a-z])Ipv6(?:Address)?$/.test(name)) return '2001:db8::1';
    if (/IpAddress$|(?:^|[a-z])Ip$|IpAddresses$/.test(name)) return '192.0.2.1';
    if (/MacAddress$/.test(name)) return '00:16:3e:00:00:01';
    if (/(?:Time|Date)$|^(?:Creation|Expired|Expiration|Start|End|Modified)/.test(name)) return '2026-01-01T00:00:00Z';
    if (name === 'InstanceType' || name === 'InstanceTypeId') return 'ecs.g7.large';
    if (name === 'Status') return 'Available';
    const id = /^(.*?)Id$/.exec(name);
    if (id) return `${idPrefix(id[1]!)}-${this.token(path)}`;
    if (name === 'KeyPairName') return 'emulator-key-pair';
    if (name === 'KeyPairFingerPrint') return '00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff';
    return `emulator-${name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}`;
  }
}

/**
 * The canonical text of a request: its parameters sorted by key, secret-like ones left out (not even a hash
 * of a password may reach an answer).
 */
function canonical(action: string, params: Readonly<Record<string, string>>): string {
  const keys = Object.keys(params).filter((k) => !SECRET_LIKE.test(k.split('.').pop()!)).sort();
  return JSON.stringify([action, ...keys.map((k) => [k, params[k]])]);
}

/** The synthetic answer to a call (without RequestId), or DryRunOperation for `DryRun=true`. */
export function syntheticBody(spec: ActionSpec, params: Readonly<Record<string, string>>): Record<string, unknown> {
  if (spec.params.some((p) => p.name === 'DryRun') && (params.DryRun ?? '').toLowerCase() === 'true') {
    throw EcsErrors.dryRunOperation();
  }
  const builder = new Builder(canonical(spec.name, params));
  const body = builder.value(spec.response, spec.name, spec.name) as Record<string, unknown>;
  delete body.RequestId;
  return body;
}
