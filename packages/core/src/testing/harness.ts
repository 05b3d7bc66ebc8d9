import { randomBytes } from 'node:crypto';
import type { Client, Collection } from '../client/client.js';
import { createClient } from '../client/create-client.js';
import type { Engine } from '../engine/engine.js';
import { createMemoryEngine } from '../memory/memory-engine.js';
import type { CreateCollectionOptions } from '../types.js';
import type { ConformanceOptions } from './types.js';

/** What one conformance case works with. Clients and handles change on {@link CaseContext.reopen}. */
export interface CaseContext {
  /** The current client over the engine under test, without a cache. */
  readonly client: Client;
  /** The current client over the engine under test, with its default cache. */
  readonly cachedClient: Client;
  /** The current engine under test. */
  readonly engine: Engine;
  /** The case's own collection name. */
  readonly name: string;
  /** Whether the suite reopens the engine between writes and reads. */
  readonly reopens: boolean;
  /** Another unique collection name, dropped after the case. */
  freshName(): string;
  /** Creates the case's collection (or `name`) through the uncached client. */
  create(options: CreateCollectionOptions, name?: string): Promise<Collection>;
  /** A handle to the case's collection from the current uncached client, optionally for a tenant. */
  col(tenant?: string): Collection;
  /** A handle to the case's collection from the current cached client, optionally for a tenant. */
  cachedCol(tenant?: string): Collection;
  /** For persistent engines: closes and reopens the engine (clients are recreated). */
  reopen(): Promise<void>;
  /** A client over a fresh memory engine, the oracle results are compared with. */
  oracle(): Promise<Client>;
}

/** Registers cases and groups on the injected runner. */
export interface SuiteBuilder {
  /** Registers a group of cases. */
  group(title: string, fn: () => void): void;
  /** Registers one case; `heavy` cases get four times the timeout. */
  test(title: string, body: (t: CaseContext) => Promise<void>, options?: { heavy?: boolean }): void;
}

let sequence = 0;

/** A collection name unique to this process and run, matching the collection name rule. */
export function uniqueCollectionName(): string {
  sequence++;
  return `cf${sequence.toString(36)}_${randomBytes(5).toString('hex')}`;
}

/**
 * Creates the suite's shared state (one engine, created in `beforeAll` and closed in `afterAll`)
 * and the case registration. Call inside the suite's top-level group.
 */
export function createSuiteBuilder(options: ConformanceOptions): SuiteBuilder {
  const { runner } = options;
  const timeoutMs = options.timeoutMs ?? 30_000;
  let engine: Engine | undefined;
  let client: Client | undefined;
  let cachedClient: Client | undefined;

  const connect = (next: Engine) => {
    engine = next;
    client = createClient({ engine: next, cache: false });
    cachedClient = createClient({ engine: next });
  };
  const current = () => {
    if (!engine || !client || !cachedClient) {
      throw new Error(
        `conformance (${options.name}): no engine (its creation or a reopen failed; see the first failure)`,
      );
    }
    return { engine, client, cachedClient };
  };

  runner.beforeAll(async () => {
    connect(await options.createEngine());
  }, timeoutMs * 4);
  runner.afterAll(async () => {
    // Closing a client closes its engine; engines' close() is idempotent.
    await client?.close();
    await cachedClient?.close();
    await engine?.close();
  }, timeoutMs * 4);

  const makeContext = () => {
    const name = uniqueCollectionName();
    const names = [name];
    const oracles: Client[] = [];
    const context: CaseContext = {
      get client() {
        return current().client;
      },
      get cachedClient() {
        return current().cachedClient;
      },
      get engine() {
        return current().engine;
      },
      name,
      reopens: options.reopen !== undefined,
      freshName() {
        const fresh = uniqueCollectionName();
        names.push(fresh);
        return fresh;
      },
      create(spec, other) {
        if (other !== undefined && !names.includes(other)) names.push(other);
        return current().client.createCollection(other ?? name, spec);
      },
      col(tenant) {
        const handle = current().client.collection(name);
        return tenant === undefined ? handle : handle.tenant(tenant);
      },
      cachedCol(tenant) {
        const handle = current().cachedClient.collection(name);
        return tenant === undefined ? handle : handle.tenant(tenant);
      },
      async reopen() {
        if (!options.reopen) return;
        const { engine: old } = current();
        engine = undefined;
        connect(await options.reopen(old));
      },
      async oracle() {
        const oracle = createClient({
          engine: createMemoryEngine({ name: 'oracle' }),
          cache: false,
        });
        oracles.push(oracle);
        return oracle;
      },
    };
    const cleanup = async (failed: boolean) => {
      await Promise.allSettled(oracles.map((o) => o.close()));
      const live = engine && client;
      if (!live) return;
      const results = await Promise.allSettled(names.map((n) => client!.dropCollection(n)));
      const failure = results.find((r) => r.status === 'rejected');
      // A failing case's own error matters more than a failed cleanup.
      if (failure && !failed) throw (failure as PromiseRejectedResult).reason;
    };
    return { context, cleanup };
  };

  return {
    group: (title, fn) => runner.describe(title, fn),
    test(title, body, caseOptions) {
      runner.it(
        title,
        async () => {
          const { context, cleanup } = makeContext();
          let failed = true;
          try {
            await body(context);
            failed = false;
          } finally {
            await cleanup(failed);
          }
        },
        caseOptions?.heavy ? timeoutMs * 4 : timeoutMs,
      );
    },
  };
}
