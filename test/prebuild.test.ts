// `npm run build:prebuild` makes prebuilds/linux-x64/h5mpi.<mpi>.node (h5mpi.openmpi.node, h5mpi.mpich.node),
// named after the MPI it was built with, and its manifest (the MPI, the HDF5, the libraries it needs); the package loads it when there is no
// build/. Done in a copy of the package in a temporary directory, so the working tree's build is untouched.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { launcherMPI, ROOT, mpiEnv, tmpdir } from './helpers/mpirun';

const work = tmpdir('h5mpi-prebuild-');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

test('npm run build:prebuild makes a prebuild, tagged with its MPI, that the package loads', () => {
  for (const entry of ['package.json', 'CMakeLists.txt', 'cmake', 'binding', 'dist', 'scripts']) {
    fs.cpSync(path.join(ROOT, entry), path.join(work, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(work, 'node_modules'));

  const build = spawnSync('npm', ['run', 'build:prebuild'], { cwd: work, encoding: 'utf8', timeout: 540_000 });
  expect({ status: build.status, output: build.status === 0 ? '' : `${build.stdout}\n${build.stderr}` }).toEqual({ status: 0, output: '' });
  const dir = path.join(work, 'prebuilds', 'linux-x64');
  // This machine's MPI, as Debian names its libraries: Open MPI's libmpi.so.40, MPICH's libmpich.so.12, and
  // the parallel HDF5 built for each.
  const { family, name } = launcherMPI();
  const flavour = family === 'openmpi' ? 'openmpi' : 'mpich';
  const node = `h5mpi.${flavour}.node`;
  expect(fs.readdirSync(dir).sort()).toEqual([`h5mpi.${flavour}.json`, node]);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, `h5mpi.${flavour}.json`), 'utf8')) as { flavour: string; mpi: string; hdf5: string; needs: string[] };
  expect(manifest.flavour).toBe(flavour);
  expect(manifest.mpi).toMatch(family === 'openmpi' ? /^Open MPI v\d/ : /^MPICH Version:\s+\d/);
  expect(manifest.mpi).not.toContain('\n');
  expect(name).toBe(family === 'openmpi' ? 'Open MPI' : 'MPICH');
  expect(manifest.hdf5).toMatch(/^1\.\d+\./);
  expect(manifest.needs).toEqual(expect.arrayContaining([family === 'openmpi' ? 'libmpi.so.40' : 'libmpich.so.12']));
  expect(manifest.needs.filter((n) => n.startsWith(`libhdf5_${flavour}.so.`))).toHaveLength(1);
  // prebuildify moves the build out of build/Release: only the prebuild is left to load.
  expect(fs.readdirSync(path.join(work, 'build', 'Release')).filter((f) => f.endsWith('.node'))).toEqual([]);
  // Stripped: no symbol table left (readelf, which the build needs anyway; `file` is not always there).
  const sections = execFileSync('readelf', ['-S', '--wide', path.join(dir, node)], { encoding: 'utf8' });
  expect(sections).toContain('.dynsym');
  expect(sections).not.toContain('.symtab');

  const probe = [
    "const loaded = require('./dist/loader').locateAddon('.').file;",
    "const { MPI, versions } = require('.');",
    'const c = MPI.COMM_WORLD;',
    'console.log(JSON.stringify({ loaded, size: c.size, sum: c.allreduce(new Int32Array([20, 22]), "sum")[1], hdf5: versions.hdf5, mpi: MPI.version() }));',
  ].join('\n');
  const out = execFileSync(process.execPath, ['-e', probe], { cwd: work, encoding: 'utf8', env: mpiEnv(), timeout: 60_000 });
  const { hdf5, mpi, ...seen } = JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
  expect(seen).toEqual({ loaded: path.join(dir, node), size: 1, sum: 22 });
  expect(hdf5).toMatch(/^1\.\d+\.\d+/);
  expect(mpi).toBe(manifest.mpi);
}, 600_000);
