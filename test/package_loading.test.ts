// With H5MPI_EAGER_COMPILE=1, loading the package compiles h5mpi's own functions (lib/eager.ts), so that a
// process's first File.open, get, read and close do not; V8 then goes on compiling everything else lazily,
// as it did before. Without it (the default), V8's flags are left alone and everything compiles lazily.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BUILTINS } from '../lib/eager';
import { mpiEnv, ROOT } from './helpers/mpirun';

// Run with --allow-natives-syntax: bit 7 of %GetOptimizationStatus (V8's kInterpreted) is set once a
// function has bytecode, before its first call too. `later` is compiled from a script that runs after
// the package has loaded, and is never called.
const PROBE = `
const vm = require('node:vm');
const h5 = require(${JSON.stringify(ROOT)});
const { runCollective } = require(${JSON.stringify(path.join(ROOT, 'dist', 'collective'))});
const compiled = (f) => (%GetOptimizationStatus(f) & (1 << 7)) !== 0;
const loadedLater = vm.runInThisContext('function later(x) { return x + 1; } later');
console.log(JSON.stringify({
  'File.open': compiled(h5.File.open),
  'Group.get': compiled(h5.Group.prototype.get),
  'Dataset.readInto': compiled(h5.Dataset.prototype.readInto),
  'File.close': compiled(h5.File.prototype.close),
  runCollective: compiled(runCollective),
  later: compiled(loadedLater),
}));
`;

function probe(nodeFlags: string[], eager = true): Record<string, boolean> {
  const env = mpiEnv({ H5MPI_EAGER_COMPILE: eager ? '1' : undefined });
  const out = execFileSync(process.execPath, ['--allow-natives-syntax', ...nodeFlags, '-e', PROBE], { encoding: 'utf8', env, timeout: 60_000 });
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, boolean>;
}

test('by default nothing is compiled before its first call', () => {
  expect(probe([], false)).toEqual({
    'File.open': false,
    'Group.get': false,
    'Dataset.readInto': false,
    'File.close': false,
    runCollective: false,
    later: false,
  });
});

test("with H5MPI_EAGER_COMPILE=1, h5mpi's functions are compiled as it loads; code loaded afterwards is compiled lazily again", () => {
  expect(probe([])).toEqual({
    'File.open': true,
    'Group.get': true,
    'Dataset.readInto': true,
    'File.close': true,
    runCollective: true,
    later: false,
  });
});

test('under node --no-lazy, loading h5mpi leaves V8 compiling eagerly', () => {
  expect(probe(['--no-lazy']).later).toBe(true);
});

test('the built-ins loaded before the eager window are those that lib/ imports', () => {
  const imported = new Set<string>();
  for (const f of fs.readdirSync(path.join(ROOT, 'lib')).filter((n) => n.endsWith('.ts'))) {
    const source = fs.readFileSync(path.join(ROOT, 'lib', f), 'utf8');
    for (const m of source.matchAll(/from '(node:[a-z0-9_/]+)'/g)) imported.add(m[1]);
  }
  expect([...BUILTINS].sort()).toEqual([...imported].sort());
});
