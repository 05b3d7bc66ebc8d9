import type { Engine } from '../engine/engine.js';

/** A setup or teardown hook of a {@link ConformanceRunner}. */
export type ConformanceHook = () => Promise<void> | void;

/**
 * The test framework functions the suite registers its cases with, injected so the suite has
 * no dependency on any framework. Vitest's and Jest's `describe`, `it`, `beforeAll`, ... fit
 * as they are; `node:test` fits through a small adapter.
 */
export interface ConformanceRunner {
  /** Groups cases. */
  describe(name: string, fn: () => void): void;
  /** Registers one case with an optional timeout in milliseconds. */
  it(name: string, fn: () => Promise<void> | void, timeoutMs?: number): void;
  /** Runs once before the cases of the enclosing group. */
  beforeAll(fn: ConformanceHook, timeoutMs?: number): void;
  /** Runs once after the cases of the enclosing group. */
  afterAll(fn: ConformanceHook, timeoutMs?: number): void;
  /** Accepted for symmetry with test frameworks; the suite cleans up inside each case. */
  beforeEach?(fn: ConformanceHook, timeoutMs?: number): void;
  /** Accepted for symmetry with test frameworks; the suite cleans up inside each case. */
  afterEach?(fn: ConformanceHook, timeoutMs?: number): void;
}

/** Options of {@link runConformanceSuite}. */
export interface ConformanceOptions {
  /** Name of the engine under test, shown in the top-level group (e.g. `hnsw-local`). */
  name: string;
  /** Test framework functions; see {@link ConformanceRunner}. */
  runner: ConformanceRunner;
  /**
   * Creates the engine under test. Called once, before the first case; the suite closes it
   * after the last one. Cases share it and each works in collections of its own, with unique
   * names, which it drops when done.
   */
  createEngine(): Promise<Engine>;
  /**
   * For persistent engines: closes `engine` and returns a new engine over the same storage.
   * When given, cases that write then read close and reopen the engine between the write and
   * the read, so what they read back must have been persisted. The new engine must see every
   * write acknowledged before the close (with read replicas, serve the suite from the primary).
   */
  reopen?(engine: Engine): Promise<Engine>;
  /** Timeout of each case in ms (default 30,000); the few heavy cases get four times as much. */
  timeoutMs?: number;
}
