/** The typed upstream failures live with the protocol (src/protocol/errors.ts) so that the budget
 * planner below this layer can raise them too; the client's callers keep importing them here. */
export * from '../protocol/errors.js';
