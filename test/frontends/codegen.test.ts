/**
 * The codegen recipe (docs/clients/codegen.ts) run against the live gateway by introspection: its
 * typed documents map Date/DateTime to string, the manifest it writes is accepted by
 * GRAPHQL_TRUSTED_DOCUMENTS, and a gateway in allow-list mode runs its documents by documentId
 * and refuses anything else without an upstream call.
 */
import { generate } from '@graphql-codegen/cli';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codegenConfig } from '../../docs/clients/codegen.js';
import { startHttpGateway, type HttpGateway } from './support.js';
import { samplesOf } from '../support/worlds.js';

const OPERATIONS = /* GraphQL */ `
  query EventPage($name: String!) {
    event(name: $name) {
      id
      name
      date
      startsAt
      venue
      priceCodes {
        code
        ticketTypes {
          code
          price {
            amount
            currency
          }
        }
      }
    }
  }
  mutation Release($n: Int!) {
    releaseCart(orderNum: $n) {
      __typename
      ... on Error {
        message
      }
    }
  }
`;

describe('graphql-codegen recipe', () => {
  let live: HttpGateway;
  let out: string;
  let manifest: Record<string, string>;
  beforeAll(async () => {
    live = await startHttpGateway({ GRAPHQL_INTROSPECTION: 'true' });
    out = mkdtempSync(join(tmpdir(), 'codegen-'));
    writeFileSync(join(out, 'operations.graphql'), OPERATIONS);
    await generate(
      {
        ...codegenConfig({ schema: live.url, documents: [join(out, '*.graphql')], out }),
        silent: true,
        errorsOnly: true,
      },
      true,
    );
    manifest = JSON.parse(
      readFileSync(join(out, 'gql', 'persisted-documents.json'), 'utf8'),
    ) as Record<string, string>;
  }, 120_000);
  afterAll(async () => live?.close());

  it('maps the scalars to string and writes the manifest and possibleTypes', () => {
    const types = readFileSync(join(out, 'gql', 'graphql.ts'), 'utf8');
    const eventPage = /export type EventPageQuery = .*;/.exec(types)?.[0] ?? '';
    // Date and DateTime fields are strings, not `unknown`.
    expect(eventPage).toContain('date: string | null');
    expect(eventPage).toContain('startsAt: string | null');
    expect(eventPage).not.toContain('unknown');
    expect(Object.keys(manifest)).toHaveLength(2);
    for (const id of Object.keys(manifest)) expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    const possible = readFileSync(join(out, 'possible-types.ts'), 'utf8');
    expect(possible).toContain('"Error": [');
  });

  it('its manifest puts a gateway in allow-list mode: documents by id run, others are refused at no upstream cost', async () => {
    const file = join(out, 'gql', 'persisted-documents.json');
    const strict = await startHttpGateway({ GRAPHQL_TRUSTED_DOCUMENTS: file });
    try {
      const [eventPage] = Object.entries(manifest).find(([, doc]) => doc.includes('EventPage'))!;
      const name = samplesOf(strict.sb).homeEvents[0];
      const ok = await fetch(strict.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ documentId: eventPage, variables: { name } }),
      });
      const body = (await ok.json()) as any;
      expect(body.data.event).toMatchObject({
        name,
        date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      });
      const before = strict.upstreamPosts();
      const refused = await fetch(strict.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `{ event(name: "${name}") { name } }` }),
      });
      expect(refused.status).toBe(403);
      expect(strict.upstreamPosts()).toBe(before);
    } finally {
      await strict.close();
    }
  });
});

describe('docs/clients.md', () => {
  it('shows every recipe file exactly as the tests run it', () => {
    const root = new URL('../../', import.meta.url);
    const page = readFileSync(new URL('docs/clients.md', root), 'utf8');
    for (const file of [
      'docs/clients/apollo.ts',
      'docs/clients/urql.ts',
      'docs/clients/codegen.ts',
    ]) {
      const code = readFileSync(new URL(file, root), 'utf8').trimEnd();
      expect(page, file).toContain(`\`\`\`ts\n// ${file}\n${code}\n\`\`\``);
    }
  });
});
