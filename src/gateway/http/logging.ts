import { randomUUID } from 'node:crypto';
import { LogController, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { GatewayError, summarize } from '../errors.js';
import { REDACTED, type FieldAllowlist } from './allowlist.js';

/**
 * The URL as it may be logged: the value of every query parameter whose value the allowlist does not
 * allow becomes [REDACTED], and a parameter the gateway does not know at all (it could be a secret typed
 * where a name goes: `?THE-SECRET`) becomes [REDACTED] as a whole, name and value.
 */
export function redactUrl(url: string, allowlist: FieldAllowlist): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const parts = url.slice(q + 1).split('&').map((pair) => {
    if (pair === '') return pair;
    const eq = pair.indexOf('=');
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    let key: string;
    try {
      key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
    } catch {
      return REDACTED;
    }
    if (!allowlist.isKnownName(key)) return REDACTED;
    if (eq < 0 || allowlist.isLoggableQueryValue(key)) return pair;
    return `${rawKey}=${REDACTED}`;
  });
  return `${url.slice(0, q)}?${parts.join('&')}`;
}

/**
 * An error as it may be logged. A GatewayError's `message` is for the caller and may name fields the
 * caller made up; the log gets its `logMessage` and its details with every unknown name redacted.
 */
export function errorForLog(err: Error & { code?: string; statusCode?: number }, allowlist: FieldAllowlist): { type: string; message: string; stack: string; code?: string | undefined; statusCode?: number | undefined } {
  if (err instanceof GatewayError) {
    const details = err.details?.map((d) => ({ ...d, field: allowlist.safeField(d.field) }));
    const message = details && details.length > 0 ? `${err.logMessage}: ${summarize(details)}` : err.logMessage;
    return { type: err.name, code: err.code, message, statusCode: err.statusCode, stack: '' };
  }
  // No stack for expected errors and never the error's other properties (request options, bodies).
  return { type: err.name, code: err.code, message: err.message, statusCode: err.statusCode, stack: '' };
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Fastify logger and request-id options: no headers or bodies are logged, URLs and errors are redacted
 * with `allowlist` (filled as the routes are registered).
 */
export function loggingOptions(level: string, allowlist: FieldAllowlist, stream?: NodeJS.WritableStream): Pick<FastifyServerOptions, 'logger' | 'genReqId' | 'requestIdHeader' | 'logController'> {
  return {
    logger: {
      level,
      ...(stream ? { stream } : {}),
      serializers: {
        req: (req: { method: string; url: string; ip?: string; socket?: { remoteAddress?: string } }) => ({
          method: req.method,
          url: redactUrl(req.url, allowlist),
          remoteAddress: req.ip ?? req.socket?.remoteAddress,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        err: (err: Error & { code?: string; statusCode?: number }) => errorForLog(err, allowlist),
      },
    },
    requestIdHeader: false,
    logController: new OneLinePerRequest(),
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
  };
}

/**
 * One log line per request, when its answer is sent (method, redacted URL, status, time taken),
 * instead of Fastify's two: half the logging cost. Health probes, which arrive every few seconds,
 * log at debug.
 */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {
    // Nothing: the request is logged once it completes.
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    logCompletion(error, request, reply);
  }
}

/** The one line a request logs when its answer is sent. */
export function logCompletion(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
  const line: Record<string, unknown> = { req: request, res: reply, responseTime: reply.elapsedTime };
  // The ECS RequestId of the call the request made (routes/factory.ts sets it), next to the gateway's reqId.
  if (request.ecsRequestId) line.ecsRequestId = request.ecsRequestId;
  if (error) request.log.error({ ...line, err: error }, 'request errored');
  else if (PROBES.has(request.url) && reply.statusCode < 400) request.log.debug(line, 'request completed');
  else request.log.info(line, 'request completed');
}

const PROBES = new Set(['/healthz', '/readyz']);

declare module 'fastify' {
  interface FastifyRequest {
    /** ECS's RequestId of the call this request made, once ECS answered; logged on the completion line. */
    ecsRequestId: string | null;
  }
}
