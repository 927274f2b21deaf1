import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, GatewayError } from '../errors.js';
import type { CancelRegistration } from '../ecs/client.js';

/**
 * Cancels an ECS call when its client goes away: the request's socket closing before the answer was sent
 * (a client that disconnects, a proxy in front that gives up). One listener on the socket while the call
 * runs, taken off when it settles (a keep-alive socket serves further requests); no AbortController.
 * A socket already gone cancels at once.
 */
export function cancelOnClientGone(request: FastifyRequest): CancelRegistration {
  return (cancel) => {
    const socket = request.raw.socket as NodeJS.EventEmitter & { destroyed?: boolean } | null | undefined;
    if (!socket) return undefined;
    if (socket.destroyed === true) {
      cancel();
      return undefined;
    }
    socket.on('close', cancel);
    return () => { socket.off('close', cancel); };
  };
}

/**
 * For a job of many ECS calls (all=true paging, a waitFor wait, an inventory): a signal that aborts when the
 * client goes away before its answer is finished, with 499 CLIENT_CLOSED_REQUEST as the reason (what the pager
 * and the limiter throw), after calling `onGone` (e.g. to log it). `release()` takes the listener off once the
 * job no longer needs it.
 */
export function clientGoneSignal(reply: FastifyReply, onGone?: () => void): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const onClose = (): void => {
    if (reply.raw.writableFinished) return;
    onGone?.();
    controller.abort(new GatewayError(499, ErrorCode.clientClosedRequest, 'The client closed the connection'));
  };
  reply.raw.once('close', onClose);
  return { signal: controller.signal, release: () => { reply.raw.off('close', onClose); } };
}
