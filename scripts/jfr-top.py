#!/usr/bin/env python3
"""Where a bench run's CPU went, from a JFR recording (the profile of `./turnout bench`).

Record:   TURNOUT_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/bench.jfr,settings=profile" ./turnout bench
Then:     scripts/jfr-top.py /tmp/bench.jfr --from 20:34:54 --to 20:35:32 --thread "branch work"

--from/--to pick one run (the bench log prints when each run starts and how long it took); without them, all of it.
Prints the samples per thread, then for the threads whose name contains --thread: the top frames (self), with
--lines their source lines, and the frames on the stack (inclusive). --callers FRAME lists what called FRAME.
Needs the JDK's `jfr` tool on the PATH.
"""
import argparse
import collections
import re
import subprocess
import sys


def samples(path, depth):
    """Yields (time HH:MM:SS, thread name, [frames, innermost first]) per execution sample."""
    out = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth", str(depth), path],
                         check=True, capture_output=True, text=True).stdout
    event = None
    for line in out.splitlines():
        if line.startswith("jdk.ExecutionSample"):
            if event:
                yield event
            event = {"time": "", "thread": "?", "frames": []}
        elif event is not None:
            m = re.match(r"\s+startTime = (\S+)", line)
            if m:
                event["time"] = m.group(1)[:8]
                continue
            m = re.match(r'\s+sampledThread = "(.*)" \(', line)
            if m:
                event["thread"] = m.group(1)
                continue
            m = re.match(r"\s+([\w$.<>/]+)\(.*?\)\s+line: (\d+)", line)
            if m:
                event["frames"].append((m.group(1), m.group(2)))
    if event:
        yield event


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("recording")
    p.add_argument("--from", dest="start", default="00:00:00", help="HH:MM:SS, first sample kept")
    p.add_argument("--to", dest="end", default="99:99:99", help="HH:MM:SS, last sample kept")
    p.add_argument("--thread", help="threads whose name contains this (e.g. 'branch work', 'Source: kafka')")
    p.add_argument("--lines", action="store_true", help="top frames with their source line")
    p.add_argument("--callers", help="a frame (class.method) whose callers to list")
    p.add_argument("--top", type=int, default=30)
    p.add_argument("--depth", type=int, default=40)
    a = p.parse_args()

    threads = collections.Counter()
    top = collections.Counter()
    inclusive = collections.Counter()
    callers = collections.Counter()
    picked = 0
    for e in samples(a.recording, a.depth):
        if not (a.start <= e["time"] <= a.end):
            continue
        threads[e["thread"]] += 1
        if a.thread is None or a.thread not in e["thread"]:
            continue
        picked += 1
        frames = e["frames"]
        if not frames:
            continue
        name, line = frames[0]
        top[f"{name}:{line}" if a.lines else name] += 1
        for seen in {f for f, _ in frames}:
            inclusive[seen] += 1
        if a.callers:
            for i, (f, _) in enumerate(frames):
                if f == a.callers:
                    callers[" <- ".join(f"{c}:{l}" for c, l in frames[i + 1:i + 4])] += 1
                    break

    total = sum(threads.values())
    if total == 0:
        sys.exit("no samples in that window")
    print(f"{total} samples; by thread:")
    for name, n in threads.most_common(12):
        print(f"{n:7d} {100 * n / total:5.1f}%  {name[:140]}")
    if a.thread is None:
        return
    print(f"\n{picked} samples of threads with '{a.thread}'; top frames (self):")
    for name, n in top.most_common(a.top):
        print(f"{n:7d} {100 * n / max(1, picked):5.1f}%  {name}")
    print("\non the stack (inclusive):")
    for name, n in inclusive.most_common(a.top * 2):
        print(f"{n:7d} {100 * n / max(1, picked):5.1f}%  {name}")
    if a.callers:
        print(f"\ncallers of {a.callers}:")
        for chain, n in callers.most_common(a.top):
            print(f"{n:7d}  {chain}")


if __name__ == "__main__":
    main()
