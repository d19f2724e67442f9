// scripts/install-deps.sh picks the MPI flavour (H5MPI_MPI, else what is installed) and never installs one
// MPI where the other is: run against machines described by stand-ins for dpkg-query, apt-get, sudo and
// mpiexec on PATH, which record what the script would install.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, tmpdir } from './helpers/mpirun';

const SCRIPT = path.join(ROOT, 'scripts', 'install-deps.sh');
const OPENMPI = ['libhdf5-openmpi-dev', 'openmpi-bin', 'libopenmpi-dev'];
const MPICH = ['libhdf5-mpich-dev', 'mpich', 'libmpich-dev'];
const TOOLS = ['hdf5-tools', 'cmake', 'g++', 'pkg-config', 'time'];

/** Runs the script on a machine with `installed` packages; returns its status, output and what it installed. */
function run(installed: string[], env: Record<string, string> = {}, args: string[] = [], mpiexecVersion = ''): { status: number | null; out: string; installs: string[] } {
  const dir = tmpdir('h5mpi-deps-');
  const log = path.join(dir, 'apt.log');
  const stub = (name: string, body: string): void => fs.writeFileSync(path.join(dir, name), `#!/bin/bash\n${body}\n`, { mode: 0o755 });
  stub('dpkg-query', `for p in ${installed.join(' ')}; do [ "$p" = "\${@: -1}" ] && { printf 'install ok installed'; exit 0; }; done; exit 1`);
  stub('apt-get', `[ "$1" = install ] && { shift; echo "$@" >> ${log}; }; exit 0`);
  stub('sudo', '"$@"');
  stub('mpiexec', `printf '%s\\n' ${JSON.stringify(mpiexecVersion)}`);
  const r = spawnSync('bash', [SCRIPT, ...args], { env: { ...process.env, H5MPI_MPI: '', ...env, PATH: `${dir}:${process.env.PATH}` }, encoding: 'utf8' });
  const installs = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split(/\s+/).filter((w) => w && !w.startsWith('-')) : [];
  fs.rmSync(dir, { recursive: true, force: true });
  return { status: r.status, out: r.stdout + r.stderr, installs };
}

test('a machine with MPICH and its HDF5: only what is missing of the MPICH set, no Open MPI', () => {
  const r = run([...MPICH, 'hdf5-tools', 'cmake', 'g++']);
  expect(r).toMatchObject({ status: 0, installs: ['pkg-config', 'time'] });
  expect(r.out).toContain('installing system packages (mpich)');
  // And with the peers: Debian's h5py-mpi and mpi4py are Open MPI builds, so they stay out.
  const peers = run([...MPICH, ...TOOLS], {}, ['--with-peers']);
  expect(peers.status).toBe(0);
  expect(peers.installs).toContain('python3-tables');
  expect(peers.installs.filter((p) => /openmpi|mpi4py|h5py-mpi/.test(p))).toEqual([]);
});

test('only the MPICH runtime installed: its HDF5 flavour', () => {
  expect(run(['mpich', 'libmpich12', ...TOOLS])).toMatchObject({ status: 0, installs: ['libhdf5-mpich-dev', 'libmpich-dev'] });
});

test('a bare machine gets Open MPI, or MPICH with H5MPI_MPI=mpich', () => {
  expect(run([])).toMatchObject({ status: 0, installs: [...OPENMPI, ...TOOLS] });
  expect(run([], { H5MPI_MPI: 'mpich' })).toMatchObject({ status: 0, installs: [...MPICH, ...TOOLS] });
});

test('both HDF5 flavours installed: the one of the default mpiexec', () => {
  const both = [...OPENMPI, ...MPICH];
  expect(run(both, {}, [], 'HYDRA build details:\n    Version: 4.0.2')).toMatchObject({ status: 0, installs: TOOLS });
  expect(run(both, {}, [], 'HYDRA build details:\n    Version: 4.0.2').out).toContain('(mpich)');
  expect(run(both, {}, [], 'mpiexec (OpenRTE) 4.1.4').out).toContain('(openmpi)');
});

test('asked for the MPI this machine does not have while it has the other: refused, nothing installed', () => {
  const r = run([...MPICH, ...TOOLS], { H5MPI_MPI: 'openmpi' });
  expect(r.status).toBe(1);
  expect(r.installs).toEqual([]);
  expect(r.out).toContain('H5MPI_MPI=openmpi, but this machine has mpich installed, and no openmpi');
  const back = run([...OPENMPI, ...TOOLS], { H5MPI_MPI: 'mpich' });
  expect(back).toMatchObject({ status: 1, installs: [] });
  expect(run([], { H5MPI_MPI: 'intel' })).toMatchObject({ status: 2, installs: [] });
});
