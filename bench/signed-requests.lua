-- wrk script: POST Twilio <Pay> status callbacks with X-Twilio-Signature, one prepared request per
-- payment, cycled. The requests file (written by SignedCallbackTarget) has one "signature body" line
-- each: the shared post-callback.lua's 16 form fields, signed as Twilio signs them.
--   wrk -t2 -c32 -d15s --latency -s bench/signed-requests.lua URL -- REQUESTS_FILE
-- (bench/signed-callback.lua signs in Lua instead, for bench/service.sh, which has no harness to write the file.)
-- done() (the RESULT line) comes from the shared script; init() and request() are replaced below.
dofile(os.getenv("SHARED_BENCH") .. "/post-callback.lua")
local reqs = {}
local n = 0
local idx = 1

function init(args)
  for line in io.lines(args[1]) do
    local signature, body = line:match("^(%S+) (.*)$")
    n = n + 1
    reqs[n] = wrk.format("POST", nil, {
      ["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8",
      ["User-Agent"] = "TwilioProxy/1.1",
      ["X-Twilio-Signature"] = signature,
    }, body)
  end
end

function request()
  local r = reqs[idx]
  idx = idx + 1
  if idx > n then idx = 1 end
  return r
end
