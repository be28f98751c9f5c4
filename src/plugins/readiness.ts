/**
 * GET /ready: 200 when the upstream answers ping with system_available, 503 otherwise. The answer
 * is cached (default 10 s) and concurrent probes share one ping, so probes cannot burn the
 * 80-a-minute budget. /health (liveness, no upstream call) is yoga's own healthCheckEndpoint.
 */
import { useReadinessCheck, type Plugin } from 'graphql-yoga';

export interface ReadinessOptions {
  /** True when the upstream is usable; throwing counts as not ready. */
  check: () => Promise<boolean>;
  ttlMs?: number;
  now?: () => number;
}

export function cachedCheck(opts: ReadinessOptions): () => Promise<boolean> {
  const ttl = opts.ttlMs ?? 10_000;
  const now = opts.now ?? Date.now;
  let last: { at: number; ready: boolean } | undefined;
  let inflight: Promise<boolean> | undefined;
  return () => {
    if (last && now() - last.at < ttl) return Promise.resolve(last.ready);
    inflight ??= opts
      .check()
      .catch(() => false)
      .then((ready) => {
        last = { at: now(), ready };
        inflight = undefined;
        return ready;
      });
    return inflight;
  };
}

export function useUpstreamReadiness(opts: ReadinessOptions): Plugin {
  const check = cachedCheck(opts);
  return useReadinessCheck({
    endpoint: '/ready',
    check: async ({ fetchAPI }) => {
      const ready = await check();
      return new fetchAPI.Response(JSON.stringify({ ready }), {
        status: ready ? 200 : 503,
        headers: { 'content-type': 'application/json' },
      });
    },
  });
}
