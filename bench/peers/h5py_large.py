# The large-read case's h5py peer (bench/large.js says what is measured): d[()] of the whole dataset.
# usage: mpiexec -n 1 python3 h5py_large.py FILE   (mpiexec only so that Debian's h5py loads the same libhdf5)
import json
import resource
import sys
import time

import h5py


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime, r.ru_minflt


with h5py.File(sys.argv[1], 'r') as f:
    d = f['x']
    n = d.shape[0]
    c0, m0 = cpu()
    t0 = time.perf_counter()
    a = d[()]
    s = time.perf_counter() - t0
    c1, m1 = cpu()
    bad = sum(1 for i in (0, n >> 1, n - 1) if a[i] != i)
print(json.dumps({'impl': 'h5py', 'n': n, 'GiB': n * 8 / 2**30, 'read_s': s, 'cpu_s': c1 - c0, 'minflt': m1 - m0, 'bad': bad}))
