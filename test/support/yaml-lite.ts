/**
 * A reader for the plain subset of YAML the Kubernetes manifests in deploy/kubernetes/ are written in (the repository
 * has no YAML parser among its dependencies): documents separated by `---`, block mappings and block sequences by
 * indentation, `# comments`, and scalars (plain, "double-quoted" as JSON, 'single-quoted', numbers, true/false,
 * null, `[]`, `{}`). Anything else (flow collections, block scalars, anchors, tags) is refused with an error, so a
 * manifest that leaves the subset fails its test instead of being misread.
 */

type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml };

interface Line { indent: number; text: string; number: number }

/** The line without its comment: a `#` at the start or after a space, outside quotes. */
function withoutComment(raw: string): string {
  let quote: string | undefined;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || raw[i - 1] === ' ')) return raw.slice(0, i);
  }
  return raw;
}

function scalar(text: string, line: number): Yaml {
  const t = text.trim();
  if (t.startsWith('"')) return JSON.parse(t) as string;
  if (t.startsWith("'")) {
    if (!t.endsWith("'") || t.length < 2) throw new Error(`line ${line}: unterminated '…'`);
    return t.slice(1, -1).replace(/''/g, "'");
  }
  if (t === '[]') return [];
  if (t === '{}') return {};
  if (/^[[{&*!|>%@`]/.test(t)) throw new Error(`line ${line}: "${t}" is outside the YAML subset this reader takes`);
  if (t === 'true' || t === 'false') return t === 'true';
  if (t === 'null' || t === '~' || t === '') return null;
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  return t;
}

/** `key: rest` of a mapping line, or undefined when the line is not one. */
function keyValue(text: string): [string, string] | undefined {
  const m = /^("(?:[^"\\]|\\.)*"|'[^']*'|[^\s'"#][^:]*?):(?:\s+(.*))?$/.exec(text);
  if (!m) return undefined;
  const key = m[1]!.startsWith('"') ? (JSON.parse(m[1]!) as string) : m[1]!.startsWith("'") ? m[1]!.slice(1, -1) : m[1]!;
  return [key, m[2] ?? ''];
}

function parseBlock(lines: Line[], start: number, indent: number): [Yaml, number] {
  const first = lines[start];
  if (!first || first.indent < indent) return [null, start];
  if (first.text === '-' || first.text.startsWith('- ')) return parseSequence(lines, start, first.indent);
  return parseMapping(lines, start, first.indent);
}

function parseSequence(lines: Line[], start: number, indent: number): [Yaml[], number] {
  const out: Yaml[] = [];
  let i = start;
  while (i < lines.length && lines[i]!.indent === indent && (lines[i]!.text === '-' || lines[i]!.text.startsWith('- '))) {
    const line = lines[i]!;
    const rest = line.text === '-' ? '' : line.text.slice(2);
    if (rest.trim() === '') {
      const [value, next] = parseBlock(lines, i + 1, indent + 1);
      out.push(value);
      i = next;
    } else if (keyValue(rest.trim())) {
      // `- key: value`: a mapping whose lines sit where `key` starts.
      const inner = indent + 2 + (rest.length - rest.trimStart().length);
      lines[i] = { indent: inner, text: rest.trim(), number: line.number };
      const [value, next] = parseMapping(lines, i, inner);
      out.push(value);
      i = next;
    } else {
      out.push(scalar(rest, line.number));
      i++;
    }
  }
  if (i < lines.length && lines[i]!.indent > indent) throw new Error(`line ${lines[i]!.number}: unexpected indentation`);
  return [out, i];
}

function parseMapping(lines: Line[], start: number, indent: number): [{ [key: string]: Yaml }, number] {
  const out: { [key: string]: Yaml } = {};
  let i = start;
  while (i < lines.length && lines[i]!.indent === indent) {
    const line = lines[i]!;
    if (line.text.startsWith('- ')) break;
    const kv = keyValue(line.text);
    if (!kv) throw new Error(`line ${line.number}: expected "key: value", got "${line.text}"`);
    const [key, rest] = kv;
    if (Object.hasOwn(out, key)) throw new Error(`line ${line.number}: duplicate key ${key}`);
    if (rest.trim() !== '') {
      out[key] = scalar(rest, line.number);
      i++;
      continue;
    }
    const next = lines[i + 1];
    if (next && (next.indent > indent || (next.indent === indent && (next.text === '-' || next.text.startsWith('- '))))) {
      const [value, after] = parseBlock(lines, i + 1, next.indent);
      out[key] = value;
      i = after;
    } else {
      out[key] = null;
      i++;
    }
  }
  if (i < lines.length && lines[i]!.indent > indent) throw new Error(`line ${lines[i]!.number}: unexpected indentation`);
  return [out, i];
}

/** Every document of `text`, in order (empty documents left out). */
export function parseYamlDocuments(text: string): Yaml[] {
  const docs: Line[][] = [[]];
  text.split('\n').forEach((raw, n) => {
    if (/^---\s*$/.test(raw)) { docs.push([]); return; }
    if (raw.includes('\t')) throw new Error(`line ${n + 1}: tab`);
    const stripped = withoutComment(raw).replace(/\s+$/, '');
    if (stripped.trim() === '') return;
    docs.at(-1)!.push({ indent: stripped.length - stripped.trimStart().length, text: stripped.trim(), number: n + 1 });
  });
  return docs.filter((d) => d.length > 0).map((lines) => {
    const [value, end] = parseBlock(lines, 0, 0);
    if (end !== lines.length) throw new Error(`line ${lines[end]!.number}: not understood`);
    return value;
  });
}
