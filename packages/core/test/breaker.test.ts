import { describe, expect, it } from 'vitest';
import { isAindusError } from '../src/index.js';
import { createBreaker } from '../src/resilience/breaker.js';

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const options = {
  windowMs: 10_000,
  minimumCalls: 4,
  failureRate: 0.5,
  slowCallMs: 100,
  slowCallRate: 0.75,
  openMs: 1_000,
  maxOpenMs: 4_000,
  halfOpenCalls: 2,
};

describe('circuit breaker', () => {
  it('stays closed below the minimum volume, whatever the failure rate', () => {
    const c = clock();
    const b = createBreaker('e', options, c.now);
    for (let i = 0; i < 3; i++) b.acquire().failure();
    expect(b.state).toBe('closed');
  });

  it('trips on failure rate over the window and fails fast with CIRCUIT_OPEN', () => {
    const c = clock();
    const b = createBreaker('e', options, c.now);
    b.acquire().success(1);
    b.acquire().success(1);
    b.acquire().failure();
    b.acquire().failure();
    expect(b.state).toBe('open');
    expect(b.canPass()).toBe(false);
    let caught: unknown;
    try {
      b.acquire();
    } catch (e) {
      caught = e;
    }
    expect(isAindusError(caught, 'CIRCUIT_OPEN')).toBe(true);
  });

  it('trips on slow-call rate', () => {
    const c = clock();
    const b = createBreaker('e', options, c.now);
    for (let i = 0; i < 3; i++) b.acquire().success(150);
    b.acquire().success(1);
    expect(b.state).toBe('open');
  });

  it('forgets calls older than the window', () => {
    const c = clock();
    const b = createBreaker('e', options, c.now);
    for (let i = 0; i < 3; i++) b.acquire().failure();
    c.advance(11_000);
    b.acquire().failure();
    expect(b.state).toBe('closed');
  });

  it('neutral outcomes (release) never count', () => {
    const c = clock();
    const b = createBreaker('e', options, c.now);
    for (let i = 0; i < 20; i++) b.acquire().release();
    expect(b.state).toBe('closed');
  });

  it('half-open lets a few trials through, fails the rest fast, and closes after successes', () => {
    const c = clock();
    const b = createBreaker('e', options, c.now);
    for (let i = 0; i < 4; i++) b.acquire().failure();
    c.advance(1_000);
    expect(b.state).toBe('half-open');
    const t1 = b.acquire();
    const t2 = b.acquire();
    expect(() => b.acquire()).toThrow(/half-open/);
    t1.success(1);
    t2.success(1);
    expect(b.state).toBe('closed');
  });

  it('a failed trial reopens with a doubled, capped open period', () => {
    const c = clock();
    const b = createBreaker('e', options, c.now);
    for (let i = 0; i < 4; i++) b.acquire().failure();
    c.advance(1_000);
    b.acquire().failure(); // trial fails: open for 2 s
    expect(b.state).toBe('open');
    c.advance(1_500);
    expect(b.state).toBe('open');
    c.advance(500);
    expect(b.state).toBe('half-open');
    b.acquire().failure(); // 4 s
    c.advance(3_999);
    expect(b.state).toBe('open');
    c.advance(1);
    b.acquire().failure(); // capped at 4 s
    c.advance(4_000);
    expect(b.state).toBe('half-open');
  });

  it('a successful health probe moves an open breaker to half-open at once', () => {
    const c = clock();
    const b = createBreaker('e', options, c.now);
    for (let i = 0; i < 4; i++) b.acquire().failure();
    b.probeSucceeded();
    expect(b.state).toBe('half-open');
  });

  it('reports every transition to subscribers, and stops after dispose', () => {
    const c = clock();
    const b = createBreaker('e', options, c.now);
    const seen: string[] = [];
    const sub = b.onStateChange((s) => seen.push(s));
    for (let i = 0; i < 4; i++) b.acquire().failure();
    c.advance(1_000);
    void b.state;
    b.acquire().success(1);
    b.acquire().success(1);
    sub.dispose();
    for (let i = 0; i < 4; i++) b.acquire().failure();
    expect(seen).toEqual(['open', 'half-open', 'closed']);
  });

  it('a permit settles once', () => {
    const c = clock();
    const b = createBreaker('e', options, c.now);
    const p = b.acquire();
    p.failure();
    p.failure();
    p.failure();
    p.failure();
    expect(b.state).toBe('closed');
  });
});

describe('circuit breaker driven by probes', () => {
  it('forceOpen opens a closed breaker and backs off like a trip', () => {
    const c = clock();
    const b = createBreaker('e', options, c.now);
    b.forceOpen();
    expect(b.state).toBe('open');
    b.forceOpen();
    c.advance(1_000);
    expect(b.state).toBe('half-open');
  });
});
