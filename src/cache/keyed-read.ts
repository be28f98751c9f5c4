/**
 * What one cached read is, as the cache's one read path sees it: N keys (a single-key read is
 * N = 1; a multi-item command's list is one key per item; a catalogue is one key for the whole
 * collection), how the missing ones are fetched in ONE upstream call, and how the answer is
 * assembled from the keys' values. The definition's cache policy decides which kind a read is;
 * nothing here names a command. Plain classes: a read is built for every cached get, so it
 * allocates one object, not a closure per method.
 */
import type {
  CataloguePolicy,
  CommandDef,
  CommandRunner,
  ItemPolicy,
  RunOptions,
} from '../archtics/types.js';
import { catalogueKey, fetchCatalogue, type CatalogueValue } from './catalogue.js';
import { itemKey, keyOfFields } from './key.js';

/** What the refresher re-runs: one cached read, or a whole catalogue. */
export interface RefreshJob {
  def: CommandDef<unknown, unknown>;
  req: unknown;
  ttl: number;
  catalogue?: CataloguePolicy<unknown>;
}

/** The cache's side of a fetch: the runner it fronts, and where reads' remembered tags go. */
export interface ReadHost {
  readonly inner: CommandRunner;
  remember(def: CommandDef<unknown, unknown>, req: unknown, value: unknown): void;
}

export type Fetched = Map<string, { value: unknown; tags: string[] }>;

/** One cached read of N keys, and how to fetch the missing ones in ONE upstream call. */
export interface KeyedRead<T> {
  readonly def: CommandDef<unknown, unknown>;
  readonly keys: readonly string[];
  readonly ttl: number;
  /** Its one key is renewed ahead of expiry when hot (the job the refresher re-runs). */
  readonly hot?: RefreshJob;
  /** One call answers an operation's many gets of it (a multi-item command): one hit each. */
  readonly multiItem: boolean;
  /** Tags a flight carries before its answer is known: a write meanwhile poisons it. */
  flightTags(): readonly string[];
  /** Shared by replicas: one of them fetches `missing`, under this lock. Undefined: each fetches. */
  lockKey(missing: readonly string[]): string | undefined;
  /** The upstream call for `missing`: each key's value and the tags it is stored under. */
  fetch(missing: readonly string[], opts: RunOptions): Promise<Fetched>;
  /** The answer from every key's value. */
  answer(values: ReadonlyMap<string, unknown>): T;
}

/** A read cached whole under the key of its request. */
export class SingleRead<T> implements KeyedRead<T>, RefreshJob {
  readonly keys: readonly string[];
  readonly multiItem = false;
  readonly hot: RefreshJob = this;

  constructor(
    private readonly host: ReadHost,
    readonly def: CommandDef<unknown, unknown>,
    readonly req: unknown,
    private readonly key: string,
    readonly ttl: number,
  ) {
    this.keys = [key];
  }

  flightTags(): readonly string[] {
    return this.def.cache?.tags?.(this.req, undefined) ?? [];
  }

  lockKey(): string | undefined {
    return this.def.cache?.shareMisses ? this.key : undefined;
  }

  async fetch(_missing: readonly string[], opts: RunOptions): Promise<Fetched> {
    const value = await this.host.inner.run(this.def, this.req, opts);
    this.host.remember(this.def, this.req, value);
    return new Map([[this.key, { value, tags: this.def.cache?.tags?.(this.req, value) ?? [] }]]);
  }

  answer(values: ReadonlyMap<string, unknown>): T {
    return values.get(this.key) as T;
  }
}

/** A multi-item read (def.cache.items): one key per item; the missing items in one call for just them. */
export class ItemRead<T> implements KeyedRead<T> {
  readonly keys: readonly string[];
  readonly multiItem = true;
  private readonly prefix: string;

  constructor(
    private readonly host: ReadHost,
    readonly def: CommandDef<unknown, unknown>,
    private readonly policy: ItemPolicy<unknown, unknown>,
    private readonly req: unknown,
    private readonly ids: readonly string[],
    readonly ttl: number,
  ) {
    this.prefix = itemKey(def.name, '');
    this.keys = ids.map((id) => this.prefix + id);
  }

  flightTags(): readonly string[] {
    return [];
  }

  lockKey(missing: readonly string[]): string | undefined {
    return this.def.cache?.shareMisses
      ? keyOfFields(this.def.name, { batch: this.idsOf(missing).sort() })
      : undefined;
  }

  async fetch(missing: readonly string[], opts: RunOptions): Promise<Fetched> {
    const wanted = this.idsOf(missing);
    const res = await this.host.inner.run(this.def, this.policy.request(this.req, wanted), opts);
    const out: Fetched = new Map();
    for (const [id, item] of this.policy.split(res, wanted))
      out.set(this.prefix + id, { value: item, tags: [] });
    return out;
  }

  answer(values: ReadonlyMap<string, unknown>): T {
    const byId = new Map(this.ids.map((id, i) => [id, values.get(this.keys[i])]));
    return this.policy.assemble(this.ids, byId) as T;
  }

  private idsOf(keys: readonly string[]): string[] {
    return keys.map((k) => k.slice(this.prefix.length));
  }
}

/** A multi-item command's whole collection as one key (def.cache.catalogue), read page by page. */
export class CatalogueRead implements KeyedRead<CatalogueValue>, RefreshJob {
  readonly keys: readonly string[];
  readonly multiItem = true;
  readonly hot: RefreshJob = this;
  readonly req = undefined;

  constructor(
    private readonly host: ReadHost,
    readonly def: CommandDef<unknown, unknown>,
    readonly catalogue: CataloguePolicy<unknown>,
    readonly ttl: number,
  ) {
    this.keys = [catalogueKey(def.name)];
  }

  flightTags(): readonly string[] {
    return [];
  }

  /** One replica reads the catalogue; the others wait for it in L2. */
  lockKey(): string {
    return this.keys[0];
  }

  // Its pages are never fail-fast: a catalogue is whole or not at all.
  async fetch(_missing: readonly string[], { failFast: _whole, ...opts }: RunOptions) {
    const read = await readCatalogue(this.host.inner, this.def, this.catalogue, opts);
    return new Map([[this.keys[0], read]]);
  }

  answer(values: ReadonlyMap<string, unknown>): CatalogueValue {
    return values.get(this.keys[0]) as CatalogueValue;
  }
}

/** Every page of a catalogue through `inner`, with the tags its pages' answers carry. */
export async function readCatalogue(
  inner: CommandRunner,
  def: CommandDef<unknown, unknown>,
  catalogue: CataloguePolicy<unknown>,
  opts: RunOptions,
): Promise<{ value: CatalogueValue; tags: string[] }> {
  const tags = new Set<string>();
  const value = await fetchCatalogue(catalogue, async (pageReq) => {
    const res = await inner.run(def, pageReq, opts);
    for (const t of def.cache?.tags?.(pageReq, res) ?? []) tags.add(t);
    return res;
  });
  return { value, tags: [...tags] };
}
