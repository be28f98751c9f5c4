/**
 * Feeds the gateway's Drain (src/drain.ts): every GraphQL request is tracked from arrival to
 * response and classified when it executes (query or mutation), with a way to cut its connection.
 * Once a shutdown began, new GraphQL requests (and /ready) are refused with 503 and
 * `Connection: close`, so load balancers move on; /health and /metrics still answer.
 */
import { getOperationAST, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Drain, RequestKind, TrackedRequest } from '../drain.js';

interface NodeServerContext {
  req?: { socket?: { destroy(): void } };
}

export function useDrain(
  drain: Drain,
  opts: { endpoint: string; readyPath?: string },
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- reads only `request` and `requestId` of the context
): Plugin<any> {
  const tracked = new WeakMap<Request, TrackedRequest>();
  const readyPath = opts.readyPath ?? '/ready';
  return {
    onRequest({ request, url, serverContext, fetchAPI, endResponse }) {
      if (url.pathname !== opts.endpoint && url.pathname !== readyPath) return;
      if (drain.draining) {
        endResponse(
          new fetchAPI.Response(
            JSON.stringify({
              errors: [
                {
                  message: 'The gateway is shutting down; retry on another instance.',
                  extensions: { code: 'SHUTTING_DOWN', retryAfterSeconds: 1 },
                },
              ],
            }),
            {
              status: 503,
              headers: {
                'content-type': 'application/json',
                connection: 'close',
                'retry-after': '1',
              },
            },
          ),
        );
        return;
      }
      if (url.pathname !== opts.endpoint) return;
      const socket = (serverContext as NodeServerContext | undefined)?.req?.socket;
      const t = drain.begin(socket ? { cut: () => socket.destroy() } : {});
      tracked.set(request, t);
      // A client that hung up gets no response: stop waiting for it (a payment it started is
      // tracked on its own, among the drain's writes).
      request.signal?.addEventListener('abort', () => drain.end(t), { once: true });
    },
    onExecute({ args }) {
      const t = tracked.get((args.contextValue as { request?: Request }).request!);
      if (!t) return;
      const op = getOperationAST(args.document as DocumentNode, args.operationName ?? undefined);
      t.kind = (op?.operation ?? 'unknown') as RequestKind;
      t.requestId = (args.contextValue as { requestId?: string }).requestId;
      if (op?.name) t.operationName = op.name.value;
    },
    onResponse({ request }) {
      const t = tracked.get(request);
      if (t) drain.end(t);
    },
  };
}
