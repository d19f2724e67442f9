#!/usr/bin/env node
// h5mpi's side of peers/c_mpi.c and peers/mpi4py_mpi.py: the OSU micro-benchmarks' measurements, as a
// Node user writes them: comm.send(typedArray) + comm.recvInto(array) for typed arrays, comm.send(obj) +
// comm.recv() for an object, comm.allreduceInto(send, recv, 'sum') and comm.alltoallInto(send, recv) into
// arrays made once (as mpi4py's Allreduce and Alltoall), and for the non-blocking bandwidth window whatever
// this build has (see bandwidth below). The allocating forms, comm.allreduce(typedArray, 'sum') and
// comm.alltoall(typedArray), are measured too, as allreduce_alloc and alltoall_alloc (h5mpi's alone).
// usage: mpiexec -n N node bench/mpi.js [latency B:I:S ...] [object I:S] [bandwidth B:I:S:W ...]
//                                       [allreduce B:I:S ...] [alltoall B:I:S ...]
// Arguments, method and output keys as c_mpi.c's (B bytes, a float64 array of B / 8; I timed iterations after
// S untimed ones; W messages in flight; each mode's first cell once untimed first). Prints one JSON line from
// rank 0; a cell this build cannot measure has null for its figure and an `unavailable` reason.
'use strict';
const v8 = require('node:v8');
const { MPI, zeros } = require('..');

const comm = MPI.COMM_WORLD;
const { rank, size } = comm;

function fail(what) {
  process.stderr.write(`bench/mpi.js: ${what}\n`);
  comm.abort(2);
}

function latency(bytes, iters, skip) {
  const n = bytes / 8;
  const s = zeros('float64', n).map((_, k) => k);
  const r = zeros('float64', n);
  let t0 = 0;
  for (let i = 0; i < iters + skip; i++) {
    if (i === skip) t0 = MPI.Wtime();
    if (rank === 0) {
      comm.send(s, 1, 1);
      comm.recvInto(r, 1, 1);
    } else if (rank === 1) {
      comm.recvInto(r, 0, 1);
      comm.send(r, 0, 1);
    }
  }
  const us = ((MPI.Wtime() - t0) * 1e6) / (2 * iters);
  if (rank === 0 && r[n - 1] !== n - 1) fail('latency: the message came back changed');
  return us;
}

function object(iters, skip) {
  const x = { step: 1, name: 'x', values: [1, 2, 3] };
  let y = null;
  let t0 = 0;
  for (let i = 0; i < iters + skip; i++) {
    if (i === skip) t0 = MPI.Wtime();
    if (rank === 0) {
      comm.send(x, 1, 2);
      y = comm.recv(1, 2);
    } else if (rank === 1) {
      y = comm.recv(0, 2);
      comm.send(y, 0, 2);
    }
  }
  const us = ((MPI.Wtime() - t0) * 1e6) / (2 * iters);
  if (rank === 0 && JSON.stringify(y) !== JSON.stringify(x)) fail('object: the record came back changed');
  return { us, bytes: v8.serialize(x).length };
}

// ---- the bandwidth window: non-blocking when this build has comm.isend, blocking sends otherwise

/** How to wait for a list of requests, from what this build has; null when it has no way. */
function waitAll(requests) {
  const Request = MPI.Request;
  if (Request && typeof Request.waitall === 'function') return Request.waitall(requests);
  if (typeof MPI.waitall === 'function') return MPI.waitall(requests);
  if (requests.every((q) => q && typeof q.wait === 'function')) {
    for (const q of requests) q.wait();
    return undefined;
  }
  if (requests.every((q) => q && typeof q.then === 'function')) return Promise.all(requests);
  throw new TypeError(`no way to wait for what comm.isend returns (${Object.prototype.toString.call(requests[0])}): no MPI.Request.waitall, MPI.waitall, wait() or then()`);
}

function bandwidthMode() {
  const isend = typeof comm.isend === 'function';
  const irecv = typeof comm.irecvInto === 'function';
  if (!isend) return { isend, irecv: false, text: 'blocking comm.send x window, comm.recvInto x window, ack (comm.isend is not in this build)' };
  return { isend, irecv, text: `comm.isend x window, ${irecv ? 'comm.irecvInto x window' : 'comm.recvInto x window (comm.irecvInto is not in this build)'}, wait for all, ack (osu_bw)` };
}

async function bandwidth(bytes, iters, skip, window, mode) {
  const s = zeros('uint8', bytes).fill(97);
  const r = zeros('uint8', bytes).fill(98);
  const ack = new Uint8Array(4);
  let t0 = 0;
  for (let i = 0; i < iters + skip; i++) {
    if (i === skip) t0 = MPI.Wtime();
    if (rank === 0) {
      if (mode.isend) {
        const requests = [];
        for (let w = 0; w < window; w++) requests.push(comm.isend(s, 1, 100));
        const done = waitAll(requests);
        if (done) await done;
      } else {
        for (let w = 0; w < window; w++) comm.send(s, 1, 100);
      }
      comm.recvInto(ack, 1, 101);
    } else if (rank === 1) {
      if (mode.irecv) {
        const requests = [];
        for (let w = 0; w < window; w++) requests.push(comm.irecvInto(r, 0, 100));
        const done = waitAll(requests);
        if (done) await done;
      } else {
        for (let w = 0; w < window; w++) comm.recvInto(r, 0, 100);
      }
      comm.send(ack, 0, 101);
    }
  }
  const MBps = (bytes * window * iters) / (MPI.Wtime() - t0) / 1e6;
  if (rank === 1 && r[bytes - 1] !== 97) fail('bandwidth: the message arrived changed');
  return MBps;
}

// ---- collectives

/**
 * How this build's comm.alltoall takes blocks of n float64, found by trying it once (every rank makes the
 * same tries, so a form that throws throws everywhere): one typed array of size blocks (the same back: the
 * buffer path, as mpi4py's Alltoall), else a list of one value per rank (a list back: the object path, as
 * mpi4py's lower-case alltoall). { call } or { reason }.
 */
function alltoallCall(n) {
  if (typeof comm.alltoall !== 'function') return { reason: 'comm.alltoall is not in this build' };
  const expect = (get) => Array.from({ length: size }, (_, j) => get(j) === j * 1000 + rank).every(Boolean);
  const errors = [];
  const flat = zeros('float64', n * size).map((_, k) => rank * 1000 + Math.floor(k / n));
  try {
    const out = comm.alltoall(flat);
    if (ArrayBuffer.isView(out) && out.length === n * size && expect((j) => out[j * n + n - 1])) return { call: () => comm.alltoall(flat), form: 'comm.alltoall(Float64Array of size blocks)' };
    errors.push('one typed array came back wrong');
  } catch (e) {
    errors.push(`one typed array: ${e.message}`);
  }
  const list = Array.from({ length: size }, (_, j) => zeros('float64', n).fill(rank * 1000 + j));
  try {
    const out = comm.alltoall(list);
    if (Array.isArray(out) && out.length === size && expect((j) => out[j][n - 1])) return { call: () => comm.alltoall(list), form: 'comm.alltoall(list of Float64Array)' };
    errors.push('a list of typed arrays came back wrong');
  } catch (e) {
    errors.push(`a list of typed arrays: ${e.message}`);
  }
  return { reason: `comm.alltoall took neither form (${errors.join('; ')})` };
}

/** Per-call time of a collective, each call timed alone with a barrier between, averaged over the ranks. */
function collective(call, check, iters, skip) {
  let timer = 0;
  let out;
  comm.barrier();
  for (let i = 0; i < iters + skip; i++) {
    const t0 = MPI.Wtime();
    out = call();
    const t1 = MPI.Wtime();
    if (i >= skip) timer += t1 - t0;
    comm.barrier();
  }
  if (!check(out)) fail('collective: wrong result');
  const total = comm.reduce((timer * 1e6) / iters, 'sum', 0);
  return rank === 0 ? total / size : null;
}

function allreduce(bytes, iters, skip, allocating) {
  const s = zeros('float64', bytes / 8).fill(1);
  const r = zeros('float64', bytes / 8);
  const call = allocating ? () => comm.allreduce(s, 'sum') : () => comm.allreduceInto(s, r, 'sum');
  return collective(call, (out) => out[out.length - 1] === size, iters, skip);
}

/** alltoallInto into an array made once (as mpi4py's Alltoall); the allocating comm.alltoall(typedArray). */
function alltoallInto(n, allocating) {
  const flat = zeros('float64', n * size).map((_, k) => rank * 1000 + Math.floor(k / n));
  const r = zeros('float64', n * size);
  return allocating ? () => comm.alltoall(flat) : () => comm.alltoallInto(flat, r);
}

// ---- main

async function main() {
  const out = { peer: 'h5mpi', ranks: size };
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const mode = args[i];
    const specs = [];
    while (i + 1 < args.length && /^[0-9]/.test(args[i + 1])) specs.push(args[++i].split(':').map(Number));
    // Every mode's first cell runs once untimed before the cells are measured, as in c_mpi.c: V8 optimises
    // a loop while the first cell runs it, however many iterations that skips.
    if (mode === 'object') {
      if (specs.length !== 1 || size !== 2) fail('object takes one I:S, on 2 ranks');
      const [iters, skip] = specs[0];
      object(iters, skip);
      const { us, bytes } = object(iters, skip);
      out.object = { bytes, iters, us };
      continue;
    }
    if ((mode === 'latency' || mode === 'bandwidth') && size !== 2) fail('latency and bandwidth run on 2 ranks');
    if (!['latency', 'bandwidth', 'allreduce', 'alltoall'].includes(mode)) fail('unknown mode (latency, object, bandwidth, allreduce, alltoall)');
    const bw = mode === 'bandwidth' ? bandwidthMode() : null;
    const cells = [];
    let form = null;
    for (const [k, [bytes, iters, skip, window]] of [specs[0], ...specs].entries()) {
      if (!(bytes >= 8 && bytes % 8 === 0 && iters >= 1)) fail('sizes are multiples of 8 bytes, iterations at least 1');
      let cell;
      if (mode === 'latency') cell = { bytes, iters, us: latency(bytes, iters, skip) };
      else if (mode === 'bandwidth') cell = { bytes, iters, window, MBps: await bandwidth(bytes, iters, skip, window, bw) };
      else if (mode === 'allreduce') {
        cell = { bytes, iters, us: allreduce(bytes, iters, skip, false) };
        if (k > 0) (out.allreduce_alloc ??= []).push({ bytes, iters, us: allreduce(bytes, iters, skip, true) });
      } else if (typeof comm.alltoallInto === 'function') {
        const n = bytes / 8;
        const check = (r) => r[n * size - 1] === (size - 1) * 1000 + rank;
        form = 'comm.alltoallInto(send, recv)';
        cell = { bytes, iters, us: collective(alltoallInto(n, false), check, iters, skip) };
        if (k > 0) (out.alltoall_alloc ??= []).push({ bytes, iters, us: collective(alltoallInto(n, true), check, iters, skip) });
      } else {
        const n = bytes / 8;
        const a = alltoallCall(n);
        form = a.form ?? form;
        const check = (r) => (Array.isArray(r) ? r[size - 1][n - 1] : r[n * size - 1]) === (size - 1) * 1000 + rank;
        cell = a.call ? { bytes, iters, us: collective(a.call, check, iters, skip) } : { bytes, iters, us: null, unavailable: a.reason };
      }
      if (k > 0) cells.push(cell);
    }
    out[mode] = cells;
    if (mode === 'bandwidth') out.bandwidth_mode = bw.text;
    if (mode === 'alltoall') out.alltoall_mode = form ?? 'unavailable';
  }
  if (rank === 0) console.log(JSON.stringify(out));
}

main().catch((e) => fail(e.stack ?? String(e)));
