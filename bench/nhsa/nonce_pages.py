#!/usr/bin/env python3
# bench/nhsa/nonce_pages.py — docs/BENCHMARKS.md, "gw6 round": the pages
# (WAL frames) one commit of k spent nonces writes, by the key they are
# kept under.  python3 bench/nhsa/nonce_pages.py (stdlib sqlite3 only).
# Pages a commit of k nonces writes to the WAL (frames), in nhsa_nonces as
# migration 13 made it, with `rows` nonces kept: keys "<paasid>|<nonce>"
# (main) against "<ts12>|<paasid>|<nonce>" (gw6's key, not kept: it made
# a nonce once per timestamp, not once in the window).  The frames of a
# commit are the pages it dirtied.
import os, shutil, sqlite3, tempfile
tmp = tempfile.mkdtemp()
P = '043aUuYPzphBNC0kysHYXfnLm3EIKNJ7'
def run(fmt, rows, k, trials=5):
    path = os.path.join(tmp, f'{fmt}.db')
    for s in ('', '-wal', '-shm'):
        if os.path.exists(path + s): os.remove(path + s)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute('pragma journal_mode=wal'); db.execute('pragma wal_autocheckpoint=0')
    db.execute('CREATE TABLE nhsa_nonces (key TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID')
    db.execute('CREATE INDEX nhsa_nonces_at ON nhsa_nonces(at)')
    now = 1796640000
    key = lambda ts: (f'{ts:012d}|{P}|' if fmt == 'ts' else f'{P}|') + os.urandom(16).hex()
    db.execute('begin')
    for i in range(rows):
        ts = now - 600 + (i * 600) // rows
        db.execute('insert into nhsa_nonces values (?, ?)', (key(ts), ts))
    db.execute('commit')
    out = []
    for t in range(trials):
        db.execute('pragma wal_checkpoint(truncate)')
        db.execute('begin')
        for i in range(k):
            db.execute('insert into nhsa_nonces values (?, ?)', (key(now + t), now + t))
        db.execute('commit')
        out.append((os.path.getsize(path + '-wal') - 32) // (4096 + 24))
    return sum(out) / len(out) / k
for rows in (30000, 300000):
    for k in (8, 64):
        print(f'rows {rows:7d} k {k:3d}: pages per nonce  main {run("old", rows, k):.2f}  gw6 {run("ts", rows, k):.2f}')
shutil.rmtree(tmp)
