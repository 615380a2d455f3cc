-- Storing: the story the article joins (its best match, a wire item's story, or its own), then its record.

local matches, story, wire_story

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

-- The store step (mode store): the status, the article's number and the record stored.
local function stored()
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
  return status, n, packed
end
