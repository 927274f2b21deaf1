import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ErrorCode, GatewayError } from '../errors.js';
import { errorBody } from './error-handler.js';

/** Errors node's HTTP parser raises before Fastify sees a request, in the gateway's error shape. */
function classify(code: string | undefined): GatewayError {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return new GatewayError(431, ErrorCode.headersTooLarge, 'Request line and headers are too large (URLs over ~16 KiB: send the fields in headers or a body instead)');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new GatewayError(408, ErrorCode.requestTimeout, 'The request was not received in time');
    default:
      return new GatewayError(400, ErrorCode.malformedRequest, 'Malformed HTTP request');
  }
}

/**
 * Fastify's `clientErrorHandler` (called with the Fastify instance as `this`): answers parser-level
 * failures (oversized headers, garbage requests, slow clients) with the documented JSON error shape,
 * logs the refusal (its code only: the error carries the raw bytes received), then closes the connection.
 */
export function clientErrorHandler(this: FastifyInstance | undefined, err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const error = classify(err.code);
  const requestId = randomUUID();
  if (socket.writable) {
    const body = JSON.stringify(errorBody(error, requestId));
    socket.write(`HTTP/1.1 ${error.statusCode} ${STATUS_CODES[error.statusCode] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\n`
      + `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`);
    this?.log.info({ reqId: requestId, err: error, code: error.code, statusCode: error.statusCode, parserCode: err.code, remoteAddress: socket.remoteAddress },
      'request refused');
  }
  socket.destroy();
}
