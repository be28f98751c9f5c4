/**
 * npm run schema:print — writes schema/schema.graphql and the federation subgraph's SDL,
 * schema/subgraph.graphql (both committed; tests fail when they drift).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printSchemaSDL } from './index.js';

const target = fileURLToPath(new URL('./schema.graphql', import.meta.url));
writeFileSync(target, await printSchemaSDL());
console.log(`wrote ${target}`);

const { printSubgraphSDL } = await import('./federation.js');
const subgraphTarget = fileURLToPath(new URL('./subgraph.graphql', import.meta.url));
writeFileSync(subgraphTarget, printSubgraphSDL());
console.log(`wrote ${subgraphTarget}`);
