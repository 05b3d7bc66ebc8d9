import { createHash } from 'node:crypto';
import type { RedisClient } from './connect.js';

/** A Lua script run with EVALSHA, falling back to EVAL when the server does not know it yet. */
export interface EpochScript {
  /** Runs the script on one key with the given arguments; resolves to its string reply. */
  run(client: RedisClient, key: string, args: string[]): Promise<string>;
}

// A fresh epoch starts at Redis's clock in microseconds (below 2^53 until the 23rd century).
// Epochs therefore never repeat when the key is lost (flush, restart, eviction), so an entry
// kept by some process's in-process layer under an old epoch can never match again.
const FRESH_EPOCH = `local t = redis.call('TIME')
local fresh = tonumber(t[1]) * 1000000 + tonumber(t[2])`;

/**
 * Advances a scope's epoch and records the write position, atomically:
 * `KEYS[1]` epoch key, `ARGV[1]` position; returns the new `"<epoch>:<position>"`.
 */
export const ADVANCE_LUA = `local cur = redis.call('GET', KEYS[1])
local n = cur and tonumber(string.match(cur, '^(%d+):'))
if not n then
  ${FRESH_EPOCH}
  n = fresh
end
local v = string.format('%d', n + 1) .. ':' .. ARGV[1]
redis.call('SET', KEYS[1], v)
return v`;

/** Returns the scope's epoch, creating a fresh one when it is missing. */
export const INIT_LUA = `local cur = redis.call('GET', KEYS[1])
if cur then return cur end
${FRESH_EPOCH}
local v = string.format('%d', fresh) .. ':'
redis.call('SET', KEYS[1], v)
return v`;

const isNoScript = (error: unknown) =>
  error instanceof Error && error.message.startsWith('NOSCRIPT');

/** Wraps a Lua script for EVALSHA with an EVAL fallback (no `defineCommand` on the user's client). */
export function createScript(lua: string): EpochScript {
  const sha = createHash('sha1').update(lua).digest('hex');
  return {
    async run(client, key, args) {
      try {
        return String(await client.evalsha(sha, 1, key, ...args));
      } catch (error) {
        if (!isNoScript(error)) throw error;
        return String(await client.eval(lua, 1, key, ...args));
      }
    },
  };
}
