/**
 * Whether and where the gateway exports traces, from the standard OpenTelemetry variables. Kept apart from
 * ./tracing.ts so that reading the configuration loads no OpenTelemetry code: with tracing off, none is
 * ever imported.
 *
 * - OTEL_SDK_DISABLED=true: off, whatever else is set.
 * - OTEL_TRACES_EXPORTER: `otlp` (OTLP/HTTP, JSON encoding), `console` (spans printed on stdout, for a look
 *   on a laptop), or `none` (off). Any other value is a configuration error.
 * - Without OTEL_TRACES_EXPORTER, setting OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
 *   turns OTLP export on. Neither set: off.
 * - The OTLP exporter itself reads OTEL_EXPORTER_OTLP_ENDPOINT (`/v1/traces` is appended),
 *   OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (used as is), OTEL_EXPORTER_OTLP_HEADERS / _TRACES_HEADERS and
 *   OTEL_EXPORTER_OTLP_TIMEOUT; OTEL_SERVICE_NAME names the service (default `ecs-gateway`).
 */
export interface TracingConfig {
  exporter: 'off' | 'otlp' | 'console';
  serviceName: string;
  /** Where OTLP spans go; undefined: the exporter's default (http://localhost:4318/v1/traces). */
  otlpUrl?: string | undefined;
}

const EXPORTERS = new Set(['otlp', 'console', 'none']);

/** The tracing configuration of `env` (empty variables already left out); pushes a problem for a bad value. */
export function tracingFromEnv(env: Readonly<Record<string, string>>, problems: string[]): TracingConfig {
  const serviceName = env.OTEL_SERVICE_NAME?.trim() || 'ecs-gateway';
  const disabled = env.OTEL_SDK_DISABLED?.trim().toLowerCase();
  if (disabled !== undefined && disabled !== 'true' && disabled !== 'false') {
    problems.push('OTEL_SDK_DISABLED: must be true or false');
  }
  const chosen = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase();
  if (chosen !== undefined && !EXPORTERS.has(chosen)) {
    problems.push(`OTEL_TRACES_EXPORTER: must be otlp, console or none (got "${chosen}")`);
    return { exporter: 'off', serviceName };
  }
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const otlpUrl = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || (base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined);
  if (otlpUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(otlpUrl)) {
    problems.push('OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: must be an http:// or https:// URL');
  }
  if (disabled === 'true' || chosen === 'none') return { exporter: 'off', serviceName };
  if (chosen === 'otlp' || chosen === 'console') return { exporter: chosen, serviceName, otlpUrl };
  return { exporter: otlpUrl ? 'otlp' : 'off', serviceName, otlpUrl };
}
