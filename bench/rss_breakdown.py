#!/usr/bin/env python3
"""Where a server's RSS goes once it has answered the first requests and started its services (bench/rss-breakdown.sh).

Spawns the command as bench/first_answers.py does (initialize, tools/list, prompts/list, templates, one prompt), waits
--settle seconds, then sums /proc/PID/smaps Rss per mapping: files by name (the class-data archive, libjvm.so, ...),
anonymous memory by the JVM region that NMT's virtual memory map places it in (Java Heap, Code, Metaspace, Thread
Stack, ...; needs -XX:NativeMemoryTracking=detail on the command), and the anonymous rest as "malloc (glibc arenas)".
Medians over --runs launches, in MiB.
"""
import argparse
import os
import re
import shlex
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import first_answers as fa  # noqa: E402

bench = fa.bench
MALLOC = "malloc (glibc arenas, untracked by NMT)"


def nmt_regions(pid):
    out = subprocess.run(["jcmd", str(pid), "VM.native_memory", "detail"], capture_output=True, text=True).stdout
    return [(int(m.group(1), 16), int(m.group(2), 16), m.group(3).strip())
            for m in re.finditer(r"\[0x([0-9a-f]+) - 0x([0-9a-f]+)\] reserved \d+KB for (.+?) from", out)]


def breakdown(pid):
    # smaps first: NMT's detail report itself takes megabytes of malloc while it is made
    mappings = []
    with open(f"/proc/{pid}/smaps") as smaps:
        for line in smaps:
            if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                parts = line.split()
                mappings.append([int(parts[0].split("-")[0], 16), parts[5] if len(parts) > 5 else "", 0])
            elif line.startswith("Rss:"):
                mappings[-1][2] += int(line.split()[1]) / 1024
    regions = nmt_regions(pid)
    sums = {}
    for start, name, rss in mappings:
        if name.startswith("/"):
            key = "file " + os.path.basename(name)
        elif name:
            key = name if name != "[heap]" else MALLOC
        else:
            key = next(("JVM " + what for lo, hi, what in regions if lo <= start < hi), MALLOC)
        sums[key] = sums.get(key, 0) + rss
    return sums


def one(cmd, env, settle):
    c = bench.Child(cmd, env, None)
    try:
        fa.initialize(c, 1)
        rid = 1
        for _, method, params in bench.default_ops(fa.CALL_SID)[1:]:
            rid += 1
            c.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
            c.wait_response(rid, 30)
        time.sleep(settle)
        total = bench.proc_status(c.p.pid)["VmRSS"] / 1024
        return total, breakdown(c.p.pid)
    finally:
        c.stop(2.0, 3.0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cmd", required=True, help="the server's command, with -XX:NativeMemoryTracking=detail")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--settle", type=float, default=fa.SETTLE_SECONDS)
    ap.add_argument("--env", action="append", default=[], metavar="KEY=VALUE")
    opts = ap.parse_args()
    env = dict(os.environ)
    env.update(kv.partition("=")[::2] for kv in opts.env)
    runs = [one(shlex.split(opts.cmd), env, opts.settle) for _ in range(opts.runs)]
    keys = sorted({k for _, b in runs for k in b}, key=lambda k: -statistics.median(b.get(k, 0) for _, b in runs))
    print(f"VmRSS {statistics.median(t for t, _ in runs):.1f} MiB {opts.settle:g} s after the first requests "
          f"(median of {len(runs)}; NMT's own memory included)")
    for k in keys:
        m = statistics.median(b.get(k, 0) for _, b in runs)
        if m >= 0.1:
            print(f"  {m:6.1f}  {k}")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
