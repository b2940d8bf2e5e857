-- wrk script: POST a new tweet on every request.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, '{"text":"benchmark tweet ' .. n .. ' #bench"}')
end
