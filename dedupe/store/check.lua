-- Check an article against the index and, unless told only to look, store it: one atomic step.
--
-- Atomic because two workers may see copies of one breaking story at the same instant: exactly one
-- must become the story's original. The same-story rule (thresholds given by the caller) runs here
-- for that reason; everything else about the decision stays in Python.
--
-- KEYS[1]  the index prefix, e.g. "dd:{news}:". Every key below starts with it, so they all share the
--          hash tag's slot (the matching slot): legal for a script under Redis Cluster.
-- ARGV     named below (ARGS): the same names, in the same order, as index.py's CHECK_ARGS, DELETE_ARGS and
--          PURGE_ARGS (a test holds them equal).
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
--          hot         zset    member n, score arrival time (spread layout only): articles still matchable
-- Spread layout (Redis Cluster, ARGS.spread = '1'): this slot holds what the decision needs. Past the matching
-- horizon (ARGS.cool_cutoff) an article is cooled: unlinked from its bands, its a:<n> cut to a skeleton
-- (no signature, sentences, figures, links, title, outlet), so it is no longer a candidate but can still be updated, deleted
-- and purged here. Its whole record and its text live under the article's own hash tag (keys.py), written by
-- the caller from what this script returns (the record it stored; the numbers it removed).
-- A band key is the band's rows of the 16-bit signature itself (3 rows = 6 bytes), so the bands of a
-- stored article are derived from its signature and never stored twice. Its first sentences' 32-bit hashes
-- (4 bytes) are bucket keys too: a copy that shares whole sentences is a candidate whatever its Jaccard.

local P = KEYS[1]
local MAX_BUCKET = 100
-- RECORD fields, in order: id sig size ts hp pub title url outlet at story linked sentences numbers wire
local ID, SIG, SIZE, TS, HP, PUB, TITLE, URL, OUTLET, AT, STORY, LINKED, SENTS, NUMS, WIRE =
  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15

local NAMES = {
  check = { 'mode', 'params', 'epoch', 'bucket_bits', 'layout', 'id', 'sig', 'size', 'ts', 'hp', 'pub', 'title',
            'url', 'outlet', 'now', 'rules', 'purge_cutoff', 'purge_limit', 'version', 'version_ttl', 'delivery',
            'delivery_ttl', 'sentences', 'numbers', 'wire', 'wire_ttl', 'text', 'spread', 'cool_cutoff' },
  delete = { 'mode', 'id', 'version', 'version_ttl', 'delivery', 'delivery_ttl' },
  purge = { 'mode', 'cutoff', 'limit' },
}
local ARGS = {}
for i, name in ipairs(NAMES[ARGV[1] == 'look' and 'check' or ARGV[1] == 'store' and 'check' or ARGV[1]]) do
  ARGS[name] = ARGV[i]
end

local function load(n)
  local raw = redis.call('GET', P .. 'a:' .. n)
  if raw then return cmsgpack.unpack(raw) end
end

local function save(n, rec)
  local packed = cmsgpack.pack(rec)
  redis.call('SET', P .. 'a:' .. n, packed)
  return packed
end

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

local removed = {}  -- numbers removed by this call: the caller removes their spread keys too
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
  redis.call('ZREM', P .. 'hot', n)
  removed[#removed + 1] = tostring(n)
end

local function purge(cutoff, limit)
  local old = redis.call('ZRANGEBYSCORE', P .. 'age', '-inf', '(' .. cutoff, 'LIMIT', 0, limit)
  for _, n in ipairs(old) do remove(n) end
  return #old
end

-- Past the matching horizon an article stops being a candidate: unlinked, its record cut to a skeleton.
local function cool(cutoff, limit)
  local old = redis.call('ZRANGEBYSCORE', P .. 'hot', '-inf', '(' .. cutoff, 'LIMIT', 0, limit)
  for _, n in ipairs(old) do
    local rec = load(n)
    if rec then
      unlink(n, rec[SIG], rec[SENTS], rec[LINKED])
      rec[SIG], rec[SENTS], rec[NUMS], rec[LINKED], rec[TITLE], rec[OUTLET] = '', '', '', '', '', ''
      save(n, rec)
    end
    redis.call('ZREM', P .. 'hot', n)
  end
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

-- Returns { 1 removed | 0 absent | -1 a later event was applied already | -2 this delivery was, removed numbers }.
local function delete_mode()
  if delivered(ARGS.delivery) then return { -2, '' } end
  local result = -1
  if not stale(ARGS.id, ARGS.version, ARGS.version_ttl, true) then
    local n = redis.call('HGET', P .. 'ids', ARGS.id)
    result = 0
    if n then
      remove(n)
      result = 1
    end
  end
  mark_delivered(ARGS.delivery, ARGS.delivery_ttl)
  return { result, table.concat(removed, ',') }
end

local function purge_mode()
  if not meta[2] then return { 0, '' } end
  local count = purge(tonumber(ARGS.cutoff), tonumber(ARGS.limit))
  return { count, table.concat(removed, ',') }
end

if ARGS.mode == 'delete' then return delete_mode() end
if ARGS.mode == 'purge' then return purge_mode() end

-- mode store | look. sig: the body signature, then the lead signature (16-bit slots). sentences: 32-bit sentence
-- hashes (lowest bit: a quotation); numbers: 16-bit hashes of the figures (numbers and names; lowest bit: a
-- number). rules: see RULES below. text: the story text (compressed), '' when not kept or when spread.
local have = meta[3]
if not have then  -- a new index, or Redis restarted empty: (re)initialise it
  redis.call('HSET', P .. 'meta', 'params', ARGS.params, 'epoch', ARGS.epoch, 'bucket_bits', ARGS.bucket_bits,
             'layout', ARGS.layout)
  meta = { ARGS.bucket_bits, ARGS.layout, ARGS.params, ARGS.epoch }
elseif have ~= ARGS.params then
  return redis.error_reply('DEDUPE_PARAMS index has [' .. have .. '], service has [' .. ARGS.params .. ']')
end
local store = ARGS.mode == 'store'
local spread = ARGS.spread == '1'
if store and delivered(ARGS.delivery) then return { 'replayed', '', '', ARGS.ts, ARGS.hp, '', '' } end
if store and stale(ARGS.id, ARGS.version, ARGS.version_ttl, false) then
  mark_delivered(ARGS.delivery, ARGS.delivery_ttl)
  return { 'stale', '', '', ARGS.ts, ARGS.hp, '', '' }
end
local id, sig, size, ts_s, hp, now = ARGS.id, ARGS.sig, tonumber(ARGS.size), ARGS.ts, ARGS.hp, ARGS.now
local sents, nums, wire, wire_ttl = ARGS.sentences or '', ARGS.numbers or '', ARGS.wire or '', tonumber(ARGS.wire_ttl or 0)
local text = ARGS.text or ''
-- RULES, in order: jaccard_min, containment_min, containment_min_size, window_s, max_matches, max_candidates,
-- lead_jaccard_min, lead_containment_min, z, sentences_min, sentence_share_min, long_window_s, near_jaccard,
-- near_sentence_share, numbers_min, copy_cover, near_numbers_min
local r = {}
for x in string.gmatch(ARGS.rules, '[^,]+') do r[#r + 1] = tonumber(x) end
local R = { jmin = r[1], cmin = r[2], cmin_n = r[3], window = r[4], max_matches = r[5], max_cand = r[6],
            lead_jmin = r[7], lead_cmin = r[8], z = r[9], smin = r[10], sshare = r[11], long_window = r[12],
            near_j = r[13], near_s = r[14], num_min = r[15], copy_cover = r[16], num_near = r[17] }

if store then
  purge(tonumber(ARGS.purge_cutoff), tonumber(ARGS.purge_limit))
  if spread and ARGS.cool_cutoff ~= '' then cool(tonumber(ARGS.cool_cutoff), tonumber(ARGS.purge_limit)) end
end

local self_n = redis.call('HGET', P .. 'ids', id)
local old = self_n and load(self_n)
-- Without a publication date an article's time is its first arrival, not this request's.
if old and hp == '0' and old[HP] == '0' then ts_s = old[TS] end
local ts = tonumber(ts_s)

-- Candidates: articles sharing at least one band or sentence, most shared keys first.
local function candidates()
  local hits, order = {}, {}
  for _, key in ipairs(band_keys(sig, sents)) do
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
  return order
end
local order = candidates()

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
-- from the first copy of the candidate's story (see in_time for what may cross it).
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

-- Equal 16-bit slots of the body and of the lead signatures.
local function equal_slots(csig)
  local cs = { string.byte(csig, 1, -1) }
  local eq, lead_eq = 0, 0
  for s = 1, body_bytes, 2 do
    if qs[s] == cs[s] and qs[s + 1] == cs[s + 1] then eq = eq + 1 end
  end
  for s = body_bytes + 1, #qs, 2 do
    if qs[s] == cs[s] and qs[s + 1] == cs[s + 1] then lead_eq = lead_eq + 1 end
  end
  return eq, lead_eq
end

-- The measures of one candidate record against the checked article.
local function measure(f)
  local m = {}
  m.eq, m.lead_eq = equal_slots(f[SIG])
  m.j, m.lj = m.eq / slots, m.lead_eq / lead_slots
  local cn = f[SIZE]
  m.small = math.min(size, cn)
  local function contained(jj) if jj <= 0 then return 0 end return math.min(1, jj * (size + cn) / (1 + jj) / m.small) end
  m.c = contained(m.j)
  m.c_low = contained(m.j - R.z * math.sqrt(m.j * (1 - m.j) / slots))
  local csents = f[SENTS] or ''
  m.plain, m.quoted = shared(csents, 4, qsent)
  m.ns_small = math.min(nsq, #csents / 4)
  m.weighted = m.plain + m.quoted / 2
  m.sc = m.ns_small > 0 and math.min(1, m.weighted / m.ns_small) or 0
  local cnums = f[NUMS] or ''
  local nn_small = math.min(nnq, #cnums / 2)
  local names_shared, numbers_shared = shared(cnums, 2, qnum)
  m.nshare = nn_small >= 3 and (names_shared + numbers_shared) / nn_small or 1
  local numbers_small = math.min(qnumbers, select(2, set_of(cnums, 2)))
  m.numbers_same = numbers_small > 0 and numbers_shared / numbers_small or 0
  return m
end

-- The rule that makes it the same story, if any.
local function evidence_of(m)
  local evidence = nil
  if m.j >= R.jmin then evidence = 'jaccard'
  elseif m.weighted >= R.smin and m.sc >= R.sshare then evidence = 'sentences'
  elseif m.small >= R.cmin_n and m.c_low >= R.cmin then evidence = 'containment'
  elseif m.small >= R.cmin_n and m.lj >= R.lead_jmin and m.c >= R.lead_cmin then evidence = 'lead' end
  if evidence and m.j < R.near_j and m.nshare < R.num_min then evidence = nil end  -- other figures: another story
  return evidence
end

-- Beyond the window only a near-verbatim copy with the same figures joins (a repost, a resend, the next
-- day's edition), within the long window; a daily report sent again with new figures does not. An article
-- without a date has no time to compare: it meets its story whenever it comes.
local function in_time(f, m)
  if hp == '0' or f[HP] == '0' then return true end
  local gap = math.abs(story_start(f[STORY], tonumber(f[TS])) - ts)
  local near = m.j >= R.near_j or (m.sc >= R.near_s and m.weighted >= R.smin)
  return not (gap > R.window and (gap > R.long_window or not near or m.numbers_same < R.num_near))
end

local function judge(f)
  local m = measure(f)
  local evidence = evidence_of(m)
  if not evidence or not in_time(f, m) then return nil end
  local relation = math.max(m.sc, m.c) >= R.copy_cover and 'copy' or 'version'
  return { eq = m.eq, j = m.j, c = m.c, score = math.max(m.j, m.sc, m.c_low), evidence = evidence,
           relation = relation, shared = m.plain + m.quoted, sentences = m.ns_small }
end

local function scored()
  local matches = {}
  for i = 1, math.min(#order, R.max_cand) do
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
  return matches
end
local matches = scored()

local story = nil
if #matches > 0 then story = matches[1].f[STORY] elseif old then story = old[STORY] end

-- A wire identity is certain: a version of a known wire item joins its story whatever its text says.
local function join_wire(wire_story)
  story = wire_story
  for _, m in ipairs(matches) do if m.f[STORY] == wire_story then return end end
  local first = redis.call('ZRANGE', P .. 's:' .. wire_story, 0, 0)[1]
  local f = first and tonumber(first) ~= tonumber(self_n) and load(tonumber(first))
  if f then
    table.insert(matches, 1, { f = f, n = tostring(tonumber(first)),
      v = { eq = 0, j = 0, c = 0, score = 1, evidence = 'wire_id', relation = 'version', shared = 0, sentences = 0 } })
  end
end
local wire_story = wire ~= '' and redis.call('GET', P .. 'w:' .. wire) or nil
if wire_story then join_wire(wire_story) end

-- The same text again: only the metadata may change.
local function keep(n)
  story = old[STORY]
  index_url(n, old[URL], ARGS.url)
  old[TITLE], old[URL], old[OUTLET] = ARGS.title, ARGS.url, ARGS.outlet
  if text ~= '' and redis.call('EXISTS', P .. 't:' .. n) == 0 then redis.call('SET', P .. 't:' .. n, text) end
  return save(n, old)
end

-- A new article, or new text for a known one: (re)linked, filed in its story.
local function write(n)
  if old then
    unlink(n, old[SIG], old[SENTS], old[LINKED])
    if old[STORY] ~= story then
      redis.call('ZREM', P .. 's:' .. old[STORY], pad(n))
      left_story(old[STORY])
    end
  else
    n = redis.call('INCR', P .. 'seq')
    redis.call('HSET', P .. 'ids', id, n)
    redis.call('ZADD', P .. 'age', now, n)
  end
  if not story then story = meta[4] .. '-' .. n end
  local packed = save(n, { id, sig, size, ts_s, hp, ARGS.pub, ARGS.title, ARGS.url, ARGS.outlet, now, story,
                           link(n, sig, sents), sents, nums, wire })
  if spread then redis.call('ZADD', P .. 'hot', now, n) end
  redis.call('ZADD', P .. 's:' .. story, ts_s, pad(n))
  redis.call('ZADD', P .. 'recent', now, story)
  index_url(n, old and old[URL], ARGS.url)
  if not spread then
    if text ~= '' then redis.call('SET', P .. 't:' .. n, text) else redis.call('DEL', P .. 't:' .. n) end
  end
  return n, packed
end

local status, n, packed = 'looked', self_n, ''
if store then
  if old and old[SIG] == sig and old[SIZE] == size and old[TS] == ts_s and old[SENTS] == sents then
    status = 'unchanged'
    packed = keep(n)
  else
    status = old and 'updated' or 'created'
    n, packed = write(n)
  end
  if wire ~= '' and not wire_story then redis.call('SET', P .. 'w:' .. wire, story, 'EX', math.max(1, wire_ttl)) end
  mark_delivered(ARGS.delivery, ARGS.delivery_ttl)
end

-- The answer: status, number, story, time, dated, then (spread layout) the record stored and the numbers
-- removed, for the caller to write beside the article; then one row per match, best first.
local out = { status, n or '', story or '', ts_s, hp, spread and packed or '', table.concat(removed, ',') }
for i = 1, math.min(#matches, R.max_matches) do
  local f, v = matches[i].f, matches[i].v
  out[#out + 1] = { f[ID], v.eq, f[SIZE], f[TS], f[HP], matches[i].n, f[STORY], f[TITLE], f[URL], f[OUTLET], f[PUB],
                    v.evidence, v.relation, v.shared, v.sentences, tostring(v.c), f[SENTS] or '' }
end
return out
