#!/usr/bin/env bash
# Start-up in HTTP mode: spawn -> first MCP initialize answered over HTTP, -> tools/list answered in
# that session, and -> /healthz "ok" (callback endpoint, public URL and Twilio facade up), with the
# README's JVM flags; interleaved with stdio's spawn -> initialize answered, so a busy machine shows in
# both. The environment is passed on (REDIS_URL: bench/service.sh measures with Redis).
#   bench/http-startup.sh [RUNS]        JVM_FLAGS="..." overrides the flags (bench/jvm-flags)
set -euo pipefail
source "$(dirname "$0")/common.sh"
need_jar
RUNS="${1:-10}"
python3 - "$RUNS" "$JAR" $JVM_FLAGS <<'PY'
import json, os, socket, statistics, subprocess, sys, time, urllib.request
runs, jar, flags = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
init = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25",
                   "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}}).encode()
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0)); return s.getsockname()[1]
def poll(request, ok):
    while True:
        try:
            with urllib.request.urlopen(request, timeout=1) as r:
                if ok(r):
                    return time.perf_counter(), r.headers
        except OSError:
            pass
        time.sleep(0.002)
def stdio(env):
    t0 = time.perf_counter()
    p = subprocess.Popen(["java", *flags, "-jar", jar, "ACa1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1",
                          "SKb2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2", "secret"], env=env, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    p.stdin.write(init + b"\n"); p.stdin.flush()
    p.stdout.readline()
    elapsed = (time.perf_counter() - t0) * 1000
    p.stdin.close(); p.terminate(); p.wait()
    return elapsed
first, listed, ready, piped = [], [], [], []
listing = json.dumps({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}).encode()
for _ in range(runs):
    callback = free_port()
    piped.append(stdio(dict(os.environ, PUBLIC_URL=f"http://127.0.0.1:{callback}", CALLBACK_PORT=str(callback))))
    port, callback = free_port(), free_port()
    env = dict(os.environ, PUBLIC_URL=f"http://127.0.0.1:{callback}", CALLBACK_PORT=str(callback))
    t0 = time.perf_counter()
    p = subprocess.Popen(["java", *flags, "-jar", jar, "ACa1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1",
                          "SKb2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2", "secret", "--http-port", str(port)],
                         env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        req = urllib.request.Request(f"http://127.0.0.1:{port}/mcp", data=init, headers={
            "Content-Type": "application/json", "Accept": "application/json, text/event-stream"})
        answered, headers = poll(req, lambda r: r.status == 200)
        first.append((answered - t0) * 1000)
        session = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
                   "Mcp-Session-Id": headers["Mcp-Session-Id"], "MCP-Protocol-Version": "2025-11-25"}
        with urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/mcp", headers=session, data=json.dumps(
                {"jsonrpc": "2.0", "method": "notifications/initialized"}).encode()), timeout=10):
            pass
        with urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/mcp", data=listing,
                                                           headers=session), timeout=10) as r:
            assert b'"tools"' in r.read(), "tools/list was not answered"
        listed.append((time.perf_counter() - t0) * 1000)
        ready.append((poll(f"http://127.0.0.1:{port}/healthz", lambda r: r.status == 200)[0] - t0) * 1000)
    finally:
        p.terminate(); p.wait()
print(f"runs={runs} stdio spawn->initialize answered: median {statistics.median(piped):.0f} ms; "
      f"HTTP spawn->initialize answered over HTTP: median {statistics.median(first):.0f} ms "
      f"(min {min(first):.0f}, max {max(first):.0f}); spawn->tools/list answered over HTTP: median "
      f"{statistics.median(listed):.0f} ms (min {min(listed):.0f}, max {max(listed):.0f}); spawn->/healthz ok: median {statistics.median(ready):.0f} ms "
      f"(min {min(ready):.0f}, max {max(ready):.0f})")
PY
