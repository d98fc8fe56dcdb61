import type { FastifyReply } from 'fastify';

/**
 * Aborted when the client goes away before its answer is sent (issue 19: a long import stops and
 * writes nothing). The response's 'close' comes when the connection closes; after a sent answer
 * it comes too, with the answer ended, which is no hang-up.
 */
export function hangUpSignal(reply: FastifyReply): AbortSignal {
  const hangUp = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableEnded) hangUp.abort();
  });
  return hangUp.signal;
}
