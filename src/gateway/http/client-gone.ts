import type { FastifyRequest } from 'fastify';
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
