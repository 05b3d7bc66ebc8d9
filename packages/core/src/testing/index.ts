/**
 * The engine conformance suite: `runConformanceSuite` checks an engine against the SDK's
 * normative semantics through the public client, with the test framework injected.
 *
 * @packageDocumentation
 */
export { runConformanceSuite } from './run-conformance-suite.js';
export type { ConformanceHook, ConformanceOptions, ConformanceRunner } from './types.js';
