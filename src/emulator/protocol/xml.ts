/**
 * Renders an ECS response body as XML the way the RPC endpoint does for `Format=XML`:
 * the JSON shape keeps ECS's XML-style wrappers (`Regions.Region[]`), so an array simply
 * repeats its key as an element: `<Regions><Region>…</Region><Region>…</Region></Regions>`.
 */

/** Escapes text for element content. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** `<?xml …?><root>…</root>` for a JSON-like object. */
export function toXmlDocument(root: string, body: Readonly<Record<string, unknown>>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${element(root, body)}`;
}

function element(name: string, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((item) => element(name, item)).join('');
  if (typeof value === 'object') {
    const inner = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => element(k, v))
      .join('');
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}
