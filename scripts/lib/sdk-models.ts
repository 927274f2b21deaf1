/**
 * Reading the official ECS SDK `@alicloud/ecs20140526` (Apache-2.0, a devDependency): its model classes at run
 * time, its model doc comments and its client source (parsed with the TypeScript compiler). Shared by the two
 * generators, scripts/generate-catalog.ts (the gateway's catalog) and scripts/generate-emulator-catalog.ts (the
 * emulator's spec); they share this reading and nothing else.
 */
import { createRequire } from 'node:module';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import ts from 'typescript';

export const SDK = '@alicloud/ecs20140526';

const require = createRequire(import.meta.url);

// ---------------------------------------------------------------------------------------------------------
// The SDK at run time

/** The static side of an SDK model class. */
export interface ModelClass {
  name: string;
  names(): Record<string, string>;
  types(): Record<string, SdkType>;
}
export type SdkType = string | ModelClass | { type: 'array'; itemType: SdkType } | { type: 'map'; keyType: SdkType; valueType: SdkType };

export const isModel = (t: unknown): t is ModelClass =>
  typeof t === 'function' && typeof (t as Partial<ModelClass>).names === 'function' && typeof (t as Partial<ModelClass>).types === 'function';

// ---------------------------------------------------------------------------------------------------------
// Doc comments

export interface Doc {
  remarks: string;
  example?: string;
  deprecated: boolean;
}

export function jsDocOf(node: ts.Node): { comment: string; tags: Map<string, string> } {
  const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
  let comment = '';
  const tags = new Map<string, string>();
  for (const d of docs) {
    comment += ts.getTextOfJSDocComment(d.comment) ?? '';
    for (const t of d.tags ?? []) {
      const name = t.tagName.text;
      tags.set(name, (tags.get(name) ?? '') + (ts.getTextOfJSDocComment(t.comment) ?? ''));
    }
  }
  return { comment, tags };
}

/** className → property → doc, from every model source file. */
export function readModelDocs(modelsDir: string): Map<string, Map<string, Doc>> {
  const out = new Map<string, Map<string, Doc>>();
  for (const file of readdirSync(modelsDir).filter((f) => f.endsWith('.ts')).sort()) {
    const sf = ts.createSourceFile(file, readFileSync(resolve(modelsDir, file), 'utf8'), ts.ScriptTarget.ES2022, true);
    for (const st of sf.statements) {
      if (!ts.isClassDeclaration(st) || !st.name) continue;
      const props = new Map<string, Doc>();
      for (const m of st.members) {
        if (!ts.isPropertyDeclaration(m) || !ts.isIdentifier(m.name)) continue;
        const { comment, tags } = jsDocOf(m);
        const example = tags.get('example');
        props.set(m.name.text, {
          remarks: (tags.get('remarks') ?? comment).trim(),
          ...(example !== undefined ? { example: example.trim() } : {}),
          deprecated: tags.has('deprecated'),
        });
      }
      out.set(st.name.text, props);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The client: one `xxxWithOptions` method per action

export interface ClientMethod {
  action: string;
  requestClass: string;
  summary: string;
  deprecated: boolean;
  /** Wire name → request property, in the order the method sends them. */
  query: Map<string, string>;
  /** Properties the method sends JSON-encoded (`…Shrink`), by property. */
  json: Set<string>;
}

export function readClient(clientFile: string): ClientMethod[] {
  const sf = ts.createSourceFile('client.ts', readFileSync(clientFile, 'utf8'), ts.ScriptTarget.ES2022, true);
  const cls = sf.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === 'Client');
  if (!cls) throw new Error('SDK client: class Client not found');
  const methods: ClientMethod[] = [];
  for (const m of cls.members) {
    if (!ts.isMethodDeclaration(m) || !ts.isIdentifier(m.name) || !m.name.text.endsWith('WithOptions') || !m.body) continue;
    const body = m.body.getText(sf);
    const where = `SDK client ${m.name.text}`;
    const action = /\baction: "(\w+)"/.exec(body)?.[1];
    if (!action) throw new Error(`${where}: no action`);
    const reqType = m.parameters[0]?.type?.getText(sf) ?? '';
    const requestClass = /^\$_model\.(\w+Request)$/.exec(reqType)?.[1];
    if (!requestClass) throw new Error(`${where}: unexpected request type ${reqType}`);
    // Everything must go in the query string, with the shapes below; anything else needs a look.
    for (const [pattern, what] of [[/\bbody\[|\blet body\b|\bheaders\[|\bhostMap\b/, 'a body/header/host field'],
      [/reqBodyType: "(?!formData")/, 'another request body type'], [/\bstyle: "(?!RPC")/, 'another API style']] as const) {
      if (pattern.test(body)) throw new Error(`${where}: sends ${what}; the generator does not know that shape`);
    }
    if (!body.includes('query: OpenApiUtil.query(query)')) throw new Error(`${where}: query not built with OpenApiUtil.query`);
    const query = new Map<string, string>();
    const json = new Set<string>();
    const shrinkOf = new Map<string, { prop: string; wire: string }>();
    for (const s of body.matchAll(/request\.(\w+)Shrink = OpenApiUtil\.arrayToStringWithSpecifiedStyle\(tmpReq\.(\w+), "(\w+)", "(\w+)"\);/g)) {
      const [, shrink, prop, wire, style] = s as unknown as [string, string, string, string, string];
      if (style !== 'json') throw new Error(`${where}: ${prop} sent in style ${style}`);
      if (shrink !== prop) throw new Error(`${where}: ${shrink}Shrink comes from ${prop}`);
      shrinkOf.set(`${prop}Shrink`, { prop, wire });
    }
    let assignments = 0;
    for (const q of body.matchAll(/query\["([^"]+)"\] = request\.(\w+);/g)) {
      const [, wire, ref] = q as unknown as [string, string, string];
      assignments++;
      const shrunk = shrinkOf.get(ref);
      const prop = shrunk ? shrunk.prop : ref;
      if (shrunk) {
        if (shrunk.wire !== wire) throw new Error(`${where}: ${ref} named ${shrunk.wire} but sent as ${wire}`);
        json.add(prop);
      }
      const seen = query.get(wire);
      if (seen !== undefined && seen !== prop) throw new Error(`${where}: ${wire} sent from ${seen} and ${prop}`);
      query.set(wire, prop);
    }
    if (assignments !== (body.match(/query\[/g) ?? []).length) throw new Error(`${where}: a query assignment of an unknown shape`);
    const { comment, tags } = jsDocOf(m);
    methods.push({ action, requestClass, summary: comment.trim(), deprecated: tags.has('deprecated'), query, json });
  }
  return methods;
}

// ---------------------------------------------------------------------------------------------------------
// Everything at once

/** The SDK as the generators read it. */
export interface SdkModels {
  /** package.json's version and license. */
  pkg: { version: string; license: string };
  /** The module's exports: model classes by name. */
  sdk: Record<string, unknown>;
  /** className → property → doc comment. */
  docs: Map<string, Map<string, Doc>>;
  /** One per action, in the client's order. */
  methods: ClientMethod[];
}

export function loadSdk(): SdkModels {
  const sdkDir = dirname(require.resolve(`${SDK}/package.json`));
  const pkg = JSON.parse(readFileSync(resolve(sdkDir, 'package.json'), 'utf8')) as { version: string; license: string };
  const sdk = require(SDK) as Record<string, unknown>;
  const docs = readModelDocs(resolve(sdkDir, 'src/models'));
  const methods = readClient(resolve(sdkDir, 'src/client.ts'));
  return { pkg, sdk, docs, methods };
}
