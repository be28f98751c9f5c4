/**
 * The typed command API the loaders and resolvers call: `createArchticsApi(runner, defaults)`
 * (src/archtics/commands/) — one function per command, typed request in, typed result out.
 */
export type { ArchticsApi as GatewayApi } from '../archtics/commands/index.js';
