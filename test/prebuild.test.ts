// `npm run build:prebuild` makes prebuilds/linux-x64/h5mpi.openmpi.node, named after the MPI it was built
// with, and its manifest (the MPI, the HDF5, the libraries it needs); the package loads it when there is no
// build/. Done in a copy of the package in a temporary directory, so the working tree's build is untouched.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { versions } from '../lib';
import { ROOT, mpiEnv, tmpdir } from './helpers/mpirun';

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
  expect(fs.readdirSync(dir).sort()).toEqual(['h5mpi.openmpi.json', 'h5mpi.openmpi.node']);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'h5mpi.openmpi.json'), 'utf8')) as Record<string, string | string[]>;
  expect(manifest.flavour).toBe('openmpi');
  // The MPI and HDF5 it was built with: this machine's (Open MPI 4 or 5 share libmpi.so.40; HDF5's soname
  // follows its version: .103 for 1.10, .310 for 1.14).
  expect(manifest.mpi).toMatch(/^Open MPI v\d/);
  expect(manifest.hdf5).toBe(versions.hdf5);
  expect(manifest.needs).toEqual(expect.arrayContaining(['libmpi.so.40']));
  expect((manifest.needs as string[]).filter((n) => /^libhdf5_openmpi\.so\.\d+$/.test(n))).toHaveLength(1);
  // prebuildify moves the build out of build/Release: only the prebuild is left to load.
  expect(fs.readdirSync(path.join(work, 'build', 'Release')).filter((f) => f.endsWith('.node'))).toEqual([]);
  const strip = execFileSync('file', [path.join(dir, 'h5mpi.openmpi.node')], { encoding: 'utf8' });
  expect(strip).toContain('stripped');
  expect(strip).not.toContain('not stripped');

  const probe = [
    "const loaded = require('./dist/loader').locateAddon('.').file;",
    "const { MPI, versions } = require('.');",
    'const c = MPI.COMM_WORLD;',
    'console.log(JSON.stringify({ loaded, size: c.size, sum: c.allreduce(new Int32Array([20, 22]), "sum")[1], hdf5: versions.hdf5, mpi: MPI.version() }));',
  ].join('\n');
  const out = execFileSync(process.execPath, ['-e', probe], { cwd: work, encoding: 'utf8', env: mpiEnv(), timeout: 60_000 });
  const { hdf5, mpi, ...seen } = JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
  expect(seen).toEqual({ loaded: path.join(dir, 'h5mpi.openmpi.node'), size: 1, sum: 22 });
  expect(hdf5).toMatch(/^1\.\d+\.\d+/);
  expect(mpi).toMatch(/^Open MPI v/);
}, 600_000);
