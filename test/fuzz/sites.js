// Where libhdf5 dies on each mutant: walks it (walk.js); a crash is walked again under gdb for the backtrace
// at the signal, a hang gets gdb attached after the time limit. Prints the outcome, the innermost HDF5
// frames and h5mpi's binding frame that called them, as corpus.json's `site` wants them. Needs gdb.
//   node test/fuzz/sites.js [--timeout 8] [--lib DIR] id...
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const { mutant } = require('./mutate');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  if (i < 0) return dflt;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const timeoutS = Number(opt('--timeout', 8));
const lib = opt('--lib');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'h5mpi-sites-'));

/** The frames worth naming: HDF5's (innermost first, at most 4) and the first h5mpi:: one. */
function summarize(bt) {
  const frames = bt.split('\n').filter((l) => /^#\d+ /.test(l)).map((line) => {
    const l = line.replace(/\(anonymous namespace\)::/g, '');
    const fn = / in ([\w:~<>.]+) ?\(/.exec(l)?.[1] ?? /^#\d+\s+([\w:~<>.]+) ?\(/.exec(l)?.[1] ?? '??';
    return { fn, lib: /from .*libhdf5/.test(l) ? 'hdf5' : /h5mpi\.node/.test(l) ? 'h5mpi' : /libc|malloc|raise|abort/.test(l) ? 'libc' : 'other' };
  });
  const hdf5 = frames.filter((f) => f.lib === 'hdf5' && f.fn !== '??').slice(0, 4).map((f) => f.fn);
  const own = frames.find((f) => f.lib === 'h5mpi')?.fn.replace(/^h5mpi::/, '');
  return { hdf5, own };
}

const gdb = (extra) => spawnSync('gdb', ['-batch', '-ex', 'handle SIGPIPE nostop noprint', ...extra], { encoding: 'utf8', env, maxBuffer: 64 << 20, timeout: 300_000 });
const env = { ...process.env, ...(lib ? { H5MPI_FUZZ_LIB: lib } : {}) };

/** A crash: the walk again under gdb, stopped at the signal. A hang: gdb attached after the time limit. */
function site(file) {
  const walker = [process.execPath, path.join(__dirname, 'walk.js'), file];
  const child = spawnSync(walker[0], walker.slice(1), { env, timeout: timeoutS * 1000, killSignal: 'SIGKILL', encoding: 'utf8' });
  if (child.error?.code === 'ETIMEDOUT') {
    const bg = spawn(walker[0], walker.slice(1), { env, stdio: 'ignore' });
    spawnSync('sleep', [String(timeoutS)]);
    const out = gdb(['-p', String(bg.pid), '-ex', 'bt 60']);
    bg.kill('SIGKILL');
    return { outcome: 'hang', bt: `${out.stdout}${out.stderr}` };
  }
  if (!child.signal) return { outcome: 'clean' };
  const out = gdb(['-ex', 'run', '-ex', 'bt 60', '--args', ...walker]);
  return { outcome: 'crash', signal: child.signal, bt: `${out.stdout}${out.stderr}` };
}

try {
  for (const id of args) {
    const file = path.join(dir, `${id.replace(':', '_')}.h5`);
    fs.writeFileSync(file, mutant(id).bytes);
    const { outcome, signal, bt } = site(file);
    console.log(JSON.stringify({ id, outcome, ...(signal ? { signal } : {}), ...(bt ? summarize(bt) : {}) }));
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
