-- The modes: delete, purge, and store | look (the check); then the dispatch on ARGS.mode.

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

-- The answer: status, number, story, time, dated, then (spread layout) the record stored and the numbers
-- removed, for the caller to write beside the article; then one row per match, best first.
local function answer(status, n, packed)
  local out = { status, n or '', story or '', ts_s, hp, spread and packed or '', table.concat(removed, ',') }
  for i = 1, math.min(#matches, R.max_matches) do
    local f, v = matches[i].f, matches[i].v
    out[#out + 1] = { f[ID], v.eq, f[SIZE], f[TS], f[HP], matches[i].n, f[STORY], f[TITLE], f[URL], f[OUTLET], f[PUB],
                      v.evidence, v.relation, v.shared, v.sentences, tostring(v.c), f[SENTS] or '' }
  end
  return out
end

-- mode store | look: the decision, stored unless only looking.
local function check_mode()
  local refused = initialise()
  if refused then return refused end
  store = ARGS.mode == 'store'
  spread = ARGS.spread == '1'
  if store and delivered(ARGS.delivery) then return { 'replayed', '', '', ARGS.ts, ARGS.hp, '', '' } end
  if store and stale(ARGS.id, ARGS.version, ARGS.version_ttl, false) then
    mark_delivered(ARGS.delivery, ARGS.delivery_ttl)
    return { 'stale', '', '', ARGS.ts, ARGS.hp, '', '' }
  end
  read_article()
  if store then
    purge(tonumber(ARGS.purge_cutoff), tonumber(ARGS.purge_limit))
    if spread and ARGS.cool_cutoff ~= '' then cool(tonumber(ARGS.cool_cutoff), tonumber(ARGS.purge_limit)) end
  end
  find_self()
  order = candidates()
  query()
  matches = scored()
  if #matches > 0 then story = matches[1].f[STORY] elseif old then story = old[STORY] end
  wire_story = wire ~= '' and redis.call('GET', P .. 'w:' .. wire) or nil
  if wire_story then join_wire(wire_story) end
  return answer(stored())
end

if ARGS.mode == 'delete' then return delete_mode() end
if ARGS.mode == 'purge' then return purge_mode() end
return check_mode()
