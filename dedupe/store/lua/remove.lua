-- Removing articles: the view's indexes, a removal, retention (purge) and cooling (spread layout).

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
