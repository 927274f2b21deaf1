import type { z } from 'zod';
import { fieldNames, isAddedFieldName } from '../schemas/fields.js';
import { FORBIDDEN_KEYS, toCamel } from './normalize.js';

export const REDACTED = '[REDACTED]';

/** A name as the gateway reads it: URL-decoded by the caller, `[]` list suffix dropped, snake_case folded. */
const canonical = (name: string): string => toCamel(name.replace(/\[\]$/, ''));

/**
 * What may be logged of what a caller sent, derived from the input schemas of the registered routes
 * (`add` is called for each route) and of the ECS actions called through the generic route (their
 * parameter names, added as each action's schema is built: fields.ts `addKnownFieldNames`): field names
 * the gateway knows (in every spelling it accepts) may be logged; values only of known query fields not
 * marked with `secret()` (the mark comes from the catalog for ECS parameters, see schemas/secrets.ts). A name the gateway does not
 * know was chosen by the caller and may be a secret typed in the wrong place (`?THE-SECRET`), so
 * neither it nor its value is logged.
 */
export class FieldAllowlist {
  /** Top-level query-string fields whose values may be logged. */
  private readonly queryValues = new Set<string>();
  /** Every known field name, at any depth, in any location. */
  private readonly names = new Set<string>(FORBIDDEN_KEYS);

  /** Adds the fields of one route input schema; `location` says where they come from. */
  add(location: 'querystring' | 'body' | 'params', schema: z.ZodType): void {
    const fields = fieldNames(schema);
    for (const name of fields.all) this.names.add(name);
    if (location === 'querystring') {
      for (const name of fields.topLevel) if (!fields.secret.has(name)) this.queryValues.add(name);
    }
  }

  /** Whether the name of this field may be logged. */
  isKnownName(name: string): boolean {
    const c = canonical(name);
    return this.names.has(c) || isAddedFieldName(c) || isAddedFieldName(name);
  }

  /** Whether the value of this query-string key may be logged. */
  isLoggableQueryValue(key: string): boolean {
    return this.queryValues.has(canonical(key));
  }

  /**
   * A field path as it may be logged: `dataDisks.0.size` stays, `querystring.THE-SECRET` becomes
   * `[REDACTED]` in place of every segment the gateway does not know.
   */
  safeField(path: string): string {
    if (path === '(root)') return path;
    return path.split('.').map((segment) => {
      const base = segment.replace(/(\[\d*\])+$/, '');
      return /^\d+$/.test(base) || this.isKnownName(base) ? segment : REDACTED;
    }).join('.');
  }
}
