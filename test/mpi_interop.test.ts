// h5mpi and C in one MPMD job (mpiexec -n 1 node ... : -n 1 ./c_interop): a typed array is one plain MPI
// message of its datatype, so a C rank's MPI_Send of doubles arrives with recvInto and h5mpi's send
// arrives with MPI_Recv, counted in its own elements.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { majorVersion } from '../lib/mpiimpl';
import { launcherMPI, mpiEnv, ROOT, tmpdir } from './helpers/mpirun';

test('typed arrays cross between h5mpi and a C rank both ways', () => {
  const dir = tmpdir('h5mpi-interop-');
  try {
    const exe = path.join(dir, 'c_interop');
    execFileSync('mpicc', ['-O2', '-o', exe, path.join(ROOT, 'test', 'peers', 'c_interop.c')]);
    const scenario = path.join(ROOT, 'test', 'scenarios', 'mpi_interop.js');
    // Open MPI 5.0.7's mpiexec crashes (SIGSEGV) on any command line of several programs, `a : b` or --app;
    // PRRTE's prterun, which it wraps, runs them.
    const launcher = launcherMPI();
    const mpiexec = launcher.family === 'openmpi' && majorVersion(launcher) >= 5 ? 'prterun' : 'mpiexec';
    const r = spawnSync(mpiexec, ['-n', '1', process.execPath, scenario, ':', '-n', '1', exe], { env: mpiEnv({ H5MPI_REPORT_DIR: dir }), encoding: 'utf8', timeout: 60_000 });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    const line = fs.readFileSync(path.join(dir, 'rank-0.jsonl'), 'utf8').trim();
    expect(JSON.parse(line.replace(/^@@h5mpi /, ''))).toEqual({
      rank: 0,
      label: 'interop',
      fromC: { doubles: [0.5, -1.25, 3e300, 0, 42], count: 5, bytes: 40 },
      ints: [-7, 0, 2147483647],
      doubled: [3, -4, 2e-300],
      countSeenByC: 2,
      raw: { type: 'Buffer', values: [1, 2, 254, 255] },
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
