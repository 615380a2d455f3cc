-- Check an article against the index and, unless told only to look, store it: one atomic step.
--
-- Atomic because two workers may see copies of one breaking story at the same instant: exactly one
-- must become the story's original. The same-story rule (thresholds given by the caller) runs here
-- for that reason; everything else about the decision stays in Python.
--
-- KEYS[1]  the index prefix, e.g. "dd:{news}:". Every key below starts with it, so they all share the
--          hash tag's slot: legal for a script under Redis Cluster.
-- ARGV     mode ("store" | "look" | "delete" | "purge"), then per mode (see index.py).
-- Webhook events may carry their time ("version"): v:<external id> keeps the last one applied to the id
-- (string "<time>" or "<time>:d" after a delete, with a TTL), and an older event is ignored ("stale").
-- Layout   meta        hash   params, epoch, bucket_bits
--          seq         string last internal article number
--          ids         hash   external id -> number
--          a:<n>       hash   one article: id sig n ts hp pub t u o at story bk
--          b:<bucket>  hash   band key (6 bytes) -> "n,n,..." articles sharing that band
--          s:<story>   zset   member zero-padded n, score ts: the story's copies in time order
--          age         zset   member n, score arrival time: what retention removes first
--          v:<id>      string last webhook event time applied to an external id (":d" if a delete)

local P = KEYS[1]
local mode = ARGV[1]
local MAX_BUCKET = 100
local KEY_BYTES = 6

local function bucket_of(key, bits)
  local b1, b2, b3 = string.byte(key, 1, 3)
  return math.floor((b1 * 65536 + b2 * 256 + b3) / 2 ^ (24 - bits))
end

local function check_params(expected, epoch, bits)
  local have = redis.call('HGET', P .. 'meta', 'params')
  if not have then
    redis.call('HSET', P .. 'meta', 'params', expected, 'epoch', epoch, 'bucket_bits', bits)
    return
  end
  if have ~= expected then
    return redis.error_reply('DEDUPE_PARAMS index has [' .. have .. '], service has [' .. expected .. ']')
  end
end

local function bands_of(bk)
  local keys = {}
  for i = 1, #bk, KEY_BYTES do keys[#keys + 1] = string.sub(bk, i, i + KEY_BYTES - 1) end
  return keys
end

local function unlink_bands(n, bk, bits)
  local ns = tostring(n)
  for _, key in ipairs(bands_of(bk)) do
    local bkey = P .. 'b:' .. bucket_of(key, bits)
    local v = redis.call('HGET', bkey, key)
    if v then
      local kept = {}
      for m in string.gmatch(v, '[^,]+') do if m ~= ns then kept[#kept + 1] = m end end
      if #kept == 0 then redis.call('HDEL', bkey, key) else redis.call('HSET', bkey, key, table.concat(kept, ',')) end
    end
  end
end

-- Returns the band keys it linked: a band already shared by MAX_BUCKET articles (a story copied that
-- often) is not extended, since candidates beyond that many are never scored; the record keeps only the
-- linked keys so that removal and `verify` see exactly what is in the buckets.
local function link_bands(n, bk, bits)
  local linked = {}
  for _, key in ipairs(bands_of(bk)) do
    local bkey = P .. 'b:' .. bucket_of(key, bits)
    local v = redis.call('HGET', bkey, key)
    if not v then
      redis.call('HSET', bkey, key, n)
      linked[#linked + 1] = key
    elseif select(2, string.gsub(v, ',', '')) < MAX_BUCKET - 1 then
      redis.call('HSET', bkey, key, v .. ',' .. n)
      linked[#linked + 1] = key
    end
  end
  return table.concat(linked)
end

local function pad(n) return string.format('%012d', n) end

local function remove(n, bits)
  local rec = P .. 'a:' .. n
  local f = redis.call('HMGET', rec, 'id', 'bk', 'story')
  if f[1] then
    unlink_bands(n, f[2] or '', bits)
    redis.call('HDEL', P .. 'ids', f[1])
    if f[3] then redis.call('ZREM', P .. 's:' .. f[3], pad(n)) end
  end
  redis.call('DEL', rec)
  redis.call('ZREM', P .. 'age', n)
  return f[1]
end

local function purge(cutoff, limit, bits)
  local old = redis.call('ZRANGEBYSCORE', P .. 'age', '-inf', '(' .. cutoff, 'LIMIT', 0, limit)
  for _, n in ipairs(old) do remove(n, bits) end
  return #old
end

local function bits_of_index()
  return tonumber(redis.call('HGET', P .. 'meta', 'bucket_bits') or '16')
end

-- Is an event of time `version` older than the last one applied to `id`? Records it when it is not.
-- A store at the same time as a delete is stale (the delete wins the tie); anything else ties in arrival order.
local function stale(id, version, ttl, deleting)
  if not version or version == '' then return false end
  local vkey = P .. 'v:' .. id
  local seen = redis.call('GET', vkey)
  if seen then
    local t, d = string.match(seen, '^([^:]+)(:?d?)$')
    local v, last = tonumber(version), tonumber(t)
    if v < last or (v == last and d == ':d' and not deleting) then return true end
  end
  redis.call('SET', vkey, deleting and (version .. ':d') or version, 'EX', ttl)
  return false
end

-- A webhook delivery is marked done by the same script that applies it: a redelivery, or a concurrent
-- duplicate, then changes nothing, and no "in progress" claim can outlive a crash.
local function delivered(suffix)
  return suffix ~= nil and suffix ~= '' and redis.call('EXISTS', P .. 'wh:' .. suffix) == 1
end
local function mark_delivered(suffix, ttl)
  if suffix ~= nil and suffix ~= '' then redis.call('SET', P .. 'wh:' .. suffix, 'done', 'EX', ttl) end
end

if mode == 'delete' then
  -- ARGV: mode, external id, event time (or ''), its TTL, delivery key (or ''), its TTL
  -- Returns 1 removed, 0 absent, -1 a later event was applied already, -2 this delivery was applied already.
  if delivered(ARGV[5]) then return -2 end
  local result = -1
  if not stale(ARGV[2], ARGV[3], ARGV[4], true) then
    local n = redis.call('HGET', P .. 'ids', ARGV[2])
    result = 0
    if n then
      remove(n, bits_of_index())
      result = 1
    end
  end
  mark_delivered(ARGV[5], ARGV[6])
  return result
end

if mode == 'purge' then
  -- ARGV: mode, cutoff, limit
  return purge(tonumber(ARGV[2]), tonumber(ARGV[3]), bits_of_index())
end

-- mode store | look
-- ARGV: mode, params, epoch, bucket_bits, id, sig, n, ts, hp, pub, title, url, outlet, now, bk,
--       jaccard_min, containment_min, containment_min_n, window_s, max_matches, max_candidates,
--       purge_cutoff, purge_limit, event time (or ''), its TTL, lead_slots, lead_jaccard_min,
--       lead_containment_min, containment_z, delivery key (or ''), its TTL
-- sig is the body signature followed by the lead signature (lead_slots 16-bit slots).
local err = check_params(ARGV[2], ARGV[3], ARGV[4])
if err then return err end
if mode == 'store' and delivered(ARGV[30]) then return { 'replayed', '', '', ARGV[8], ARGV[9] } end
if mode == 'store' and stale(ARGV[5], ARGV[24], ARGV[25], false) then
  mark_delivered(ARGV[30], ARGV[31])
  return { 'stale', '', '', ARGV[8], ARGV[9] }
end
local bits = bits_of_index()
local id, sig, size, ts_s, hp = ARGV[5], ARGV[6], tonumber(ARGV[7]), ARGV[8], ARGV[9]
local now, bk = ARGV[14], ARGV[15]
local jmin, cmin, cmin_n = tonumber(ARGV[16]), tonumber(ARGV[17]), tonumber(ARGV[18])
local window, max_matches, max_cand = tonumber(ARGV[19]), tonumber(ARGV[20]), tonumber(ARGV[21])
local lead_slots, lead_jmin, lead_cmin = tonumber(ARGV[26]), tonumber(ARGV[27]), tonumber(ARGV[28])
local z = tonumber(ARGV[29])
local store = mode == 'store'

if store then purge(tonumber(ARGV[22]), tonumber(ARGV[23]), bits) end

local self_n = redis.call('HGET', P .. 'ids', id)
local old
if self_n then
  old = redis.call('HMGET', P .. 'a:' .. self_n, 'sig', 'n', 'story', 'bk', 'ts', 'hp')
  -- Without a publication date an article's time is its first arrival, not this request's.
  if hp == '0' and old[6] == '0' and old[5] then ts_s = old[5] end
end
local ts = tonumber(ts_s)

-- Candidates: articles sharing at least one band, most shared bands first.
local hits, order = {}, {}
for _, key in ipairs(bands_of(bk)) do
  local v = redis.call('HGET', P .. 'b:' .. bucket_of(key, bits), key)
  if v then
    for m in string.gmatch(v, '[^,]+') do
      if m ~= self_n then
        if not hits[m] then hits[m] = 0; order[#order + 1] = m end
        hits[m] = hits[m] + 1
      end
    end
  end
end
table.sort(order, function(a, b) if hits[a] ~= hits[b] then return hits[a] > hits[b] end return tonumber(a) < tonumber(b) end)

-- Score each candidate: equal 16-bit slots of the body (Jaccard) and of the lead, and containment from
-- Jaccard and the set sizes. The time window runs from the first copy of the candidate's story: a
-- recurring report sent again the next day is not pulled in by a late copy of yesterday's.
local qs = { string.byte(sig, 1, -1) }
local body_bytes = #qs - 2 * lead_slots
local slots = body_bytes / 2
local starts = {}
local function story_start(story, fallback)
  if starts[story] == nil then
    local first = redis.call('ZRANGE', P .. 's:' .. story, 0, 0, 'WITHSCORES')
    starts[story] = tonumber(first[2]) or fallback
  end
  return starts[story]
end
local matches = {}
for i = 1, math.min(#order, max_cand) do
  local m = order[i]
  local f = redis.call('HMGET', P .. 'a:' .. m, 'sig', 'n', 'ts', 'hp', 'story', 'id', 't', 'u', 'o', 'pub')
  if f[1] and #f[1] == #qs and math.abs(story_start(f[5], tonumber(f[3])) - ts) <= window then
    local cs = { string.byte(f[1], 1, -1) }
    local eq, lead_eq = 0, 0
    for s = 1, body_bytes, 2 do
      if qs[s] == cs[s] and qs[s + 1] == cs[s + 1] then eq = eq + 1 end
    end
    for s = body_bytes + 1, #qs, 2 do
      if qs[s] == cs[s] and qs[s + 1] == cs[s + 1] then lead_eq = lead_eq + 1 end
    end
    local j, lj = eq / slots, lead_eq / lead_slots
    local cn = tonumber(f[2])
    local small = math.min(size, cn)
    -- Containment alone is judged on a cautious Jaccard, z standard errors below the estimate: for a
    -- short article against a long one Jaccard is small, its estimate from a few equal slots is rough,
    -- and the containment derived from it rougher still. An identical opening (lead) is evidence enough
    -- to take the estimate as it is.
    local function contained(jj) if jj <= 0 then return 0 end return math.min(1, jj * (size + cn) / (1 + jj) / small) end
    local c = contained(j)
    local c_low = contained(j - z * math.sqrt(j * (1 - j) / slots))
    if j >= jmin or (small >= cmin_n and (c_low >= cmin or (lj >= lead_jmin and c >= lead_cmin))) then
      matches[#matches + 1] = { f[6], eq, f[2], f[3], f[4], m, f[5], f[7] or '', f[8] or '', f[9] or '', f[10] or '', j, c }
    end
  end
end
table.sort(matches, function(a, b)
  if a[12] ~= b[12] then return a[12] > b[12] end
  if a[13] ~= b[13] then return a[13] > b[13] end
  return tonumber(a[6]) < tonumber(b[6])
end)

local story = nil
if #matches > 0 then story = matches[1][7] elseif old and old[3] then story = old[3] end

local status = 'looked'
local n = self_n
if store then
  if old and old[1] == sig and old[2] == tostring(size) and old[5] == ts_s then
    status = 'unchanged'
    redis.call('HSET', P .. 'a:' .. n, 't', ARGV[11], 'u', ARGV[12], 'o', ARGV[13])
    story = old[3]
  else
    if old then
      status = 'updated'
      unlink_bands(n, old[4] or '', bits)
      if old[3] and old[3] ~= story then redis.call('ZREM', P .. 's:' .. old[3], pad(n)) end
    else
      status = 'created'
      n = redis.call('INCR', P .. 'seq')
      redis.call('HSET', P .. 'ids', id, n)
      redis.call('ZADD', P .. 'age', now, n)
    end
    if not story then story = redis.call('HGET', P .. 'meta', 'epoch') .. '-' .. n end
    redis.call('HSET', P .. 'a:' .. n, 'id', id, 'sig', sig, 'n', size, 'ts', ts_s, 'hp', hp,
      'pub', ARGV[10], 't', ARGV[11], 'u', ARGV[12], 'o', ARGV[13], 'at', now, 'story', story,
      'bk', link_bands(n, bk, bits))
    redis.call('ZADD', P .. 's:' .. story, ts_s, pad(n))
  end
  mark_delivered(ARGV[30], ARGV[31])
end

local out = { status, n or '', story or '', ts_s, hp }
for i = 1, math.min(#matches, max_matches) do
  local m = matches[i]
  out[#out + 1] = { m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8], m[9], m[10], m[11] }
end
return out
