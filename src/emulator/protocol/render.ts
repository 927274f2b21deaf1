/**
 * Response rendering: the ECS body (JSON, or XML on `Format=XML`) and the headers the
 * real endpoint sends (captured on ECS, see seeds/003 and data/fixtures/README.md).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { toXmlDocument } from './xml.js';

/** The body format a caller asked for. */
export type ResponseFormat = 'JSON' | 'XML';

/** Status, headers and body ready to write. */
export interface RenderedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** An error as rendered into the ECS error body. */
export interface RenderableError {
  status: number;
  code: string;
  message: string;
  recommend?: string | undefined;
  headers?: Readonly<Record<string, string>>;
}

/** HostId of every error body; the fixtures captured from ECS carry this value. */
export const HOST_ID = 'ecs.aliyuncs.com';

/** A fresh RequestId: an upper-case UUID, as ECS issues them. */
export function newRequestId(): string {
  return randomUUID().toUpperCase();
}

/** `Format=XML` (any case) selects XML; everything else answers JSON. */
export function responseFormat(format: string | undefined): ResponseFormat {
  return format?.toUpperCase() === 'XML' ? 'XML' : 'JSON';
}

/** The headers ECS sends on every answer. `date` and `connection` are added by node:http. */
export function ecsHeaders(requestId: string, format: ResponseFormat): Record<string, string> {
  return {
    'content-type': format === 'XML' ? 'text/xml;charset=utf-8' : 'application/json;charset=utf-8',
    'x-acs-request-id': requestId,
    'x-acs-trace-id': randomBytes(16).toString('hex'),
    'access-control-allow-origin': '*',
    'access-control-allow-methods': 'POST, GET, OPTIONS, PUT, DELETE',
    'access-control-allow-headers':
      'X-Requested-With, X-Sequence, _aop_secret, _aop_signature, x-acs-action, x-acs-version, x-acs-date, Content-Type',
    'access-control-max-age': '172800',
    vary: 'Accept-Encoding',
  };
}

/** A successful action answer: `{RequestId, ...body}` or `<ActionResponse>`. */
export function renderSuccess(
  action: string,
  body: Readonly<Record<string, unknown>>,
  requestId: string,
  format: ResponseFormat,
): RenderedResponse {
  const full = { RequestId: requestId, ...body };
  const text = format === 'XML' ? toXmlDocument(`${action}Response`, full) : JSON.stringify(full);
  return { status: 200, headers: ecsHeaders(requestId, format), body: text };
}

/** The ECS error body `{RequestId, HostId, Code, Message, Recommend}` (root `<Error>` in XML). */
export function renderError(err: RenderableError, requestId: string, format: ResponseFormat): RenderedResponse {
  const body = {
    RequestId: requestId,
    HostId: HOST_ID,
    Code: err.code,
    Message: err.message,
    Recommend:
      err.recommend ??
      `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(err.code)}&product=Ecs&requestId=${requestId}`,
  };
  const text = format === 'XML' ? toXmlDocument('Error', body) : JSON.stringify(body);
  return { status: err.status, headers: { ...ecsHeaders(requestId, format), ...err.headers }, body: text };
}
