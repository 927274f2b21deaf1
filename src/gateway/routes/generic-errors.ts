/**
 * The generic route's refusals: an unknown action (404 UNKNOWN_ACTION, with the closest names), and the
 * issues of an action's schema as one 400 naming every failing field (VALIDATION_FAILED), or as
 * CONFLICTING_FIELDS when a field came under two spellings with different values.
 */
import type { z } from 'zod';
import { actionNames } from '../ecs/catalog/index.js';
import type { Action, Param } from '../ecs/catalog/types.js';
import { camelCase, fieldSpellings } from '../ecs/names.js';
import type { ConflictParams } from '../ecs/schema.js';
import { memberFor } from '../ecs/wire.js';
import { ErrorCode, GatewayError, validationError, type FieldIssue } from '../errors.js';
import { commonFields } from '../schemas/common.js';
import { closestNames, orList } from './suggest.js';

/** 404 UNKNOWN_ACTION for `name`, with up to three close action names in `suggestions`. */
export function unknownAction(name: string): GatewayError {
  const suggestions = closestNames(name, actionNames());
  const hint = suggestions.length > 0 ? `; did you mean ${orList(suggestions)}?` : '.';
  return new GatewayError(404, ErrorCode.unknownAction,
    `${name ? `ECS has no action ${name}` : 'No ECS action named'}${hint} Action names are exact (GET /api/ecs lists them).`,
    { suggestions }, { logMessage: 'Unknown ECS action' });
}

function membersOf(param: Param): readonly Param[] | undefined {
  if (param.type === 'object') return param.members;
  if (param.type === 'array' && param.items.type === 'object') return param.items.members;
  return undefined;
}

/** The members of the object at `path` (list indexes skipped) in the action's input, or undefined. */
function membersAt(action: Action, path: readonly PropertyKey[]): readonly Param[] | undefined {
  let members: readonly Param[] | undefined = action.params;
  for (const segment of path) {
    if (typeof segment === 'number' || /^\d+$/.test(String(segment))) continue;
    const member: Param | undefined = members ? memberFor(members, String(segment)) : undefined;
    members = member ? membersOf(member) : undefined;
    if (!members) return undefined;
  }
  return members;
}

const GATEWAY_FIELDS = Object.keys(commonFields);

/** Why a field is unknown, and the known one it most likely meant. */
function unknownFieldMessage(action: Action, path: readonly PropertyKey[]): string {
  const key = String(path.at(-1));
  const members = membersAt(action, path.slice(0, -1));
  if (!members) return 'unknown field';
  const internal = members.find((m) => m.internal && fieldSpellings(m.name).includes(key));
  if (internal) return `${internal.name} is an Alibaba-internal parameter; the gateway does not send it`;
  const candidates = members.filter((m) => !m.internal).map((m) => camelCase(m.name));
  if (path.length === 1) candidates.push(...GATEWAY_FIELDS);
  const meant = closestNames(key, candidates);
  return meant.length > 0 ? `unknown field; did you mean ${orList(meant)}?` : 'unknown field';
}

const fieldOf = (path: readonly PropertyKey[]): string => (path.length > 0 ? path.map(String).join('.') : '(root)');

/** The issues of an action's schema as the gateway's error. */
export function genericValidationError(action: Action, issues: readonly z.core.$ZodIssue[]): GatewayError {
  const conflictOf = (i: z.core.$ZodIssue): ConflictParams['conflict'] | undefined =>
    (i.code === 'custom' ? (i.params as Partial<ConflictParams> | undefined)?.conflict : undefined);
  const conflicts = issues.filter((i) => conflictOf(i));
  if (conflicts.length > 0) {
    const details: FieldIssue[] = conflicts.map((i) => {
      const members = membersAt(action, i.path.slice(0, -1));
      const member = members ? memberFor(members, String(i.path.at(-1))) : undefined;
      const field = fieldOf(member ? [...i.path.slice(0, -1), camelCase(member.name)] : i.path);
      const [a, b] = conflictOf(i)!;
      return { location: 'request', field, message: `given twice (as ${a} and ${b}) with different values` };
    });
    return new GatewayError(400, ErrorCode.conflictingFields,
      `Conflicting values for ${details.map((d) => d.field).join(', ')}: two spellings of one field differ`,
      { details }, { logMessage: 'Conflicting values' });
  }
  return validationError(issues.map((i): FieldIssue => {
    let message = i.message;
    if (message === 'unknown field') message = unknownFieldMessage(action, i.path);
    else if (message === 'is required') message = 'required';
    return { location: 'body', field: fieldOf(i.path), message };
  }));
}
