#!/usr/bin/env python3
"""Where users wait, A against B in the same run, interleaved A B A B (see bench/first-answers.sh).

Per pair: spawn -> `initialize` answered, spawn -> `tools/list` answered (initialize, then
notifications/initialized, then tools/list at once, as hosts do), and RSS after the first requests
(initialize, tools/list, prompts/list, resources/templates/list, prompts/get StartCapture) and again 3 s later,
when both have started everything they start (the gateway its services after those answers); also the CPU time
(user + system, all threads) spent by the time tools/list is answered, which a busy machine disturbs less.
With --call, A alone: spawn -> first `tools/call startPaymentCapture` answered, the call sent right
after `notifications/initialized` (--call-env applies to those runs only: the Twilio emulator's URL
and credentials). Medians and the per-pair A/B ratios; the server's stdout must carry JSON-RPC only.
"""
import argparse
import os
import shlex
import statistics
import sys
import time

sys.path.insert(0, os.environ.get("SHARED_BENCH", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                                "..", "..", "shared", "bench")))
import mcp_stdio_bench as bench  # noqa: E402

CALL_SID = "CA" + "0" * 32
SETTLE_SECONDS = 3.0


def initialize(c, rid):
    c.send({"jsonrpc": "2.0", "id": rid, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "first-answers-bench", "version": "1.0"}}})
    t, m = c.wait_response(rid, 60)
    if "error" in m:
        raise RuntimeError(f"initialize: {m['error']}")
    c.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    return t


def check_stdout(c, label):
    bad = [raw for _, raw in c.lines if bench.classify(raw)[0] not in ("response", "notification", "request", "batch")]
    if bad or c.outbuf:
        raise RuntimeError(f"{label}: stdout carried non-JSON-RPC: {(bad or [c.outbuf])[0][:200]!r}")


def lists(cmd, env, exit_grace=2.0):
    c = bench.Child(cmd, env, None)
    try:
        t_init = initialize(c, 1)
        c.send({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
        t_list, m = c.wait_response(2, 30)
        if "error" in m or not m["result"].get("tools"):
            raise RuntimeError(f"tools/list: {m}")
        cpu = bench.proc_cpu_ms(c.p.pid)
        rid = 2
        for _, method, params in bench.default_ops(CALL_SID)[1:]:
            rid += 1
            c.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
            _, m = c.wait_response(rid, 30)
            if "error" in m:
                raise RuntimeError(f"{method}: {m['error']}")
        rss = bench.proc_status(c.p.pid)["VmRSS"] / 1024
        # The gateway starts its callback endpoint, tunnel check and Twilio client once it has answered the first
        # requests; the Node peer before. The same process a few seconds on is what a host keeps running.
        time.sleep(SETTLE_SECONDS)
        settled = bench.proc_status(c.p.pid)["VmRSS"] / 1024
        return {"init": (t_init - c.t_spawn) / 1e6, "list": (t_list - c.t_spawn) / 1e6, "cpu": cpu, "rss": rss,
                "settled": settled}
    finally:
        c.stop(exit_grace, 3.0)
        check_stdout(c, shlex.join(cmd[:1]))


def first_call(cmd, env, run):
    c = bench.Child(cmd, env, None)
    try:
        initialize(c, 1)
        c.send({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
            # a call of its own each run (the emulator keeps earlier sessions open), ending in no scenario's suffix
            "name": "startPaymentCapture", "arguments": {"callSid": f"CA{run:028x}1000", "chargeAmount": "10.00"}}})
        t, m = c.wait_response(2, 60)
        result = m.get("result") or {}
        if "error" in m or result.get("isError"):
            raise RuntimeError(f"startPaymentCapture failed: {str(m)[:400]}")
        return (t - c.t_spawn) / 1e6, bench.proc_cpu_ms(c.p.pid)
    finally:
        c.stop(2.0, 3.0)
        check_stdout(c, "first call")


def med(rows, key, side):
    return statistics.median(r[key][side] for r in rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--a", required=True, help="command A (the server under test)")
    ap.add_argument("--b", required=True, help="command B (the peer)")
    ap.add_argument("--runs", type=int, default=8)
    ap.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="for A and B")
    ap.add_argument("--call", action="store_true", help="also time A's first startPaymentCapture")
    ap.add_argument("--call-env", action="append", default=[], metavar="KEY=VALUE", help="for the --call runs")
    ap.add_argument("--a-first", help="A as launched the first time of all (its class-data archive not made yet)")
    opts = ap.parse_args()

    def environment(pairs, base):
        env = dict(base)
        for kv in pairs:
            k, _, v = kv.partition("=")
            env[k] = v
        return env
    env = environment(opts.env, os.environ)
    a, b = shlex.split(opts.a), shlex.split(opts.b)
    # The page cache: a first run of each, discarded.
    lists(a, env), lists(b, env)
    rows = []
    for i in range(opts.runs):
        try:
            ra, rb = lists(a, env), lists(b, env)
        except (RuntimeError, TimeoutError) as e:
            print(f"pair {i + 1}: {e}", file=sys.stderr)
            continue
        rows.append({k: (ra[k], rb[k]) for k in ra})
        time.sleep(0.2)
    if not rows:
        print("first_answers: no successful pair")
        return 1
    for key, title, unit in (("init", "spawn -> initialize answered", "ms"), ("list", "spawn -> tools/list answered", "ms"),
                             ("cpu", "CPU time by then (all threads)", "ms"),
                             ("rss", "RSS after the first requests", "MiB"),
                             ("settled", f"RSS {SETTLE_SECONDS:.0f} s later (services up)", "MiB")):
        ratios = [r[key][0] / r[key][1] for r in rows]
        print(f"{title:32s} A {med(rows, key, 0):7.1f} {unit}  B {med(rows, key, 1):7.1f} {unit}  "
              f"A/B median {statistics.median(ratios):.2f} (min {min(ratios):.2f}, max {max(ratios):.2f}, n={len(rows)})")
    if opts.call:
        call_env = environment(opts.call_env, env)
        first_call(a, call_env, 1)  # discarded
        times, cpus = [], []
        for i in range(opts.runs):
            t, cpu = first_call(a, call_env, i + 2)
            times.append(t)
            cpus.append(cpu)
            time.sleep(0.2)
        print(f"{'spawn -> startPaymentCapture answered':32s} A {statistics.median(times):7.1f} ms  "
              f"(min {min(times):.1f}, max {max(times):.1f}, n={len(times)}; B cannot use the emulator)")
        print(f"{'CPU time by then (all threads)':32s} A {statistics.median(cpus):7.1f} ms  "
              f"(min {min(cpus):.1f}, max {max(cpus):.1f})")
        if opts.a_first and opts.a_first != opts.a:
            first = [first_call(shlex.split(opts.a_first), call_env, opts.runs + i + 2)[0] for i in range(max(1, opts.runs // 2))]
            print(f"{'the same, first launch of all':32s} A {statistics.median(first):7.1f} ms  "
                  f"(min {min(first):.1f}, max {max(first):.1f}, n={len(first)}; its class-data archive not made yet)")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
