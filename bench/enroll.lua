-- wrk script: an enrollment storm. Each request is a new host (a distinct
-- host_identifier); with "Connection: close" each costs a full TLS handshake.
local secret = os.getenv("ENROLL_SECRET")
local n = 0
request = function()
  n = n + 1
  local body = '{"enroll_secret":"' .. secret .. '","host_identifier":"storm-' .. n ..
               '-' .. math.random(1, 1000000000) .. '","platform_type":"9","host_details":' ..
               '{"os_version":{"name":"Ubuntu","platform":"ubuntu","version":"22.04"},' ..
               '"system_info":{"hostname":"storm-' .. n .. '","uuid":"u-' .. n .. '"}}}'
  return wrk.format("POST", nil, {["Content-Type"] = "application/json",
                                  ["Connection"] = "close"}, body)
end
