/**
 * The Lua scripts behind lanes and pacing. Each runs atomically in Redis, which is what makes the
 * per-chat state safe with any number of producer and worker processes. Times come from Redis
 * `TIME`, so processes with skewed clocks still agree; scripts answer with relative delays (ms).
 *
 * Scripts are sent with EVAL every time (Redis caches the compiled body by its SHA): EVALSHA with
 * a NOSCRIPT fallback could reorder two notify() calls issued back to back on a cold server.
 */
import type IORedis from 'ioredis';

/** A Lua script with its key count taken from the call. */
export class LuaScript {
  constructor(private readonly src: string) {}

  run(redis: IORedis, keys: string[], args: Array<string | number>): Promise<unknown> {
    return redis.eval(this.src, keys.length, ...keys, ...args);
  }
}

const NOW_FN = `
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function num(v) return tonumber(v) or 0 end
`;

/**
 * Append one job to a chat's lane, or replace the pending job with the same coalesce key in place
 * (keeping its earlier position, so the target shows the latest state as early as the lane allows).
 * Returns {'queued', gen} with gen > 0 when the chat had no pump: the caller must add pump job `gen`.
 */
const ENQUEUE_FN = `
local function enqueue(lane, items, pump, chats, gen, chatId, payload, ck, leaseMs)
  if ck ~= '' then
    local old = redis.call('HGET', items, 'ck:' .. ck)
    if old and redis.call('HEXISTS', items, old) == 1 then
      redis.call('HSET', items, old, payload)
      return {'coalesced', 0}
    end
  end
  local id = redis.call('HINCRBY', items, '#seq', 1)
  redis.call('HSET', items, id, payload)
  if ck ~= '' then redis.call('HSET', items, 'ck:' .. ck, id) end
  redis.call('RPUSH', lane, id)
  redis.call('SADD', chats, chatId)
  if redis.call('EXISTS', pump) == 1 then return {'queued', 0} end
  local g = redis.call('INCR', gen)
  redis.call('SET', pump, g, 'PX', leaseMs)
  return {'queued', g}
end
`;

/**
 * KEYS lane, items, pump, chats, gen, dedupe; ARGV chatId, payload, coalesceKey|'', leaseMs, dedupeTtlMs|0.
 * → {'queued'|'coalesced', gen} | {'duplicate', 0}
 */
export const NOTIFY = new LuaScript(`${ENQUEUE_FN}
if tonumber(ARGV[5]) > 0 and not redis.call('SET', KEYS[6], '1', 'NX', 'PX', ARGV[5]) then
  return {'duplicate', 0}
end
return enqueue(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], ARGV[1], ARGV[2], ARGV[3], ARGV[4])
`);

/**
 * The pump of generation ARGV[1] takes the head of the lane (it stays there until ADVANCE). Once
 * taken, a new edit with the same coalesce key queues behind it instead of rewriting it mid-send.
 * KEYS lane, items, pump, chats; ARGV gen, leaseMs, chatId → {'item', id, payload} | {'idle'} | {'stale'}
 */
export const CLAIM = new LuaScript(`
if redis.call('GET', KEYS[3]) ~= ARGV[1] then return {'stale'} end
local id = redis.call('LINDEX', KEYS[1], 0)
if not id then
  redis.call('DEL', KEYS[3], KEYS[2])
  redis.call('SREM', KEYS[4], ARGV[3])
  return {'idle'}
end
redis.call('PEXPIRE', KEYS[3], ARGV[2])
local payload = redis.call('HGET', KEYS[2], id) or ''
local ok, job = pcall(cjson.decode, payload)
local ck = ok and type(job) == 'table' and job['coalesceKey']
if type(ck) == 'string' and redis.call('HGET', KEYS[2], 'ck:' .. ck) == id then
  redis.call('HDEL', KEYS[2], 'ck:' .. ck)
end
return {'item', id, payload}
`);

/**
 * Remove the finished head (optionally filing its digest line for a batched user) and decide what
 * happens next: 'idle' (lane empty, pump released), 'more' with the same gen (keep going in this
 * job) or, with handoff, 'more' with a new gen and the delay until the chat may send again.
 * KEYS lane, items, pump, chats, gen, chatNext, chatNb, globalNb, digest, digestUsers, digestLoud;
 * ARGV gen, id, handoff '1'|'0', leaseMs, chatId, digestLine|'', userId, loud '1'|'0' → {state, gen, delayMs}
 */
export const ADVANCE = new LuaScript(`${NOW_FN}
if redis.call('GET', KEYS[3]) ~= ARGV[1] then return {'stale', 0, 0} end
if redis.call('LINDEX', KEYS[1], 0) == ARGV[2] then
  redis.call('LPOP', KEYS[1])
  redis.call('HDEL', KEYS[2], ARGV[2])
end
if ARGV[6] ~= '' then
  redis.call('RPUSH', KEYS[9], ARGV[6])
  redis.call('SADD', KEYS[10], ARGV[7])
  if ARGV[8] == '1' then redis.call('SADD', KEYS[11], ARGV[7]) end
end
if redis.call('LLEN', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[3], KEYS[2])
  redis.call('SREM', KEYS[4], ARGV[5])
  return {'idle', 0, 0}
end
if ARGV[3] ~= '1' then
  redis.call('PEXPIRE', KEYS[3], ARGV[4])
  return {'more', tonumber(ARGV[1]), 0}
end
local now = nowMs()
local at = math.max(now, num(redis.call('GET', KEYS[6])), num(redis.call('GET', KEYS[7])), num(redis.call('GET', KEYS[8])))
local g = redis.call('INCR', KEYS[5])
redis.call('SET', KEYS[3], g, 'PX', tonumber(ARGV[4]) + at - now)
return {'more', g, at - now}
`);

/**
 * Forget everything pending for a chat (the user blocked the bot, the bot left the group).
 * KEYS lane, items, pump, chats, digest, digestUsers, digestLoud; ARGV gen, chatId, userId → dropped count (-1: stale)
 */
export const DROP = new LuaScript(`
if redis.call('GET', KEYS[3]) ~= ARGV[1] then return -1 end
local n = redis.call('LLEN', KEYS[1])
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[5])
redis.call('SREM', KEYS[4], ARGV[2])
redis.call('SREM', KEYS[6], ARGV[3])
redis.call('SREM', KEYS[7], ARGV[3])
return n
`);

/**
 * Turn the first ARGV[1] digest lines of a user into one queued summary, atomically, so a crash or
 * a rerun of the tick can neither lose lines nor send them twice.
 * KEYS digest, digestUsers, lane, items, pump, chats, gen, digestLoud; ARGV count, userId, chatId, payload, leaseMs
 * → like NOTIFY, or {'changed', 0} when another flusher took the lines first.
 */
export const TAKE_DIGEST = new LuaScript(`${ENQUEUE_FN}
if redis.call('LLEN', KEYS[1]) < tonumber(ARGV[1]) then return {'changed', 0} end
redis.call('LTRIM', KEYS[1], ARGV[1], -1)
if redis.call('LLEN', KEYS[1]) == 0 then
  redis.call('SREM', KEYS[2], ARGV[2])
  redis.call('SREM', KEYS[8], ARGV[2])
end
return enqueue(KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], ARGV[3], ARGV[4], '', ARGV[5])
`);

/**
 * Give a lane whose pump lease expired (its process died between two steps) a new pump.
 * KEYS lane, items, pump, chats, gen; ARGV chatId, leaseMs → new gen, or 0 when nothing to do.
 */
export const RESTART = new LuaScript(`
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
if redis.call('LLEN', KEYS[1]) == 0 then
  redis.call('SREM', KEYS[4], ARGV[1])
  redis.call('DEL', KEYS[2])
  return 0
end
local g = redis.call('INCR', KEYS[5])
redis.call('SET', KEYS[3], g, 'PX', ARGV[2])
return g
`);

/**
 * Reserve a send slot: the chat must be past its own spacing and every "not before", then the
 * bot-wide GCRA hands out the next global slot if it is within the horizon. Reserving moves the
 * global slot and the chat's next time forward; not reserving changes nothing.
 * KEYS chatNext, chatNb, globalNb, globalTat; ARGV chatIntervalMs, globalIntervalMs, horizonMs
 * → {1, sleepMs} reserved (send after sleeping) | {0, retryInMs} not reserved
 */
export const ACQUIRE = new LuaScript(`${NOW_FN}
local now = nowMs()
local ready = math.max(num(redis.call('GET', KEYS[1])), num(redis.call('GET', KEYS[2])), num(redis.call('GET', KEYS[3])))
if ready > now then return {0, ready - now} end
local slot = math.max(now, num(redis.call('GET', KEYS[4])))
local horizon = tonumber(ARGV[3])
if slot - now > horizon then return {0, slot - now - horizon} end
local chatNext = slot + tonumber(ARGV[1])
local globalNext = slot + tonumber(ARGV[2])
redis.call('SET', KEYS[1], chatNext, 'PX', chatNext - now)
redis.call('SET', KEYS[4], globalNext, 'PX', globalNext - now)
return {1, slot - now}
`);

/**
 * How long a reserved send must still wait because a 429 arrived meanwhile (0: go).
 * KEYS chatNb, globalNb → ms
 */
export const HOLD = new LuaScript(`${NOW_FN}
return math.max(0, num(redis.call('GET', KEYS[1])) - nowMs(), num(redis.call('GET', KEYS[2])) - nowMs())
`);

/**
 * Record a 429: nothing goes to the chat (and, when global, to anyone) for ARGV[1] ms from now.
 * KEYS chatNb, globalNb; ARGV waitMs, global '1'|'0' → waitMs
 */
export const PENALIZE = new LuaScript(`${NOW_FN}
local now = nowMs()
local untilMs = now + tonumber(ARGV[1])
local function raise(key)
  if num(redis.call('GET', key)) < untilMs then redis.call('SET', key, untilMs, 'PX', ARGV[1]) end
end
raise(KEYS[1])
if ARGV[2] == '1' then raise(KEYS[2]) end
return tonumber(ARGV[1])
`);
