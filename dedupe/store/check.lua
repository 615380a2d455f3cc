-- Check an article against the index and, unless told only to look, store it: one atomic step.
--
-- Atomic because two workers may see copies of one breaking story at the same instant: exactly one
-- must become the story's original. The same-story rule (thresholds given by the caller) runs here
-- for that reason; everything else about the decision stays in Python.
--
-- One script in several files, joined in a fixed order (script.py) into the one body Redis runs (one SHA):
-- this head (keys, layout, record, arguments), then lua/bands.lua (records and bucket keys), lua/remove.lua
-- (removal, retention, cooling), lua/events.lua (event versions, webhook deliveries), lua/article.lua (the
-- checked article, its candidates), lua/score.lua (the same-story rule), lua/write.lua (storing), and
-- lua/modes.lua (the modes and the dispatch). A part may use only the locals of the parts before it.
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
