import { randomUUID } from 'node:crypto';
import { LogController, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';

/**
 * Query parameters whose values may be logged. Everything else (access key secrets, tokens, and any
 * key we do not know, which could be a misspelt secret) is logged as [REDACTED]: an allowlist, so
 * a new secret-bearing field cannot leak by being forgotten here.
 */
const LOGGABLE_QUERY_KEYS = new Set([
  'regionId', 'region_id', 'endpoint', 'accessKeyId', 'access_key_id', 'acceptLanguage', 'accept_language',
  'instanceChargeType', 'instance_charge_type', 'resourceType', 'resource_type', 'imageId', 'image_id',
  'imageName', 'image_name', 'imageOwnerAlias', 'image_owner_alias', 'osType', 'os_type', 'architecture',
  'status', 'showExpired', 'show_expired', 'instanceType', 'instance_type', 'instanceTypeFamily',
  'instance_type_family', 'instanceTypes', 'instance_types', 'instanceTypes[]', 'nextToken', 'next_token',
  'maxResults', 'max_results', 'pageNumber', 'page_number', 'pageSize', 'page_size', 'instanceIds',
  'instance_ids', 'instanceIds[]', 'instanceName', 'instance_name', 'zoneId', 'zone_id', 'vpcId', 'vpc_id',
  'tags', 'tags[]', 'dryRun', 'dry_run', 'spotStrategy', 'spot_strategy', 'verbose',
]);

/** The URL with the value of every non-allowlisted query parameter replaced by [REDACTED]. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const parts = url.slice(q + 1).split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    let key: string;
    try {
      key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
    } catch {
      key = '';
    }
    if (eq < 0) return LOGGABLE_QUERY_KEYS.has(key) ? pair : '[REDACTED]';
    return LOGGABLE_QUERY_KEYS.has(key) ? pair : `${rawKey}=[REDACTED]`;
  });
  return `${url.slice(0, q)}?${parts.join('&')}`;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify logger and request-id options: no headers or bodies are logged, URLs are redacted. */
export function loggingOptions(level: string, stream?: NodeJS.WritableStream): Pick<FastifyServerOptions, 'logger' | 'genReqId' | 'requestIdHeader' | 'logController'> {
  return {
    logger: {
      level,
      ...(stream ? { stream } : {}),
      serializers: {
        req: (req: { method: string; url: string; ip?: string; socket?: { remoteAddress?: string } }) => ({
          method: req.method,
          url: redactUrl(req.url),
          remoteAddress: req.ip ?? req.socket?.remoteAddress,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        // No stack for expected errors and never the error's other properties (request options, bodies).
        err: (err: Error & { code?: string; statusCode?: number }) => ({
          type: err.name, code: err.code, message: err.message, statusCode: err.statusCode, stack: '',
        }),
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
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) request.log.error({ ...line, err: error }, 'request errored');
    else if (PROBES.has(request.url) && reply.statusCode < 400) request.log.debug(line, 'request completed');
    else request.log.info(line, 'request completed');
  }
}

const PROBES = new Set(['/healthz', '/readyz']);
