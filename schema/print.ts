/** npm run schema:print — writes schema/schema.graphql (committed; a test fails when it drifts). */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printSchemaSDL } from './index.js';

const target = fileURLToPath(new URL('./schema.graphql', import.meta.url));
writeFileSync(target, await printSchemaSDL());
console.log(`wrote ${target}`);
