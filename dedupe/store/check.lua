-- Check an article against the index and, unless told only to look, store it: one atomic step.
--
-- Atomic because two workers may see copies of one breaking story at the same instant: exactly one
-- must become the story's original. The same-story rule (thresholds given by the caller) runs here
-- for that reason; everything else about the decision stays in Python.
--
-- KEYS[1]  the index prefix, e.g. "dd:{news}:". Every key below starts with it, so they all share the
--          hash tag's slot: legal for a script under Redis Cluster.
-- ARGV     mode ("store" | "look" | "delete" | "purge"), then per mode (below, and index.py).
-- Layout   meta        hash    params, epoch, bucket_bits, layout (slots and bands of a signature), ui_secret (ui.py)
--          seq         string  last internal article number
--          ids         hash    external id -> number
--          a:<n>       string  one article, MessagePack array (see RECORD)
--          b:<bucket>  hash    band key -> "n,n,..." articles sharing that band
--          s:<story>   zset    member zero-padded n, score ts: the story's copies in time order
--          age         zset    member n, score arrival time: what retention removes first
--          v:<id>      string  last webhook event time applied to an external id (":d" after a delete)
--          wh:<hash>   string  a webhook delivery applied ("done"), then its stored answer
--          w:<wire id> string  the story of a wire item (ninjs uri, NewsML guid, NITF doc-id): its versions join it
--          t:<n>       string  the article's story text, zlib-compressed (DEDUPE_STORE_TEXT): the view's copy page
--          u           hash    URL -> n: the view's search by URL (the last article stored with that URL)
--          recent      zset    member story id, score arrival time of its last stored copy: the view's recent stories
-- A band key is the band's rows of the 16-bit signature itself (3 rows = 6 bytes), so the bands of a
-- stored article are derived from its signature and never stored twice. Its first sentences' 32-bit hashes
-- (4 bytes) are bucket keys too: a copy that shares whole sentences is a candidate whatever its Jaccard.

local P = KEYS[1]
local mode = ARGV[1]
local MAX_BUCKET = 100
-- RECORD fields, in order: id sig size ts hp pub title url outlet at story linked sentences numbers wire
local ID, SIG, SIZE, TS, HP, PUB, TITLE, URL, OUTLET, AT, STORY, LINKED, SENTS, NUMS, WIRE =
  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15

local function load(n)
  local raw = redis.call('GET', P .. 'a:' .. n)
  if raw then return cmsgpack.unpack(raw) end
end

local function save(n, rec) redis.call('SET', P .. 'a:' .. n, cmsgpack.pack(rec)) end

local function pad(n) return string.format('%012d', n) end

local meta = redis.call('HMGET', P .. 'meta', 'bucket_bits', 'layout', 'params', 'epoch')

-- The signature layout and the bucket divisor, read from meta once per call (after any re-initialisation).
local L, divisor
local function layout()
  if not L then
    local l = {}
    for x in string.gmatch(meta[2], '%d+') do l[#l + 1] = tonumber(x) end
    L = { body_slots = l[1], body_bands = l[2], body_rows = l[3], lead_bands = l[4], lead_rows = l[5],
          sentences = l[6] or 0 }
  end
  return L
end

-- The bucket hash holding a band key, named once per key and call (the lookup and the linking share it).
local bucket_key = {}
local function bucket_of(key)
  local name = bucket_key[key]
  if not name then
    if not divisor then divisor = 2 ^ (24 - tonumber(meta[1])) end
    local b1, b2, b3 = string.byte(key, 1, 3)
    name = P .. 'b:' .. math.floor((b1 * 65536 + b2 * 256 + b3) / divisor)
    bucket_key[key] = name
  end
  return name
end

-- The bucket keys of an article: body bands, lead bands, then its first sentences (lookup and linking share them).
local keys_of = {}
local function band_keys(sig, sents)
  local id = sig .. (sents or '')
  if keys_of[id] then return keys_of[id] end
  local l, keys = layout(), {}
  local w = l.body_rows * 2
  for i = 0, l.body_bands - 1 do keys[#keys + 1] = string.sub(sig, i * w + 1, (i + 1) * w) end
  local base, lw = l.body_slots * 2, l.lead_rows * 2
  for i = 0, l.lead_bands - 1 do keys[#keys + 1] = string.sub(sig, base + i * lw + 1, base + (i + 1) * lw) end
  for i = 0, math.min(l.sentences, #(sents or '') / 4) - 1 do keys[#keys + 1] = string.sub(sents, i * 4 + 1, i * 4 + 4) end
  keys_of[id] = keys
  return keys
end

-- Band values read once per call: the lookup reads them, linking reuses them.
local bucket_cache = {}
local function band_get(key)
  local v = bucket_cache[key]
  if v == nil then
    v = redis.call('HGET', bucket_of(key), key) or false
    bucket_cache[key] = v
  end
  return v
end
local function band_set(key, v)
  local bkey = bucket_of(key)
  if v == '' then redis.call('HDEL', bkey, key) else redis.call('HSET', bkey, key, v) end
  bucket_cache[key] = (v ~= '') and v or false
end

local function unlink(n, sig, sents, linked)
  local ns = tostring(n)
  for i, key in ipairs(band_keys(sig, sents)) do
    if string.sub(linked, i, i) == '1' then
      local v = band_get(key)
      if v then
        local kept = {}
        for m in string.gmatch(v, '[^,]+') do if m ~= ns then kept[#kept + 1] = m end end
        band_set(key, table.concat(kept, ','))
      end
    end
  end
end

-- Returns which bands it linked ('1'/'0' per band): a band already shared by MAX_BUCKET articles (a
-- story copied that often) is not extended, since candidates beyond that many are never scored.
local function link(n, sig, sents)
  local flags, ns = {}, tostring(n)
  for i, key in ipairs(band_keys(sig, sents)) do
    local v = band_get(key)
    flags[i] = '1'
    if not v then
      band_set(key, ns)
    elseif string.find(',' .. v .. ',', ',' .. ns .. ',', 1, true) then
      flags[i] = '0'  -- the same band twice in one signature: linked once
    elseif select(2, string.gsub(v, ',', '')) < MAX_BUCKET - 1 then
      band_set(key, v .. ',' .. ns)
    else
      flags[i] = '0'
    end
  end
  return table.concat(flags)
end

-- The view's indexes: a URL names its article, a story is listed among recent ones while it has copies.
local function index_url(n, old_url, url)
  if old_url and old_url ~= '' and old_url ~= url and redis.call('HGET', P .. 'u', old_url) == tostring(n) then
    redis.call('HDEL', P .. 'u', old_url)
  end
  if url and url ~= '' then redis.call('HSET', P .. 'u', url, n) end
end
local function left_story(story)
  if redis.call('EXISTS', P .. 's:' .. story) == 0 then redis.call('ZREM', P .. 'recent', story) end
end

local function remove(n)
  local rec = load(n)
  if rec then
    unlink(n, rec[SIG], rec[SENTS], rec[LINKED])
    redis.call('HDEL', P .. 'ids', rec[ID])
    redis.call('ZREM', P .. 's:' .. rec[STORY], pad(n))
    index_url(n, rec[URL], nil)
    left_story(rec[STORY])
  end
  redis.call('DEL', P .. 'a:' .. n, P .. 't:' .. n)
  redis.call('ZREM', P .. 'age', n)
end

local function purge(cutoff, limit)
  local old = redis.call('ZRANGEBYSCORE', P .. 'age', '-inf', '(' .. cutoff, 'LIMIT', 0, limit)
  for _, n in ipairs(old) do remove(n) end
  return #old
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
      remove(n)
      result = 1
    end
  end
  mark_delivered(ARGV[5], ARGV[6])
  return result
end

if mode == 'purge' then
  -- ARGV: mode, cutoff, limit
  if not meta[2] then return 0 end
  return purge(tonumber(ARGV[2]), tonumber(ARGV[3]))
end

-- mode store | look
-- ARGV: mode, params, epoch, bucket_bits, layout, id, sig, size, ts, hp, pub, title, url, outlet, now,
--       rules, purge_cutoff, purge_limit, event time (or ''), its TTL, delivery key (or ''), its TTL,
--       sentences, numbers, wire id (or ''), wire TTL, story text (compressed, or '' when not kept)
-- sig: the body signature, then the lead signature (16-bit slots). sentences: 32-bit sentence hashes (lowest
-- bit: a quotation); numbers: 16-bit hashes of the figures (numbers and names; lowest bit: a number).
-- rules: see RULES below.
local have = meta[3]
if not have then  -- a new index, or Redis restarted empty: (re)initialise it
  redis.call('HSET', P .. 'meta', 'params', ARGV[2], 'epoch', ARGV[3], 'bucket_bits', ARGV[4], 'layout', ARGV[5])
  meta = { ARGV[4], ARGV[5], ARGV[2], ARGV[3] }
elseif have ~= ARGV[2] then
  return redis.error_reply('DEDUPE_PARAMS index has [' .. have .. '], service has [' .. ARGV[2] .. ']')
end
local store = mode == 'store'
if store and delivered(ARGV[21]) then return { 'replayed', '', '', ARGV[9], ARGV[10] } end
if store and stale(ARGV[6], ARGV[19], ARGV[20], false) then
  mark_delivered(ARGV[21], ARGV[22])
  return { 'stale', '', '', ARGV[9], ARGV[10] }
end
local id, sig, size, ts_s, hp, now = ARGV[6], ARGV[7], tonumber(ARGV[8]), ARGV[9], ARGV[10], ARGV[15]
local sents, nums, wire, wire_ttl = ARGV[23] or '', ARGV[24] or '', ARGV[25] or '', tonumber(ARGV[26] or 0)
local text = ARGV[27] or ''
-- RULES, in order: jaccard_min, containment_min, containment_min_size, window_s, max_matches, max_candidates,
-- lead_jaccard_min, lead_containment_min, z, sentences_min, sentence_share_min, long_window_s, near_jaccard,
-- near_sentence_share, numbers_min, copy_cover, near_numbers_min
local r = {}
for x in string.gmatch(ARGV[16], '[^,]+') do r[#r + 1] = tonumber(x) end
local jmin, cmin, cmin_n, window, max_matches, max_cand, lead_jmin, lead_cmin, z =
  r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9]
local smin, sshare, long_window, near_j, near_s, num_min, copy_cover, num_near =
  r[10], r[11], r[12], r[13], r[14], r[15], r[16], r[17]

if store then purge(tonumber(ARGV[17]), tonumber(ARGV[18])) end

local self_n = redis.call('HGET', P .. 'ids', id)
local old = self_n and load(self_n)
-- Without a publication date an article's time is its first arrival, not this request's.
if old and hp == '0' and old[HP] == '0' then ts_s = old[TS] end
local ts = tonumber(ts_s)

-- Candidates: articles sharing at least one band or sentence, most shared keys first.
local keys = band_keys(sig, sents)
local hits, order = {}, {}
for _, key in ipairs(keys) do
  local v = band_get(key)
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

-- A set of fixed-width items of a string (sentence or figure hashes), and how many have the lowest bit set.
local function set_of(s, w)
  local t, odd = {}, 0
  for i = 1, #s - w + 1, w do
    t[string.sub(s, i, i + w - 1)] = true
    odd = odd + string.byte(s, i) % 2
  end
  return t, odd
end
-- Items of `s` found in set `t`: (even, odd) by the lowest bit, which marks a quotation among sentences and
-- a number among figures.
local function shared(s, w, t)
  local even, odd = 0, 0
  for i = 1, #s - w + 1, w do
    if t[string.sub(s, i, i + w - 1)] then
      if string.byte(s, i) % 2 == 1 then odd = odd + 1 else even = even + 1 end
    end
  end
  return even, odd
end

-- Score each candidate. Evidence: body Jaccard (equal 16-bit slots), the openings' Jaccard, containment from
-- Jaccard and the set sizes, the share of the shorter article's sentences found in the other (a quotation
-- counts half: agencies quote the same statement), and the share of its figures found there (templated
-- reports differ in names and numbers, a report sent again the next day in its numbers). The time window runs
-- from the first copy of the candidate's story (see judge for what may cross it).
local qs = #order > 0 and { string.byte(sig, 1, -1) } or {}  -- most articles have no candidate
local qsent = #order > 0 and set_of(sents, 4) or {}
local qnum, qnumbers = {}, 0
if #order > 0 then qnum, qnumbers = set_of(nums, 2) end
local nsq, nnq = #sents / 4, #nums / 2
local slots = layout().body_slots
local body_bytes, lead_slots = slots * 2, #qs / 2 - slots
local starts = {}
local function story_start(story, fallback)
  if starts[story] == nil then
    local first = redis.call('ZRANGE', P .. 's:' .. story, 0, 0, 'WITHSCORES')
    starts[story] = tonumber(first[2]) or fallback
  end
  return starts[story]
end
local function judge(f)
  local cs = { string.byte(f[SIG], 1, -1) }
  local eq, lead_eq = 0, 0
  for s = 1, body_bytes, 2 do
    if qs[s] == cs[s] and qs[s + 1] == cs[s + 1] then eq = eq + 1 end
  end
  for s = body_bytes + 1, #qs, 2 do
    if qs[s] == cs[s] and qs[s + 1] == cs[s + 1] then lead_eq = lead_eq + 1 end
  end
  local j, lj = eq / slots, lead_eq / lead_slots
  local cn = f[SIZE]
  local small = math.min(size, cn)
  local function contained(jj) if jj <= 0 then return 0 end return math.min(1, jj * (size + cn) / (1 + jj) / small) end
  local c = contained(j)
  local c_low = contained(j - z * math.sqrt(j * (1 - j) / slots))
  local csents = f[SENTS] or ''
  local plain, quoted = shared(csents, 4, qsent)
  local ns_small = math.min(nsq, #csents / 4)
  local weighted = plain + quoted / 2
  local sc = ns_small > 0 and math.min(1, weighted / ns_small) or 0
  local cnums = f[NUMS] or ''
  local nn_small = math.min(nnq, #cnums / 2)
  local names_shared, numbers_shared = shared(cnums, 2, qnum)
  local nshare = nn_small >= 3 and (names_shared + numbers_shared) / nn_small or 1
  local numbers_small = math.min(qnumbers, select(2, set_of(cnums, 2)))
  local numbers_same = numbers_small > 0 and numbers_shared / numbers_small or 0
  local evidence = nil
  if j >= jmin then evidence = 'jaccard'
  elseif weighted >= smin and sc >= sshare then evidence = 'sentences'
  elseif small >= cmin_n and c_low >= cmin then evidence = 'containment'
  elseif small >= cmin_n and lj >= lead_jmin and c >= lead_cmin then evidence = 'lead' end
  if evidence and j < near_j and nshare < num_min then evidence = nil end  -- other figures: another story
  if not evidence then return nil end
  -- Beyond the window only a near-verbatim copy with the same figures joins (a repost, a resend, the next
  -- day's edition), within the long window; a daily report sent again with new figures does not. An article
  -- without a date has no time to compare: it meets its story whenever it comes.
  if hp ~= '0' and f[HP] ~= '0' then
    local gap = math.abs(story_start(f[STORY], tonumber(f[TS])) - ts)
    local near = j >= near_j or (sc >= near_s and weighted >= smin)
    if gap > window and (gap > long_window or not near or numbers_same < num_near) then return nil end
  end
  local cover = math.max(sc, c)
  local relation = cover >= copy_cover and 'copy' or 'version'
  return { eq = eq, j = j, c = c, score = math.max(j, sc, c_low), evidence = evidence, relation = relation,
           shared = plain + quoted, sentences = ns_small }
end
local matches = {}
for i = 1, math.min(#order, max_cand) do
  local m = order[i]
  local f = load(m)
  if f and #f[SIG] == #qs then
    local v = judge(f)
    if v then matches[#matches + 1] = { f = f, n = m, v = v } end
  end
end
table.sort(matches, function(a, b)
  if a.v.score ~= b.v.score then return a.v.score > b.v.score end
  if a.v.c ~= b.v.c then return a.v.c > b.v.c end
  return tonumber(a.n) < tonumber(b.n)
end)

local story = nil
if #matches > 0 then story = matches[1].f[STORY] elseif old then story = old[STORY] end
-- A wire identity is certain: a version of a known wire item joins its story whatever its text says.
local wire_story = wire ~= '' and redis.call('GET', P .. 'w:' .. wire) or nil
if wire_story then
  story = wire_story
  local listed = false
  for _, m in ipairs(matches) do if m.f[STORY] == wire_story then listed = true end end
  if not listed then
    local first = redis.call('ZRANGE', P .. 's:' .. wire_story, 0, 0)[1]
    local f = first and tonumber(first) ~= tonumber(self_n) and load(tonumber(first))
    if f then
      table.insert(matches, 1, { f = f, n = tostring(tonumber(first)),
        v = { eq = 0, j = 0, c = 0, score = 1, evidence = 'wire_id', relation = 'version', shared = 0, sentences = 0 } })
    end
  end
end

local status = 'looked'
local n = self_n
if store then
  if old and old[SIG] == sig and old[SIZE] == size and old[TS] == ts_s and old[SENTS] == sents then
    status = 'unchanged'
    story = old[STORY]
    index_url(n, old[URL], ARGV[13])
    old[TITLE], old[URL], old[OUTLET] = ARGV[12], ARGV[13], ARGV[14]
    save(n, old)
    if text ~= '' and redis.call('EXISTS', P .. 't:' .. n) == 0 then redis.call('SET', P .. 't:' .. n, text) end
  else
    if old then
      status = 'updated'
      unlink(n, old[SIG], old[SENTS], old[LINKED])
      if old[STORY] ~= story then
        redis.call('ZREM', P .. 's:' .. old[STORY], pad(n))
        left_story(old[STORY])
      end
    else
      status = 'created'
      n = redis.call('INCR', P .. 'seq')
      redis.call('HSET', P .. 'ids', id, n)
      redis.call('ZADD', P .. 'age', now, n)
    end
    if not story then story = meta[4] .. '-' .. n end
    save(n, { id, sig, size, ts_s, hp, ARGV[11], ARGV[12], ARGV[13], ARGV[14], now, story, link(n, sig, sents),
              sents, nums, wire })
    redis.call('ZADD', P .. 's:' .. story, ts_s, pad(n))
    redis.call('ZADD', P .. 'recent', now, story)
    index_url(n, old and old[URL], ARGV[13])
    if text ~= '' then redis.call('SET', P .. 't:' .. n, text) else redis.call('DEL', P .. 't:' .. n) end
  end
  if wire ~= '' and not wire_story then redis.call('SET', P .. 'w:' .. wire, story, 'EX', math.max(1, wire_ttl)) end
  mark_delivered(ARGV[21], ARGV[22])
end

local out = { status, n or '', story or '', ts_s, hp }
for i = 1, math.min(#matches, max_matches) do
  local f, v = matches[i].f, matches[i].v
  out[#out + 1] = { f[ID], v.eq, f[SIZE], f[TS], f[HP], matches[i].n, f[STORY], f[TITLE], f[URL], f[OUTLET], f[PUB],
                    v.evidence, v.relation, v.shared, v.sentences, tostring(v.c), f[SENTS] or '' }
end
return out
