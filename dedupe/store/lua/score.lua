-- The same-story rule: the measures of each candidate against the checked article, and the evidence.

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
-- The checked article as the measures read it: set by query() once the candidates are known.
local qs, qsent, qnum, qnumbers, nsq, nnq, slots, body_bytes, lead_slots
local function query()
  qs = #order > 0 and { string.byte(sig, 1, -1) } or {}  -- most articles have no candidate
  qsent = #order > 0 and set_of(sents, 4) or {}
  qnum, qnumbers = {}, 0
  if #order > 0 then qnum, qnumbers = set_of(nums, 2) end
  nsq, nnq = #sents / 4, #nums / 2
  slots = layout().body_slots
  body_bytes, lead_slots = slots * 2, #qs / 2 - slots
end
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
