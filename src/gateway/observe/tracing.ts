import { randomUUID } from 'node:crypto';
import FastifyOtel from '@fastify/otel';
import { SpanKind, SpanStatusCode, context, trace, type Span as ApiSpan } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor, ConsoleSpanExporter, NodeTracerProvider, SimpleSpanProcessor,
  type Span, type SpanExporter, type SpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { upstreamAttempts, type UpstreamAttempt } from '../ecs/events.js';
import { GATEWAY_VERSION } from '../version.js';
import type { TracingConfig } from './tracing-config.js';

const { FastifyOtelInstrumentation } = FastifyOtel;

/** What tests inject instead of the configured exporter (an InMemorySpanExporter), exported span by span. */
export interface TracingOptions {
  exporter?: SpanExporter;
}

/** The span attribute of the route span that carries the request path (the query string is dropped: it may hold credentials). */
const URL_PATH = 'url.path';

/**
 * Keeps secrets out of every span before it is exported: an error's message may quote what the caller
 * sent (a field name it made up could be a secret typed in the wrong place), so the status keeps only its
 * code; and the route span's `url.path` never has the query string. Runs while the span can still change.
 */
class Scrubber implements SpanProcessor {
  onStart(): void {}
  onEnding(span: Span): void {
    if (span.status.message) span.setStatus({ code: span.status.code });
    const path = span.attributes[URL_PATH];
    if (typeof path === 'string' && path.includes('?')) span.setAttribute(URL_PATH, path.slice(0, path.indexOf('?')));
  }
  onEnd(): void {}
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

/**
 * OpenTelemetry tracing with @fastify/otel, loaded only when configured (app.ts imports this module
 * lazily). Each app has its own TracerProvider (tests build many apps in one process); the first one also
 * installs the process-wide context manager and W3C propagator, so an incoming `traceparent` is honoured.
 *
 * Spans: one per request (`request`, with `http.route`, `http.request.method`, the status and the gateway's
 * request id), one for the route handler, and one per ECS attempt (`ECS <Action>`, a CLIENT span made from the
 * attempts channel with the attempt's own start and duration: `ecs.action`, `ecs.attempt`, `ecs.code`,
 * `ecs.request_id`, `ecs.region_id`, `ecs.throttled`, `ecs.will_retry`, `http.response.status_code`). The
 * request span gets `ecs.request_id` too. No parameters, headers, bodies or credentials are ever recorded.
 */
export async function registerTracing(app: FastifyInstance, config: TracingConfig, options: TracingOptions = {}): Promise<void> {
  const exporter = options.exporter ?? (config.exporter === 'console' ? new ConsoleSpanExporter() : new OTLPTraceExporter(config.otlpUrl ? { url: config.otlpUrl } : {}));
  // service.instance.id tells this app's spans from another's in the same process.
  const instanceId = randomUUID();
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName, 'service.version': GATEWAY_VERSION, 'service.instance.id': instanceId }),
    spanProcessors: [
      new Scrubber(),
      options.exporter ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter),
    ],
  });
  // Sets the global context manager and propagator (and the global provider, once per process; ours is
  // passed explicitly everywhere, so a later app's is not needed there).
  provider.register();
  const tracer = provider.getTracer('ecs-gateway', GATEWAY_VERSION);
  const instrumentation = new FastifyOtelInstrumentation({
    instrumentHooks: false,
    recordExceptions: false,
    requestHook: (span, request) => {
      span.setAttribute('gateway.request_id', request.id);
    },
  });
  instrumentation.setTracerProvider(provider);
  await app.register(instrumentation.plugin());

  // The request span of each request in flight, by span id: an attempt's parent is the handler span, a
  // child of the request span, which gets the ECS RequestId too.
  const requestSpans = new Map<string, ApiSpan>();
  const forget = (request: FastifyRequest): void => {
    const otel = request.opentelemetry();
    if (otel.enabled) requestSpans.delete(otel.span.spanContext().spanId);
  };
  app.addHook('onRequest', (request, _reply, done) => {
    const otel = request.opentelemetry();
    if (otel.enabled) requestSpans.set(otel.span.spanContext().spanId, otel.span);
    done();
  });
  app.addHook('onResponse', (request, _reply, done) => {
    forget(request);
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    forget(request);
    done();
  });
  const onAttempt = (message: unknown): void => {
    const parent = trace.getSpan(context.active()) as (ApiSpan & Partial<Pick<Span, 'resource' | 'parentSpanContext'>>) | undefined;
    // Only within a request of this app (tests run several apps in one process; the channel is process-wide).
    if (!parent?.isRecording() || parent.resource?.attributes['service.instance.id'] !== instanceId) return;
    const event = message as UpstreamAttempt;
    const span = tracer.startSpan(`ECS ${event.action}`, {
      kind: SpanKind.CLIENT,
      startTime: event.startedAt,
      attributes: {
        'rpc.system': 'alibaba_cloud_ecs',
        'rpc.method': event.action,
        'ecs.action': event.action,
        'ecs.attempt': event.attempt,
        'ecs.code': event.code,
        'ecs.throttled': event.throttled,
        'ecs.will_retry': event.willRetry,
        ...(event.regionId ? { 'ecs.region_id': event.regionId } : {}),
        ...(event.ecsRequestId ? { 'ecs.request_id': event.ecsRequestId } : {}),
        ...(event.status !== undefined ? { 'http.response.status_code': event.status } : {}),
      },
    }, context.active());
    if (event.code !== 'OK') span.setStatus({ code: SpanStatusCode.ERROR });
    span.end(event.startedAt + event.durationMs);
    if (event.ecsRequestId) {
      const root = requestSpans.get(parent.spanContext().spanId) ?? requestSpans.get(parent.parentSpanContext?.spanId ?? '');
      root?.setAttribute('ecs.request_id', event.ecsRequestId);
    }
  };
  upstreamAttempts.subscribe(onAttempt);
  app.addHook('onClose', async () => {
    upstreamAttempts.unsubscribe(onAttempt);
    await provider.shutdown();
  });
}
