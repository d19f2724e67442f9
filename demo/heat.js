#!/usr/bin/env node
// The MPI toolkit of a real simulation: 2-D heat diffusion with an explicit 5-point stencil on a global
// nx x ny float64 grid, decomposed over a 2-D Cartesian grid of ranks (MPI.computeDims, createCart), one
// ghost layer exchanged with non-blocking requests while the interior is updated, collective checkpoints
// into one HDF5 file, and a restart from the last checkpoint at any rank count. The arithmetic of a cell
// does not depend on the decomposition, so the field is bit-identical at any rank count and after any
// restart; the --json line carries a bit-level digest for checking that cheaply.
'use strict';
const path = require('node:path');
const common = require('./common');

const USAGE = `usage: mpiexec -n NPROCS node demo/heat.js --out FILE [--nx N] [--ny N] [--steps N] [--every N]
                                             [--alpha A] [--restart FILE] [--no-overlap] [--json]

Solves u_new = u + alpha * (sum of the 4 neighbours - 4u) on an nx x ny float64 grid, zero beyond its edges
(Dirichlet), from a hot disc and a warm bar. The ranks form a 2-D Cartesian grid (MPI.computeDims); each
owns a block with one ghost layer, exchanged with its neighbours every step by non-blocking requests while
it updates the cells that need no ghost. Every N steps all ranks write the field collectively into FILE as
/checkpoints/step_NNNNNN (each rank its own block, a hyperslab), and /final at the end.

  --out FILE      the HDF5 file to write (created, or with --restart of the same file, continued)
  --nx N          rows of the grid (default 128)
  --ny N          columns of the grid (default 96)
  --steps N       the total number of steps, counted from step 0 (default 200)
  --every N       a checkpoint every N steps (default 50)
  --alpha A       the diffusion number D dt / h^2, in (0, 0.25] for stability (default 0.1)
  --restart FILE  continue from the last checkpoint of FILE (written by heat.js with any number of ranks)
                  to step --steps; nx, ny and alpha come from the file
  --no-overlap    wait for the halo before updating any cell (the same result, for comparing the times)
  --json          end with one JSON line: ranks, dims, nx, ny, steps, the times (compute_s, halo_s,
                  wait_s, checkpoint_s, restart_s, total_s: max over ranks), sum and digest of the field
  --help          this text
`;

const args = common.parseArgs({
  name: 'heat.js',
  usage: USAGE,
  positional: [],
  options: [
    { name: 'nx', kind: 'count', default: 128 },
    { name: 'ny', kind: 'count', default: 96 },
    { name: 'steps', kind: 'count', default: 200, min: 0 },
    { name: 'every', kind: 'count', default: 50 },
    { name: 'alpha', kind: 'number', default: 0.1 },
    { name: 'out', kind: 'path', default: undefined },
    { name: 'restart', kind: 'path', default: undefined },
  ],
  flags: ['no-overlap', 'json'],
});

const { MPI, File, Dataset, Group } = common.h5mpi('heat.js');

// Tags of the four halo messages, named by the way they travel.
const TAG_DOWN = 1; // a block's last row, to the rank below (x + 1): that rank's top ghost row
const TAG_UP = 2; // its first row, to the rank above (x - 1): that rank's bottom ghost row
const TAG_RIGHT = 3; // its last column, to the rank on the right (y + 1): that rank's left ghost column
const TAG_LEFT = 4; // its first column, to the rank on the left (y - 1): that rank's right ghost column

/** The name of the checkpoint of `step`: zero-padded to six digits, so that names sort by step up to there. */
function checkpointName(step) {
  return `checkpoints/step_${String(step).padStart(6, '0')}`;
}

/**
 * The initial field, a function of the global cell (i, j) alone: 100 in a disc of radius min(nx, ny) / 5
 * around (nx / 3, ny / 2), 40 in a bar along the bottom-right, 0 elsewhere.
 */
function initial(i, j, nx, ny) {
  const di = i - nx / 3, dj = j - ny / 2, r = Math.min(nx, ny) / 5;
  if (di * di + dj * dj <= r * r) return 100;
  if (i >= Math.floor((3 * nx) / 4) && i < Math.floor((7 * nx) / 8) && j >= Math.floor(ny / 2)) return 40;
  return 0;
}

/** Checks the command line that needs no file and no MPI; returns the run's settings. */
function settings() {
  const { nx, ny, steps, every, alpha, out, restart } = args;
  if (out === undefined) throw new common.UsageError('--out is required: the HDF5 file the checkpoints go to');
  if (!(alpha > 0 && alpha <= 0.25)) throw new common.UsageError(`--alpha must be in (0, 0.25] for the explicit scheme to be stable, got ${alpha}`);
  common.checkWritablePath('--out', out);
  if (restart !== undefined) {
    common.checkReadablePath('--restart', restart);
    for (const k of ['nx', 'ny', 'alpha']) {
      if (args.given.has(k)) throw new common.UsageError(`--${k} cannot be given with --restart: it comes from the checkpoint`);
    }
  }
  return { nx, ny, steps, every, alpha, out, restart };
}

/**
 * The last checkpoint of an open file (the one with the largest step): its dataset and step, and nx, ny and
 * alpha from its attributes. Anything that is not heat.js's layout is a DemoError naming the file.
 */
function lastCheckpoint(f, file) {
  if (!f.has('checkpoints') || !(f.get('checkpoints') instanceof Group)) {
    throw new common.DemoError(`'${file}' has no group /checkpoints: it was not written by heat.js, or its run ended before the first checkpoint`);
  }
  const steps = f.get('checkpoints').keys().flatMap((k) => {
    const m = /^step_([0-9]+)$/.exec(k);
    return m ? [Number(m[1])] : [];
  });
  if (steps.length === 0) throw new common.DemoError(`'${file}': /checkpoints holds no checkpoint (step_NNNNNN)`);
  const step = Math.max(...steps);
  const name = checkpointName(step);
  const d = f.get(name);
  if (!(d instanceof Dataset) || d.ndim !== 2 || d.dtype !== 'float64') {
    throw new common.DemoError(`'${file}': /${name} is not a 2-D float64 dataset`);
  }
  let alpha, stored;
  try {
    alpha = d.attrs.get('alpha');
    stored = Number(d.attrs.get('step'));
  } catch (e) {
    if (e.name === 'PeerFailedError') throw e;
    throw new common.DemoError(`'${file}': /${name}: ${e.message.split('\n')[0]}`);
  }
  if (stored !== step) throw new common.DemoError(`'${file}': /${name} says it holds step ${stored}`);
  if (!(typeof alpha === 'number' && alpha > 0 && alpha <= 0.25)) throw new common.DemoError(`'${file}': /${name} has alpha ${alpha}, outside (0, 0.25]`);
  return { d, name, step, nx: d.shape[0], ny: d.shape[1], alpha };
}

/**
 * Sums the float64 bit patterns of `a` as unsigned 64-bit integers, modulo 2^64: a digest that any
 * decomposition gives alike (addition modulo 2^64 is associative) and that changes with any bit of any
 * value. Adds the 32-bit halves as doubles (exact below 2^53), carrying every 2^20 values.
 */
function bitSum(a) {
  const w = new Uint32Array(a.buffer, a.byteOffset, a.length * 2);
  let lo = 0, hi = 0;
  for (let k = 0; k < w.length; k += 2) {
    lo += w[k];
    hi += w[k + 1];
    if ((k & 0x1fffff) === 0x1ffffe) {
      hi = (hi + Math.floor(lo / 2 ** 32)) % 2 ** 32;
      lo %= 2 ** 32;
    }
  }
  hi = (hi + Math.floor(lo / 2 ** 32)) % 2 ** 32;
  lo %= 2 ** 32;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

common.run('heat.js', () => {
  const cfg = settings();
  const world = MPI.COMM_WORLD;
  const { size } = world;
  const fileOptions = common.fileOptions(MPI);
  const tStart = MPI.Wtime();

  // ---- the restart's metadata (nx, ny, alpha, step) before the decomposition, which depends on them ----
  let f; // the output file
  let from; // the checkpoint restarted from
  const sameFile = cfg.restart !== undefined && path.resolve(cfg.restart) === path.resolve(cfg.out);
  if (cfg.restart !== undefined) {
    let rf;
    try {
      rf = File.open(cfg.restart, sameFile ? 'a' : 'r', fileOptions);
    } catch (e) {
      if (e.name === 'PeerFailedError') throw e;
      throw new common.DemoError(`--restart: ${e.message.split('\n')[0]}`);
    }
    from = { file: rf, ...lastCheckpoint(rf, cfg.restart) };
    Object.assign(cfg, { nx: from.nx, ny: from.ny, alpha: from.alpha });
    if (cfg.steps < from.step) {
      throw new common.UsageError(`--steps ${cfg.steps} is before the last checkpoint of '${cfg.restart}', step ${from.step}`);
    }
  }
  const { nx, ny, alpha, steps, every } = cfg;

  // ---- the decomposition: a 2-D grid of ranks, each a block of rows x cols cells ----
  const dims = MPI.computeDims(size, 2);
  if (nx < dims[0] || ny < dims[1]) {
    throw new common.UsageError(`a ${nx} x ${ny} grid is too small for ${size} ranks: they form a ${dims[0]} x ${dims[1]} grid, and each needs at least one row and one column`);
  }
  const cart = world.createCart(dims, [false, false]);
  const [cx, cy] = cart.coords;
  const [r0, r1] = common.blockOf(nx, cx, dims[0]);
  const [c0, c1] = common.blockOf(ny, cy, dims[1]);
  const rows = r1 - r0, cols = c1 - c0;
  const W = cols + 2; // a row of the local array: a ghost cell, cols cells, a ghost cell
  // Two fields with a ghost layer all round, swapped every step. A ghost past the global edge is never
  // written, so it stays 0: the Dirichlet boundary.
  let u = new Float64Array((rows + 2) * W);
  let v = new Float64Array((rows + 2) * W);
  const block = new Float64Array(rows * cols); // this rank's cells without ghosts, as the file holds them

  const unpackBlock = () => {
    for (let i = 0; i < rows; i++) u.set(block.subarray(i * cols, (i + 1) * cols), (i + 1) * W + 1);
  };
  const packBlock = () => {
    for (let i = 0; i < rows; i++) block.set(u.subarray((i + 1) * W + 1, (i + 1) * W + 1 + cols), i * cols);
    return block;
  };
  const mine = { start: [r0, c0], count: [rows, cols] };

  let restartSeconds = 0;
  let first = 0;
  if (from) {
    world.barrier();
    const t0 = MPI.Wtime();
    from.d.readInto(block, mine, { collective: true });
    restartSeconds = MPI.Wtime() - t0;
    unpackBlock();
    first = from.step;
    if (sameFile) {
      f = from.file;
    } else {
      from.file.close();
    }
  } else {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) u[(i + 1) * W + j + 1] = initial(r0 + i, c0 + j, nx, ny);
    }
  }
  if (!f) {
    f = File.open(cfg.out, 'w', fileOptions);
    f.attrs.set('nx', BigInt(nx));
    f.attrs.set('ny', BigInt(ny));
    f.attrs.set('alpha', alpha);
    f.attrs.set('scheme', 'u_new = u + alpha * ((((north + south) + west) + east) - 4 u), zero beyond the edges');
  }

  // ---- checkpoints: one dataset per checkpoint, each rank writing its block, collectively ----
  let checkpointSeconds = 0;
  const written = [];
  const writeField = (name, step) => {
    const t0 = MPI.Wtime();
    let d = f.has(name) ? f.get(name) : undefined;
    if (d && !(d instanceof Dataset && d.dtype === 'float64' && d.shape[0] === nx && d.shape[1] === ny)) {
      f.delete(name);
      d = undefined;
    }
    d ??= f.createDataset(name, { shape: [nx, ny], dtype: 'float64' });
    d.write(packBlock(), mine, { collective: true });
    d.attrs.set('step', BigInt(step));
    d.attrs.set('time', step * alpha); // in units of h^2 / D
    d.attrs.set('alpha', alpha);
    d.attrs.set('nx', BigInt(nx));
    d.attrs.set('ny', BigInt(ny));
    d.attrs.set('dims', Int32Array.from(dims));
    d.attrs.set('ranks', BigInt(size));
    f.flush(); // on disk now: a run killed later still leaves a file to restart from
    checkpointSeconds += MPI.Wtime() - t0;
  };
  if (from) {
    f.attrs.set('restarted_from', `${cfg.restart} /${from.name}`);
    // A new file starts with the checkpoint it continues from, so that it can be restarted from in turn.
    if (!sameFile) {
      writeField(from.name, from.step);
      written.push(from.step);
    }
  }

  // ---- the halo exchange: neighbours from the Cartesian grid, PROC_NULL past an edge ----
  const { source: above, dest: below } = cart.shift(0, 1);
  const { source: leftOf, dest: rightOf } = cart.shift(1, 1);
  const sendLeft = new Float64Array(rows), sendRight = new Float64Array(rows);
  const recvLeft = new Float64Array(rows), recvRight = new Float64Array(rows);
  // Rows are contiguous: the receives go straight into the ghost rows, the sends straight from the edge
  // rows. These views of both fields are made once.
  const rowOf = (a, i) => a.subarray(i * W + 1, i * W + 1 + cols);
  const views = new Map([u, v].map((a) => [a, { top: rowOf(a, 0), first: rowOf(a, 1), last: rowOf(a, rows), bottom: rowOf(a, rows + 1) }]));

  /** Starts the exchange of u's edges; returns the requests. The sends read u, which no one writes until they are done. */
  const startHalo = () => {
    const r = views.get(u);
    const reqs = [
      cart.irecvInto(r.top, above, TAG_DOWN),
      cart.irecvInto(r.bottom, below, TAG_UP),
      cart.irecvInto(recvLeft, leftOf, TAG_RIGHT),
      cart.irecvInto(recvRight, rightOf, TAG_LEFT),
    ];
    // Columns are strided: packed into contiguous buffers (untouched until the sends are done).
    for (let i = 0; i < rows; i++) {
      sendLeft[i] = u[(i + 1) * W + 1];
      sendRight[i] = u[(i + 1) * W + cols];
    }
    reqs.push(cart.isend(r.last, below, TAG_DOWN), cart.isend(r.first, above, TAG_UP), cart.isend(sendRight, rightOf, TAG_RIGHT), cart.isend(sendLeft, leftOf, TAG_LEFT));
    return reqs;
  };
  const finishHalo = (reqs) => {
    MPI.waitall(reqs);
    if (leftOf !== MPI.PROC_NULL) for (let i = 0; i < rows; i++) u[(i + 1) * W] = recvLeft[i];
    if (rightOf !== MPI.PROC_NULL) for (let i = 0; i < rows; i++) u[(i + 1) * W + cols + 1] = recvRight[i];
  };

  /**
   * Updates cells (i, j) for i in [i0, i1], j in [j0, j1] (local indices, 1-based) from u into v. The one
   * expression every cell is computed with, whoever owns it: the same operations in the same order, so
   * the same bits at any rank count.
   */
  const update = (i0, i1, j0, j1) => {
    for (let i = i0; i <= i1; i++) {
      for (let k = i * W + j0, end = i * W + j1; k <= end; k++) {
        const c = u[k];
        v[k] = c + alpha * ((((u[k - W] + u[k + W]) + u[k - 1]) + u[k + 1]) - 4 * c);
      }
    }
  };
  // Open MPI moves a message above its eager limit (in shared memory 4 KiB with its header: a row of about
  // 500 float64) only inside MPI calls, so the interior is updated in bands of about 64 Ki cells with an
  // MPI.testall between them, which lets the transfers advance while this rank computes.
  const band = Math.max(1, Math.ceil(65536 / cols));
  const updateInterior = (reqs) => {
    let done = false;
    for (let i = 2; i <= rows - 1; i += band) {
      update(i, Math.min(i + band - 1, rows - 1), 2, cols - 1);
      if (!done) done = MPI.testall(reqs)[0];
    }
  };
  /** The cells next to a ghost: the first and last rows, then the first and last columns between them. */
  const updateBorder = () => {
    update(1, 1, 1, cols);
    if (rows > 1) update(rows, rows, 1, cols);
    if (rows > 2) {
      update(2, rows - 1, 1, 1);
      if (cols > 1) update(2, rows - 1, cols, cols);
    }
  };

  const overlap = !args.flags['no-overlap'];
  let computeSeconds = 0, haloSeconds = 0, waitSeconds = 0;
  world.barrier();
  const tLoop = MPI.Wtime();
  for (let step = first + 1; step <= steps; step++) {
    const t0 = MPI.Wtime();
    const reqs = startHalo();
    const t1 = MPI.Wtime();
    let t2 = t1;
    if (overlap) {
      updateInterior(reqs); // needs no ghost: computed while the messages travel
      t2 = MPI.Wtime();
    }
    finishHalo(reqs);
    const t3 = MPI.Wtime();
    if (overlap) updateBorder();
    else update(1, rows, 1, cols);
    const t4 = MPI.Wtime();
    [u, v] = [v, u];
    computeSeconds += t2 - t1 + (t4 - t3);
    haloSeconds += t1 - t0 + (t3 - t2);
    waitSeconds += t3 - t2;
    if (step % every === 0) {
      writeField(checkpointName(step), step);
      written.push(step);
    }
  }
  const loopSeconds = MPI.Wtime() - tLoop;
  writeField('final', steps);
  f.close();
  const totalSeconds = MPI.Wtime() - tStart;

  // ---- checks of the result: a float64 sum (rounding depends on the ranks) and an exact bit digest ----
  const field = packBlock();
  let local = 0;
  for (let k = 0; k < field.length; k++) local += field[k];
  const sum = world.allreduce(local, 'sum');
  const digest = world.allreduce(new BigUint64Array([bitSum(field)]), 'sum')[0]; // wraps modulo 2^64
  const digestHex = `0x${digest.toString(16).padStart(16, '0')}`;
  const t = common.maxOverRanks(world, {
    compute_s: computeSeconds,
    halo_s: haloSeconds,
    wait_s: waitSeconds,
    checkpoint_s: checkpointSeconds,
    restart_s: restartSeconds,
    loop_s: loopSeconds,
    total_s: totalSeconds,
  });
  if (world.rank !== 0) return;

  const ran = steps - first;
  const span = ran > 0 ? `ran steps ${first + 1}-${steps}` : 'no step left to run';
  const how = from ? `restarted from ${cfg.restart} at step ${first}, ${span}` : span;
  console.log(`heat.js: ${size} rank${size > 1 ? 's' : ''} as a ${dims[0]} x ${dims[1]} grid, ${nx} x ${ny} float64, alpha ${alpha}: ${how}`);
  console.log(`  ${ran} steps in ${common.secs(t.loop_s)}: compute ${common.secs(t.compute_s)}, halo ${common.secs(t.halo_s)} (of it waiting ${common.secs(t.wait_s)}${overlap ? ', overlapped with the interior' : ', no overlap'}), checkpoints ${common.secs(t.checkpoint_s)}`);
  console.log(`  ${cfg.out}: ${written.length > 0 ? `checkpoints of step ${written.join(', ')}` : 'no new checkpoint'}, and /final (step ${steps})`);
  console.log(`  final field: sum ${sum}, digest ${digestHex}`);
  if (args.flags.json) {
    common.printJson({
      demo: 'heat', ranks: size, dims, nx, ny, alpha, steps, start_step: first, every, overlap, ...t,
      checkpoints: written, sum, digest: digestHex, file: cfg.out, restart: cfg.restart ?? null,
    });
  }
});
