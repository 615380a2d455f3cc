-- Records and bands: an article's record (a:<n>), the bucket keys derived from its signature, linking.

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
