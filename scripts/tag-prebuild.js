#!/usr/bin/env node
// The second half of `npm run build:prebuild`: prebuildify leaves prebuilds/<platform>-<arch>/h5mpi.node;
// this names it after the MPI it was built with (h5mpi.openmpi.node, h5mpi.mpich.node, ...) and writes its
// manifest next to it (h5mpi.<mpi>.json: the MPI, the HDF5, the shared libraries it needs), from which
// lib/loader.ts refuses a prebuild made for an MPI this machine does not have. One package can carry one
// prebuild per MPI family.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { identifyMPI } = require('../dist/mpiimpl');

const dir = path.join(__dirname, '..', 'prebuilds', `${process.platform}-${process.arch}`);
const built = path.join(dir, 'h5mpi.node');
if (!fs.existsSync(built)) {
  process.stderr.write(`tag-prebuild: no ${built}: run prebuildify first (npm run build:prebuild)\n`);
  process.exit(1);
}

// What it was built with, asked of the addon itself (neither call starts MPI).
const probe = `const n = require(${JSON.stringify(built)}); console.log(JSON.stringify({ mpi: n.mpiVersion().library, hdf5: n.hdf5Version() }));`;
const { mpi, hdf5 } = JSON.parse(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8' }).trim().split('\n').pop());
// Named after the implementation (lib/mpiimpl.ts): openmpi, mpich, intelmpi, mvapich, craympich, ... Those
// of the MPICH family share an ABI but not their libraries' names (libmpich.so.12, libmpi.so.12, ...).
const impl = identifyMPI(mpi);
const flavour = impl.family === 'unknown' ? 'mpi' : impl.name.toLowerCase().replace(/[^a-z]/g, '');

// The libraries it needs, as the dynamic loader will look for them.
const dynamic = execFileSync('readelf', ['-d', '--wide', built], { encoding: 'utf8' });
const needs = [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
const runpath = [...dynamic.matchAll(/\((?:RUNPATH|RPATH)\)\s+Library r(?:un)?path: \[([^\]]+)\]/g)].flatMap((m) => m[1].split(':'));

const name = `h5mpi.${flavour}`;
fs.renameSync(built, path.join(dir, `${name}.node`));
const manifest = { mpi: mpi.split('\n')[0].trim(), flavour, hdf5, needs, runpath };
fs.writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(manifest, null, 2)}\n`);
process.stdout.write(`tag-prebuild: ${path.relative(process.cwd(), path.join(dir, `${name}.node`))} (${manifest.mpi}, HDF5 ${hdf5}; needs ${needs.join(', ')})\n`);
