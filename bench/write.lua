-- wrk script: distributed writes of ROWS result rows per request for a real run.
-- KEYS_FILE holds one node key per line (hosts targeted by run QUERY_ID); each
-- request answers for the next host, so every write is stored as real result rows
-- (a re-sent answer replaces that host's earlier rows).
local rows = tonumber(os.getenv("ROWS") or "100")
local query = os.getenv("QUERY_ID")
local keys = {}
for line in io.lines(os.getenv("KEYS_FILE")) do keys[#keys + 1] = line end
local parts = {}
for i = 1, rows do
  parts[i] = '{"pid":"' .. i .. '","name":"process-' .. i .. '","path":"/usr/bin/process-' .. i ..
             '","cmdline":"/usr/bin/process-' .. i .. ' --flag","on_disk":"1","uid":"0"}'
end
local payload = '{"queries":{"' .. query .. '":[' .. table.concat(parts, ",") .. ']},"statuses":{"' ..
                query .. '":0},"messages":{"' .. query .. '":""},"stats":{"' .. query ..
                '":{"wall_time_ms":1,"user_time":1,"system_time":0,"memory":0}},"node_key":"'
local n = 0
request = function()
  n = n + 1
  local key = keys[(n % #keys) + 1]
  return wrk.format("POST", nil, {["Content-Type"] = "application/json",
                                  ["Authorization"] = "NodeKey " .. key}, payload .. key .. '"}')
end
