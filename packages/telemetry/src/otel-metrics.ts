import type { Attributes, TracerMetrics } from '@aindusdb/core';
import {
  type Counter,
  createNoopMeter,
  type Gauge,
  type Histogram,
  type Meter,
  type MeterProvider,
  metrics,
} from '@opentelemetry/api';
import { toOtelAttributes } from './attributes.js';
import {
  INSTRUMENTATION_NAME,
  INSTRUMENTATION_VERSION,
  METRIC_BREAKER_TRANSITIONS,
  METRIC_CACHE_LOOKUPS,
  METRIC_OPERATION_DURATION,
  METRIC_REPLICA_LAG,
  OPERATION_DURATION_BUCKETS,
} from './semconv.js';

// The API's no-op meter is a singleton: while it is in force, nothing is measured.
const NOOP_METER = createNoopMeter();

/** The instruments of one meter, each created on first use. */
interface Instruments {
  meter: Meter;
  duration?: Histogram;
  cacheLookups?: Counter;
  breakerTransitions?: Counter;
  replicaLag?: Gauge;
}

/**
 * Core's metric hooks over an OpenTelemetry meter. Instruments are created on first use and
 * again whenever the meter provider changes, so an SDK registered after import (or after the
 * first operation) receives every later measurement.
 *
 * Each hook is a getter that yields `undefined` while only the API's no-op meter is in force.
 * Core calls hooks as `metrics?.hook?.(…)`, so it then skips building their attributes too:
 * with no SDK, metrics cost one global lookup per call.
 */
export function createOtelMetrics(meterProvider: MeterProvider | undefined): TracerMetrics {
  let provider: MeterProvider | undefined;
  let current: Instruments = { meter: NOOP_METER };

  /** The instruments of the provider in force now, or `undefined` for the no-op one. */
  const instruments = (): Instruments | undefined => {
    const now = meterProvider ?? metrics.getMeterProvider();
    if (now !== provider) {
      provider = now;
      current = { meter: now.getMeter(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION) };
    }
    return current.meter === NOOP_METER ? undefined : current;
  };

  const operationDuration = (seconds: number, attributes: Attributes): void => {
    const i = instruments();
    if (!i) return;
    i.duration ??= i.meter.createHistogram(METRIC_OPERATION_DURATION, {
      unit: 's',
      description: 'Duration of database client operations.',
      advice: { explicitBucketBoundaries: [...OPERATION_DURATION_BUCKETS] },
    });
    i.duration.record(seconds, toOtelAttributes(attributes));
  };

  const cacheLookup = (hit: boolean, attributes: Attributes): void => {
    const i = instruments();
    if (!i) return;
    i.cacheLookups ??= i.meter.createCounter(METRIC_CACHE_LOOKUPS, {
      unit: '{lookup}',
      description: 'Query cache lookups; aindusdb.cache.hit tells hits from misses.',
    });
    const otel = toOtelAttributes(attributes);
    otel['aindusdb.cache.hit'] = hit;
    i.cacheLookups.add(1, otel);
  };

  const breakerTransition = (
    state: 'closed' | 'open' | 'half-open',
    attributes: Attributes,
  ): void => {
    const i = instruments();
    if (!i) return;
    i.breakerTransitions ??= i.meter.createCounter(METRIC_BREAKER_TRANSITIONS, {
      unit: '{transition}',
      description: 'Circuit breaker state changes; aindusdb.breaker.state is the new state.',
    });
    const otel = toOtelAttributes(attributes);
    otel['aindusdb.breaker.state'] = state;
    i.breakerTransitions.add(1, otel);
  };

  const replicaLag = (seconds: number, attributes: Attributes): void => {
    const i = instruments();
    if (!i) return;
    i.replicaLag ??= i.meter.createGauge(METRIC_REPLICA_LAG, {
      unit: 's',
      description: 'Replication lag of a replica endpoint at its last probe.',
    });
    i.replicaLag.record(seconds, toOtelAttributes(attributes));
  };

  return {
    get operationDuration() {
      return instruments() && operationDuration;
    },
    get cacheLookup() {
      return instruments() && cacheLookup;
    },
    get breakerTransition() {
      return instruments() && breakerTransition;
    },
    get replicaLag() {
      return instruments() && replicaLag;
    },
  };
}
