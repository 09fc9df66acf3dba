#!/usr/bin/env python3
"""cpu.py — where the CPU of one bench/nhsa/run load went
(docs/BENCHMARKS.md, "What bounds the ratio").

  cpu.py snap SERVER_PID FILE [WRK_PID]
                                  the server's threads' CPU ticks by
                                  thread name, the load generator's (if
                                  given), and each CPU's busy and idle
                                  ticks (/proc/stat), into FILE
  cpu.py report BEFORE AFTER WRK_CPU OK
                                  CPU microseconds per answered request:
                                  the writer (yb-writer), the upkeep
                                  (yb-upkeep), the connection threads
                                  (every other thread of the server), the
                                  load generator (WRK_CPU: its whole
                                  "user sys" in seconds, from
                                  /usr/bin/time, less what BEFORE saw it
                                  spend: reading its file), and each
                                  CPU's busy share of the interval;
                                  and the bytes the writer and the
                                  upkeep wrote per answered request
                                  (/proc/PID/task/TID/io wchar: the WAL's
                                  frames at commit, the checkpoint's
                                  pages), in 4 KiB pages

Threads are told apart by name: the batcher names its writer and upkeep
threads; libmicrohttpd's workers keep the process's name.  Kernel time
spent for a thread (its socket writes, its fsyncs) counts as the
thread's (stime).  Per-CPU busy shares are the whole machine's: on a
shared machine other work shows there, not in the per-thread figures.
"""
import json
import os
import sys

TICK = os.sysconf('SC_CLK_TCK')


def threads(pid):
    out = {}
    for tid in os.listdir(f'/proc/{pid}/task'):
        try:
            stat = open(f'/proc/{pid}/task/{tid}/stat').read()
        except OSError:
            continue
        name = stat[stat.index('(') + 1:stat.rindex(')')]
        f = stat[stat.rindex(')') + 2:].split()
        group = name if name in ('yb-writer', 'yb-upkeep') else 'http'
        u, s = int(f[11]), int(f[12])
        g = out.setdefault(group, [0, 0, 0])
        g[0] += u
        g[1] += s
        try:
            io = open(f'/proc/{pid}/task/{tid}/io').read()
            g[2] += int(io.split('wchar:')[1].split()[0])
        except (OSError, IndexError):
            pass
    return out


def cpus():
    out = {}
    for line in open('/proc/stat'):
        f = line.split()
        if f[0].startswith('cpu') and f[0] != 'cpu':
            v = [int(x) for x in f[1:]]
            idle = v[3] + v[4]
            out[f[0]] = [sum(v[:8]) - idle, idle]
    return out


def process(pid):
    stat = open(f'/proc/{pid}/stat').read()
    f = stat[stat.rindex(')') + 2:].split()
    return [int(f[11]), int(f[12])]


def snap(pid, path, wrk=None):
    json.dump({'threads': threads(pid), 'cpus': cpus(),
               'wrk': process(wrk) if wrk else [0, 0]}, open(path, 'w'))


def report(before, after, wrk_cpu, ok):
    a, b = json.load(open(before)), json.load(open(after))
    ok = max(int(ok), 1)
    parts, pages = [], []
    for g in ('yb-writer', 'yb-upkeep', 'http'):
        u0, s0, w0 = (a['threads'].get(g, []) + [0, 0, 0])[:3]
        u1, s1, w1 = (b['threads'].get(g, []) + [0, 0, 0])[:3]
        if g != 'http':
            pages.append(f'{g}_pages={(w1 - w0) / 4096 / ok:.2f}')
        parts.append(f'{g}={(u1 - u0 + s1 - s0) / TICK * 1e6 / ok:.1f}'
                     f'(sys {(s1 - s0) / TICK * 1e6 / ok:.1f})')
    wu, ws = (float(x) for x in wrk_cpu.split())
    wu -= a['wrk'][0] / TICK
    ws -= a['wrk'][1] / TICK
    parts.append(f'wrk={(wu + ws) * 1e6 / ok:.1f}(sys {ws * 1e6 / ok:.1f})')
    busy = []
    for c in sorted(b['cpus']):
        db = b['cpus'][c][0] - a['cpus'][c][0]
        di = b['cpus'][c][1] - a['cpus'][c][1]
        busy.append(f'{c}_busy={db / max(db + di, 1):.2f}')
    print('cpu_us_per_ok: ' + ' '.join(parts + busy + pages))


if __name__ == '__main__':
    if sys.argv[1] == 'snap':
        snap(*sys.argv[2:5])
    elif sys.argv[1] == 'report':
        report(*sys.argv[2:6])
    else:
        sys.exit(__doc__)
