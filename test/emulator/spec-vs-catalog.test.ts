/**
 * The emulator's spec and the gateway's catalog are generated independently from the same SDK (they share only
 * scripts/lib/sdk-models.ts). They must agree on every action's wire names (at every depth), styles, types,
 * required flags and JSON-valued parameters; a disagreement means one generator reads the SDK wrongly.
 */
import { describe, expect, it } from 'vitest';
import { actionSpec, specActionNames, type SpecField, type SpecShape } from '../../src/emulator/ecs/catalog/spec.js';
import { actionNames, getAction, type Param, type Shape } from '../../src/gateway/ecs/catalog/index.js';

/** One line per wire path: `path type style required json`. */
function specLines(fields: readonly (SpecField & { style?: string })[], prefix: string, out: string[]): string[] {
  for (const f of fields) {
    const path = `${prefix}${f.name}`;
    const json = f.json !== undefined || f.style === 'json';
    out.push(`${path} ${json ? 'json' : f.type === 'map' ? 'object' : f.type}${f.required ? ' required' : ''}`);
    if (!json) walkSpec(f, path, out);
  }
  return out;
}
function walkSpec(shape: SpecShape, path: string, out: string[]): void {
  if (shape.type === 'array') {
    out.push(`${path}.N ${shape.items!.type === 'map' ? 'object' : shape.items!.type}`);
    walkSpec(shape.items!, `${path}.N`, out);
  } else if (shape.type === 'object') specLines(shape.members ?? [], `${path}.`, out);
}

function catalogLines(params: readonly Param[], prefix: string, out: string[]): string[] {
  for (const p of params) {
    const path = `${prefix}${p.name}`;
    const json = p.style === 'json';
    out.push(`${path} ${json ? 'json' : p.type}${p.required ? ' required' : ''}`);
    if (!json) walkCatalog(p, path, out);
  }
  return out;
}
function walkCatalog(shape: Shape, path: string, out: string[]): void {
  if (shape.type === 'array') {
    out.push(`${path}.N ${shape.items.type}`);
    walkCatalog(shape.items, `${path}.N`, out);
  } else if (shape.type === 'object') catalogLines(shape.members ?? [], `${path}.`, out);
}

describe('the emulator spec and the gateway catalog', () => {
  it('list the same 380 actions', () => {
    expect(specActionNames()).toEqual([...actionNames()]);
    expect(specActionNames()).toHaveLength(380);
  });

  it('agree on every parameter of every action: wire path, type, JSON-valued, required (at every depth)', () => {
    const disagreements: string[] = [];
    for (const name of specActionNames()) {
      const spec = specLines(actionSpec(name)!.params, '', []).sort();
      const catalog = catalogLines(getAction(name)!.params, '', []).sort();
      if (JSON.stringify(spec) !== JSON.stringify(catalog)) {
        const s = new Set(spec);
        const c = new Set(catalog);
        disagreements.push(`${name}: spec only [${spec.filter((l) => !c.has(l)).join('; ')}] catalog only [${catalog.filter((l) => !s.has(l)).join('; ')}]`);
      }
    }
    expect(disagreements).toEqual([]);
  });
});
