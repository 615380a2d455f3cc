-- The checked article (mode store | look). sig: the body signature, then the lead signature (16-bit slots).
-- sentences: 32-bit sentence hashes (lowest bit: a quotation); numbers: 16-bit hashes of the figures (numbers
-- and names; lowest bit: a number). rules: see RULES below. text: the story text (compressed), '' when not kept
-- or when spread. Set once per call by check_mode (modes.lua), read by the parts that follow.
local store, spread, id, sig, size, ts_s, hp, now, sents, nums, wire, wire_ttl, text, R
local self_n, old, ts, order

-- Returns the error reply when the index was built with other parameters.
local function initialise()
  local have = meta[3]
  if not have then  -- a new index, or Redis restarted empty: (re)initialise it
    redis.call('HSET', P .. 'meta', 'params', ARGS.params, 'epoch', ARGS.epoch, 'bucket_bits', ARGS.bucket_bits,
               'layout', ARGS.layout)
    meta = { ARGS.bucket_bits, ARGS.layout, ARGS.params, ARGS.epoch }
  elseif have ~= ARGS.params then
    return redis.error_reply('DEDUPE_PARAMS index has [' .. have .. '], service has [' .. ARGS.params .. ']')
  end
end

-- RULES, in order: jaccard_min, containment_min, containment_min_size, window_s, max_matches, max_candidates,
-- lead_jaccard_min, lead_containment_min, z, sentences_min, sentence_share_min, long_window_s, near_jaccard,
-- near_sentence_share, numbers_min, copy_cover, near_numbers_min
local function rules()
  local r = {}
  for x in string.gmatch(ARGS.rules, '[^,]+') do r[#r + 1] = tonumber(x) end
  return { jmin = r[1], cmin = r[2], cmin_n = r[3], window = r[4], max_matches = r[5], max_cand = r[6],
           lead_jmin = r[7], lead_cmin = r[8], z = r[9], smin = r[10], sshare = r[11], long_window = r[12],
           near_j = r[13], near_s = r[14], num_min = r[15], copy_cover = r[16], num_near = r[17] }
end

local function read_article()
  id, sig, size, ts_s, hp, now = ARGS.id, ARGS.sig, tonumber(ARGS.size), ARGS.ts, ARGS.hp, ARGS.now
  sents, nums, wire, wire_ttl = ARGS.sentences or '', ARGS.numbers or '', ARGS.wire or '', tonumber(ARGS.wire_ttl or 0)
  text = ARGS.text or ''
  R = rules()
end

-- The article stored under this id, if any.
local function find_self()
  self_n = redis.call('HGET', P .. 'ids', id)
  old = self_n and load(self_n)
  -- Without a publication date an article's time is its first arrival, not this request's.
  if old and hp == '0' and old[HP] == '0' then ts_s = old[TS] end
  ts = tonumber(ts_s)
end

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
