-- wrk script: an empty distributed read, as osqueryd sends it (keep-alive TLS).
local key = os.getenv("NODE_KEY")
wrk.method = "POST"
wrk.body = '{"node_key":"' .. key .. '"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
wrk.headers["User-Agent"] = "osquery/5.23.1"
wrk.headers["Authorization"] = "NodeKey " .. key
