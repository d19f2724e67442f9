// A collective call that HDF5 fails on some ranks only (test/peers/fail_on_rank.c, preloaded, makes the HDF5
// function named in H5MPI_TEST_FAIL fail where it is set): every rank reports what the call threw, what the
// next call on the file and close() did, and what the file holds when it is opened again.
// Usage: h5_agree.js <file> <case> <failing ranks, comma-separated, or 'all'> [independent: metadata reads not collective]
'use strict';
const { MPI, File } = require('../..');
const { report } = require('./report');

const [file, which, failing, reads] = process.argv.slice(2);
const { rank, size } = MPI.COMM_WORLD;
const failHere = failing === 'all' || failing.split(',').map(Number).includes(rank);

function outcome(label, fn) {
  try {
    report({ label, threw: false, value: fn() });
  } catch (e) {
    report({ label, threw: true, name: e.name, message: e.message, code: e.code, ranks: e.ranks, messages: e.messages });
  }
}

/** Runs fn with HDF5's `symbol` failing on the failing ranks. */
function failOn(symbol, fn) {
  if (failHere) process.env.H5MPI_TEST_FAIL = symbol;
  try {
    return fn();
  } finally {
    delete process.env.H5MPI_TEST_FAIL;
  }
}

const CASES = {
  createGroup: (f) => failOn('H5Gcreate2', () => void f.createGroup('g/new')),
  createDataset: (f) => failOn('H5Dcreate2', () => void f.createDataset('new', { shape: [3], dtype: 'int32' })),
  attrsSetNew: (f) => failOn('H5Acreate2', () => f.attrs.set('new', 5)),
  attrsOverwrite: (f) => failOn('H5Awrite', () => f.attrs.set('a', 2)),
  // The replacement refused at its first step (creating it under a free name): the old value is untouched.
  attrsReplaceRefused: (f) => failOn('H5Acreate2', () => f.attrs.set('a', 2)),
  attrsDelete: (f) => failOn('H5Adelete', () => f.attrs.delete('a')),
  softLink: (f) => failOn('H5Lcreate_soft', () => f.createSoftLink('s', '/base')),
  hardLink: (f) => failOn('H5Lcreate_hard', () => f.createHardLink('h', '/base')),
  deleteLink: (f) => failOn('H5Ldelete', () => f.delete('base')),
};

{
  const f = File.open(file, 'w', { collectiveMetadata: reads !== 'independent' });
  f.attrs.set('a', 1);
  f.createGroup('base');
  f.createDataset('d', { shape: [size], dtype: 'float64' }).collective.write([rank + 0.5], { start: [rank], count: [1] });
  f.flush();
  outcome('call', () => CASES[which](f));
  outcome('next', () => f.createGroup('after').name);
  outcome('close', () => f.close());
}
{
  const f = File.open(file, 'r');
  outcome('keys', () => f.keys());
  outcome('attrs', () => Object.fromEntries(f.attrs.keys().map((k) => [k, f.attrs.get(k)])));
  outcome('d', () => f.get('d').collective.read());
  f.close();
}
// Other files are unaffected.
outcome('other', () => {
  const g = File.open(`${file}.other`, 'w');
  g.createGroup('x');
  g.attrs.set('y', 3);
  g.close();
  const r = File.open(`${file}.other`, 'r');
  const v = [r.keys(), r.attrs.get('y')];
  r.close();
  return v;
});
