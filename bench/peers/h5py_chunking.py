#!/usr/bin/python3
"""Peer: the chunking demo's work with h5py, serially. The same stack of random float64 images goes into three
files (contiguous, chunked (1, k, k), chunked + gzip 4); then every image's top-left k x k tile is read back,
one read per tile. Generating the images is not timed. The files have demo/chunking.js's names and are kept
(bench/run.js has the next run overwrite them, or deletes them first: see writeDemoPath).
usage: python3 h5py_chunking.py NIMGS NROWS NCOLS KSIZE DIR
Prints one JSON line: per layout, the write time (open to close), the tile-read time and the file size."""
import json, os, sys, time
import h5py, numpy as np

nimgs, nrows, ncols, k = (int(a) for a in sys.argv[1:5])
folder = sys.argv[5]
per_batch = max(1, (512 << 20) // (nrows * ncols * 8))
layouts = [("contiguous", "chunking_contig.h5", {}), ("chunked", "chunking_chunked.h5", {"chunks": (1, k, k)}),
           ("chunked+gzip", "chunking_gzip.h5", {"chunks": (1, k, k), "compression": "gzip", "compression_opts": 4})]
batches = {}
def batch(lo):
    if lo not in batches:  # made once and kept when the stack fits in one batch, as the demo does
        hi = min(nimgs, lo + per_batch)
        data = np.random.default_rng(746574366 + lo).random((hi - lo, nrows, ncols))
        if per_batch < nimgs: return data
        batches[lo] = data
    return batches[lo]
out = []
for name, file, opts in layouts:
    path = os.path.join(folder, file)
    write_s = 0.0
    t0 = time.perf_counter()
    f = h5py.File(path, "w")
    d = f.create_dataset("test", (nimgs, nrows, ncols), dtype="f8", **opts)
    open_s = time.perf_counter() - t0
    for lo in range(0, nimgs, per_batch):
        data = batch(lo)
        t0 = time.perf_counter()
        d[lo:lo + len(data)] = data
        write_s += time.perf_counter() - t0
    t0 = time.perf_counter()
    f.close()
    close_s = time.perf_counter() - t0
    f = h5py.File(path, "r")
    d = f["test"]
    t0 = time.perf_counter()
    tiles = [d[i, :k, :k] for i in range(nimgs)]
    read_s = time.perf_counter() - t0
    f.close()
    out.append({"layout": name, "total_s": open_s + write_s + close_s, "read_s": read_s,
                "file_MB": os.path.getsize(path) / 2**20})
mb = nimgs * nrows * ncols * 8 / 2**20
print(json.dumps({"peer": "h5py", "ranks": 1, "MB": mb, "layouts": out}))
