/** Reports the operation's upstream work as extensions.upstream ({ calls, polls, retries, cacheHits, … }). */
import type { Plugin } from 'graphql-yoga';
import { isAsyncIterable } from 'graphql-yoga';
import type { UpstreamTrace } from '../archtics/types.js';

export function useUpstreamTrace(): Plugin<{ trace?: UpstreamTrace }> {
  return {
    onExecute({ args }) {
      const trace = (args.contextValue as { trace?: UpstreamTrace }).trace;
      if (!trace) return;
      return {
        onExecuteDone({ result, setResult }) {
          if (isAsyncIterable(result)) return;
          setResult({ ...result, extensions: { ...result.extensions, upstream: { ...trace } } });
        },
      };
    },
  };
}
