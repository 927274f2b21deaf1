import { readFileSync } from 'node:fs';

/** The gateway's version, from package.json (works from src/ under tsx and from dist/src/ when built). */
export const GATEWAY_VERSION: string = (() => {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'ecs-gateway' && pkg.version) return pkg.version;
    } catch { /* try the next location */ }
  }
  return '0.0.0';
})();
