-- wrk script: POST a new tweet on every request, as each of the accounts
-- whose access tokens are in BENCH_TOKENS (space-separated), in turn.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local tokens = {}
for t in string.gmatch(os.getenv("BENCH_TOKENS") or "", "%S+") do
  tokens[#tokens + 1] = t
end
local n = 0
request = function()
  n = n + 1
  local headers = { ["Content-Type"] = "application/json" }
  if #tokens > 0 then
    headers["Authorization"] = "Bearer " .. tokens[1 + n % #tokens]
  end
  return wrk.format("POST", "/api/v1/tweets", headers,
    '{"text":"benchmark tweet ' .. n .. ' #bench"}')
end
