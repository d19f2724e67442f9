#!/usr/bin/env node
// npm install (and npm rebuild h5mpi) run this. Install: an addon that loads here (a build, or a prebuild
// made for this machine's MPI, see lib/loader.ts) is kept; otherwise it is built with cmake-js against the
// system's MPI and parallel HDF5. Rebuild: built again from a clean configure, so that another MPI or HDF5
// loaded since (module load) is the one found. When the build fails, says what it needs.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const rebuild = process.env.npm_command === 'rebuild';

if (!rebuild) {
  try {
    // dist/ is there in an installed package; a checkout compiles it after this (npm's prepare).
    require(path.join(root, 'dist', 'loader.js')).loadAddon(root);
    process.exit(0);
  } catch {
    // no addon that fits: build one
  }
}
const cmakeJs = path.join(path.dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js');
const r = spawnSync(process.execPath, [cmakeJs, rebuild ? 'rebuild' : 'compile'], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) {
  process.stderr.write(
    '\nh5mpi: building the native addon failed (above: what CMake or the compiler said). It needs cmake, a C++17 ' +
      'compiler, an MPI and a parallel HDF5 built with it.\n' +
      `  Debian or Ubuntu: bash ${path.join(root, 'scripts', 'install-deps.sh')}\n` +
      '    (installs a parallel HDF5 and its MPI: the flavour already installed, else Open MPI; H5MPI_MPI=mpich for MPICH)\n' +
      '  A cluster: module load an MPI and a parallel HDF5 (HDF5_ROOT=<its prefix> if CMake does not find it)\n' +
      'then: npm rebuild h5mpi\n',
  );
  process.exit(r.status ?? 1);
}
