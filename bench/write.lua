-- wrk script: a distributed write of ROWS result rows per request.
local key = os.getenv("NODE_KEY")
local rows = tonumber(os.getenv("ROWS") or "100")
local query = os.getenv("QUERY_ID") or "bench"
local parts = {}
for i = 1, rows do
  parts[i] = '{"pid":"' .. i .. '","name":"process-' .. i .. '","path":"/usr/bin/process-' .. i ..
             '","cmdline":"/usr/bin/process-' .. i .. ' --flag","on_disk":"1","uid":"0"}'
end
wrk.method = "POST"
wrk.body = '{"queries":{"' .. query .. '":[' .. table.concat(parts, ",") .. ']},"statuses":{"' ..
           query .. '":0},"messages":{"' .. query .. '":""},"stats":{"' .. query ..
           '":{"wall_time_ms":1,"user_time":1,"system_time":0,"memory":0}},"node_key":"' .. key .. '"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "NodeKey " .. key
