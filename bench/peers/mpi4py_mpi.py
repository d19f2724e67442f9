#!/usr/bin/python3
"""Peer for the mpi part: c_mpi.c's measurements (the OSU micro-benchmarks') with mpi4py, as a Python user
writes them: the buffer methods (Send/Recv, Isend/Irecv + Waitall, Allreduce, Alltoall) on numpy arrays, and
the lower-case send/recv (pickle) for a small object.
usage: mpiexec -n N python3 mpi4py_mpi.py [latency B:I:S ...] [object I:S] [bandwidth B:I:S:W ...]
                                          [allreduce B:I:S ...] [alltoall B:I:S ...]
Arguments, method and output keys as c_mpi.c's (B bytes, a float64 array of B / 8; I timed iterations after S
untimed ones; W messages in flight; each mode's first cell once untimed first). Prints one JSON line from
rank 0."""
import json, pickle, sys
from mpi4py import MPI
import numpy as np

comm = MPI.COMM_WORLD
rank, size = comm.rank, comm.size


def fail(what):
    sys.stderr.write(f"mpi4py_mpi.py: {what}\n")
    comm.Abort(2)


def latency(nbytes, iters, skip):
    s = np.arange(nbytes // 8, dtype=np.float64)
    r = np.zeros(nbytes // 8, dtype=np.float64)
    t0 = 0.0
    for i in range(iters + skip):
        if i == skip:
            t0 = MPI.Wtime()
        if rank == 0:
            comm.Send(s, dest=1, tag=1)
            comm.Recv(r, source=1, tag=1)
        elif rank == 1:
            comm.Recv(r, source=0, tag=1)
            comm.Send(r, dest=0, tag=1)
    us = (MPI.Wtime() - t0) * 1e6 / (2 * iters)
    if rank == 0 and r[-1] != len(r) - 1:
        fail("latency: the message came back changed")
    return us


def obj(iters, skip):
    x = {"step": 1, "name": "x", "values": [1, 2, 3]}
    y = None
    t0 = 0.0
    for i in range(iters + skip):
        if i == skip:
            t0 = MPI.Wtime()
        if rank == 0:
            comm.send(x, dest=1, tag=2)
            y = comm.recv(source=1, tag=2)
        elif rank == 1:
            y = comm.recv(source=0, tag=2)
            comm.send(y, dest=0, tag=2)
    us = (MPI.Wtime() - t0) * 1e6 / (2 * iters)
    if rank == 0 and y != x:
        fail("object: the record came back changed")
    return us, len(pickle.dumps(x, MPI.pickle.PROTOCOL))


def bandwidth(nbytes, iters, skip, window):
    s = np.full(nbytes, ord("a"), dtype=np.uint8)
    r = np.full(nbytes, ord("b"), dtype=np.uint8)
    ack = np.zeros(4, dtype=np.uint8)
    t0 = 0.0
    for i in range(iters + skip):
        if i == skip:
            t0 = MPI.Wtime()
        if rank == 0:
            reqs = [comm.Isend(s, dest=1, tag=100) for _ in range(window)]
            MPI.Request.Waitall(reqs)
            comm.Recv(ack, source=1, tag=101)
        elif rank == 1:
            reqs = [comm.Irecv(r, source=0, tag=100) for _ in range(window)]
            MPI.Request.Waitall(reqs)
            comm.Send(ack, dest=0, tag=101)
    mbps = nbytes * window * iters / (MPI.Wtime() - t0) / 1e6
    if rank == 1 and r[-1] != ord("a"):
        fail("bandwidth: the message arrived changed")
    return mbps


def collective(alltoall, nbytes, iters, skip):
    n = nbytes // 8
    if alltoall:
        s = rank * 1000.0 + np.repeat(np.arange(size, dtype=np.float64), n)
        r = np.zeros(n * size, dtype=np.float64)
    else:
        s = np.ones(n, dtype=np.float64)
        r = np.zeros(n, dtype=np.float64)
    timer = 0.0
    comm.Barrier()
    for i in range(iters + skip):
        t0 = MPI.Wtime()
        if alltoall:
            comm.Alltoall(s, r)
        else:
            comm.Allreduce(s, r, op=MPI.SUM)
        t1 = MPI.Wtime()
        if i >= skip:
            timer += t1 - t0
        comm.Barrier()
    if (r[n * (size - 1)] != (size - 1) * 1000.0 + rank) if alltoall else (r[-1] != size):
        fail("collective: wrong result")
    total = comm.reduce(timer * 1e6 / iters, op=MPI.SUM, root=0)
    return total / size if rank == 0 else None


def main():
    out = {"peer": "mpi4py", "ranks": size}
    args = sys.argv[1:]
    i = 0
    while i < len(args):
        mode = args[i]
        specs = []
        while i + 1 < len(args) and args[i + 1][:1].isdigit():
            i += 1
            specs.append([int(x) for x in args[i].split(":")])
        i += 1
        # Every mode's first cell runs once untimed before the cells are measured, as in c_mpi.c.
        if mode == "object":
            if len(specs) != 1 or size != 2:
                fail("object takes one I:S, on 2 ranks")
            obj(*specs[0][:2])
            us, nbytes = obj(*specs[0][:2])
            out["object"] = {"bytes": nbytes, "iters": specs[0][0], "us": us}
            continue
        if mode in ("latency", "bandwidth") and size != 2:
            fail("latency and bandwidth run on 2 ranks")
        if mode not in ("latency", "bandwidth", "allreduce", "alltoall"):
            fail("unknown mode (latency, object, bandwidth, allreduce, alltoall)")
        cells = []
        for k, spec in enumerate(specs[:1] + specs):
            nbytes, iters, skip = spec[:3]
            if nbytes < 8 or nbytes % 8 or iters < 1:
                fail("sizes are multiples of 8 bytes, iterations at least 1")
            if mode == "latency":
                cell = {"bytes": nbytes, "iters": iters, "us": latency(nbytes, iters, skip)}
            elif mode == "bandwidth":
                cell = {"bytes": nbytes, "iters": iters, "window": spec[3], "MBps": bandwidth(nbytes, iters, skip, spec[3])}
            else:
                cell = {"bytes": nbytes, "iters": iters, "us": collective(mode == "alltoall", nbytes, iters, skip)}
            if k > 0:
                cells.append(cell)
        out[mode] = cells
        if mode == "bandwidth":
            out["bandwidth_mode"] = "Isend x window, Request.Waitall, ack (osu_bw)"
        if mode == "alltoall":
            out["alltoall_mode"] = "Alltoall (numpy buffers)"
    if rank == 0:
        print(json.dumps(out))


main()
