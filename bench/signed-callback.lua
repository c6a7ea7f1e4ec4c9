-- wrk script: the shared post-callback.lua (CALLBACK_LUA), each body sent with the X-Twilio-Signature
-- Twilio would send: base64(HMAC-SHA1(auth token, URL + each field's name and value, names sorted)),
-- URL being the one Twilio posts to (SIGN_URL: PUBLIC_URL + the callback path), token TWILIO_AUTH_TOKEN.
-- HMAC by OpenSSL's libcrypto through LuaJIT's FFI; signed once per body in init(), as the bodies are built.
--   CALLBACK_LUA=... SIGN_URL=... TWILIO_AUTH_TOKEN=... wrk -s bench/signed-callback.lua URL [-- NSIDS]
dofile(assert(os.getenv("CALLBACK_LUA"), "set CALLBACK_LUA to the shared post-callback.lua"))

local ffi = require("ffi")
ffi.cdef [[
typedef struct evp_md_st EVP_MD;
const EVP_MD *EVP_sha1(void);
unsigned char *HMAC(const EVP_MD *md, const void *key, int key_len, const unsigned char *d, size_t n,
                    unsigned char *out, unsigned int *out_len);
]]
local ok, crypto = pcall(ffi.load, "crypto")
if not ok then crypto = ffi.load("libcrypto.so.3") end

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function base64(s)
  return ((s:gsub(".", function(c)
    local bits, b = "", c:byte()
    for i = 8, 1, -1 do bits = bits .. (b % 2 ^ i - b % 2 ^ (i - 1) > 0 and "1" or "0") end
    return bits
  end) .. "0000"):gsub("%d%d%d?%d?%d?%d?", function(x)
    if #x < 6 then return "" end
    local n = 0
    for i = 1, 6 do n = n + (x:sub(i, i) == "1" and 2 ^ (6 - i) or 0) end
    return B64:sub(n + 1, n + 1)
  end) .. ({ "", "==", "=" })[#s % 3 + 1])
end

local function decode(s)
  return (s:gsub("+", " "):gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end

local url = assert(os.getenv("SIGN_URL"), "set SIGN_URL to the URL Twilio posts to")
local token = assert(os.getenv("TWILIO_AUTH_TOKEN"), "set TWILIO_AUTH_TOKEN")
local out, out_len = ffi.new("unsigned char[20]"), ffi.new("unsigned int[1]")

local function signature(body)
  local fields, names = {}, {}
  for pair in body:gmatch("[^&]+") do
    local k, v = pair:match("^([^=]*)=?(.*)$")
    k = decode(k)
    fields[k] = decode(v)
    names[#names + 1] = k
  end
  table.sort(names)
  local data = { url }
  for _, k in ipairs(names) do data[#data + 1] = k .. fields[k] end
  data = table.concat(data)
  crypto.HMAC(crypto.EVP_sha1(), token, #token, data, #data, out, out_len)
  return base64(ffi.string(out, out_len[0]))
end

local unsigned_init = init
function init(args)
  local format = wrk.format
  wrk.format = function(method, path, headers, body)
    headers["X-Twilio-Signature"] = signature(body)
    return format(method, path, headers, body)
  end
  unsigned_init(args)
  wrk.format = format
end
