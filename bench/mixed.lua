-- wrk script: a mix of reads and writes, as the accounts whose access tokens
-- are in BENCH_TOKENS: 60 % public timeline, 25 % home timeline, 10 % a
-- profile's tweets, 5 % posts. Counts every non-2xx answer (wrk reports them).
local tokens = {}
for t in string.gmatch(os.getenv("BENCH_TOKENS") or "", "%S+") do
  tokens[#tokens + 1] = t
end
local n = 0
request = function()
  n = n + 1
  local token = tokens[1 + n % #tokens]
  local auth = { ["Authorization"] = "Bearer " .. token }
  local pick = n % 20
  if pick < 12 then
    return wrk.format("GET", "/api/v1/tweets", auth)
  elseif pick < 17 then
    return wrk.format("GET", "/api/v1/timeline", auth)
  elseif pick < 19 then
    return wrk.format("GET", "/api/v1/users/demo" .. (1 + n % 1000) .. "/tweets")
  else
    auth["Content-Type"] = "application/json"
    return wrk.format("POST", "/api/v1/tweets", auth, '{"text":"mixed load ' .. n .. '"}')
  end
end
