-- wrk script: a logger POST of LINES result lines (event format), uncompressed.
local key = os.getenv("NODE_KEY")
local lines = tonumber(os.getenv("LINES") or "100")
local parts = {}
for i = 1, lines do
  parts[i] = '{"name":"processes","hostIdentifier":"bench","calendarTime":"Mon Nov 30 05:00:00 2026 UTC",' ..
             '"unixTime":1764478800,"epoch":0,"counter":' .. i .. ',"numerics":false,' ..
             '"columns":{"pid":"' .. i .. '","name":"proc"},"action":"added"}'
end
wrk.method = "POST"
wrk.body = '{"data":[' .. table.concat(parts, ",") .. '],"log_type":"result","node_key":"' .. key .. '"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "NodeKey " .. key
