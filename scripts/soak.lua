-- wrk script for scripts/soak: mixed traffic against one debunk serve.
-- Each request is drawn by weight: keyword search, match, search and claim
-- pages, claim writes, post ingestion and a decision on the link a post got.
-- Every response's status class is counted per thread; done() prints them.
-- Needs SOAK_DIR (the corpus folder) and SOAK_KEY (an editor key).

local dir = os.getenv("SOAK_DIR")
-- SOAK_READS=1: reads only (search, match, pages), to tell growth that
-- writes cause from growth that serving alone does.
local reads_only = os.getenv("SOAK_READS") == "1"
local key = os.getenv("SOAK_KEY")

local function lines(path, pattern)
  local out = {}
  for line in io.lines(path) do
    local v = pattern and line:match(pattern) or line
    if v and #v > 0 then out[#out + 1] = v end
  end
  return out
end

local function urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", c:byte()) end))
end

local function jsonstr(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    if c == '"' then return '\\"' elseif c == "\\" then return "\\\\" end
    return string.format("\\u%04x", c:byte())
  end) .. '"'
end

local queries = lines(dir .. "/queries.txt")
local posts = lines(dir .. "/posts.jsonl", '"text":"(.-)"}')
local ids = lines(dir .. "/claims.jsonl", '"id":"([^"]+)"')
local auth = { ["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json" }

local threads = {}
local counter = 0
local pending = {}   -- link ids this thread's posts got, to decide next
local last = nil     -- what the last request was, for response()
counts = { ["2xx"] = 0, ["3xx"] = 0, ["4xx"] = 0, ["5xx"] = 0 }
thread_id = 0

function setup(thread)
  thread:set("thread_id", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  math.randomseed(thread_id * 7919)
end

local function pick(t) return t[math.random(#t)] end

function request()
  counter = counter + 1
  local r = math.random(reads_only and 82 or 100)
  if #pending > 0 and r <= 8 then
    last = "decide"
    local link = table.remove(pending)
    local verb = (math.random(2) == 1) and "confirm" or "reject"
    return wrk.format("POST", "/api/v1/links/" .. link .. "/" .. verb, auth, "{}")
  elseif r <= 35 then
    last = "search"
    return wrk.format("GET", "/api/v1/claims?q=" .. urlencode(pick(queries)) .. "&limit=10")
  elseif r <= 55 then
    last = "match"
    return wrk.format("POST", "/api/v1/match", auth, '{"text":' .. jsonstr(pick(posts)) .. '}')
  elseif r <= 70 then
    last = "page"
    return wrk.format("GET", "/?q=" .. urlencode(pick(queries)))
  elseif r <= 82 then
    last = "claim"
    return wrk.format("GET", "/claims/" .. pick(ids))
  elseif r <= 92 then
    last = "post"
    local text = pick(posts) .. " soak " .. thread_id .. " " .. counter
    return wrk.format("POST", "/api/v1/posts", auth, '{"text":' .. jsonstr(text) .. ',"platform":"x"}')
  else
    last = "write"
    local id = "soak-" .. thread_id .. "-" .. (counter % 500)
    local body = '{"text":' .. jsonstr("soak claim " .. counter .. " " .. pick(queries)) .. ',"lang":"en","verdict":"false"}'
    return wrk.format("PUT", "/api/v1/claims/" .. id, auth, body)
  end
end

function response(status, headers, body)
  local class = tostring(status):sub(1, 1) .. "xx"
  counts[class] = (counts[class] or 0) + 1
  if last == "post" and status < 300 then
    for link, state in body:gmatch('"id":(%d+),"claim_id":"[^"]*","score":[^,]*,"band":"[^"]*","status":"(%a+)"') do
      if state == "suggested" then pending[#pending + 1] = link end
    end
  end
end

function done(summary, latency, requests)
  local total = { ["2xx"] = 0, ["3xx"] = 0, ["4xx"] = 0, ["5xx"] = 0 }
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    for k, v in pairs(c) do total[k] = (total[k] or 0) + v end
  end
  local e = summary.errors
  io.write(string.format("soak: requests %d, 2xx %d, 3xx %d, 4xx %d, 5xx %d, socket errors %d (connect %d, read %d, write %d, timeout %d, status %d)\n",
    summary.requests, total["2xx"], total["3xx"], total["4xx"], total["5xx"],
    e.connect + e.read + e.write + e.timeout, e.connect, e.read, e.write, e.timeout, e.status))
  io.write(string.format("soak: latency p50 %.1f ms, p99 %.1f ms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
