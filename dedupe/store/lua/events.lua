-- Events: the last version applied to an id (v:<id>), the webhook deliveries applied (wh:<hash>).

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
