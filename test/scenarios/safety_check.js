// Collective-call checking and all-or-none, on one file: every kind of argument that can differ between
// ranks (path, shape, dtype, layout, fill, initial data, attribute value, new shape, the file, the mode,
// the settings, the operation itself), and input that fails on the last rank only (transfers and metadata
// operations). After each, the file must still work on every rank.
// Usage: safety_check.js <dir> checked | unchecked [--option] | forced
//   checked: everything above;  unchecked: checking off (by H5MPI_CHECK_COLLECTIVE=0 from the test, or
//   with --option by checkCollective: false), where a differing attribute value goes through unnoticed;
//   forced: H5MPI_CHECK_COLLECTIVE=0 but checkCollective: true on the file, which wins.
'use strict';
const path = require('node:path');
const { File, MPI } = require('../..');
const { report } = require('./report');

const [dir, mode, flag] = process.argv.slice(2);
const comm = MPI.COMM_WORLD;
const rank = comm.rank;
const last = comm.size - 1;
const culprit = rank === last;

function outcome(label, fn) {
  try {
    const value = fn();
    report({ label, threw: false, value: value === undefined ? null : value });
  } catch (e) {
    report({ label, threw: true, name: e.name, message: e.message, ranks: e.ranks, calls: e.calls, messages: e.messages });
  }
}

if (mode !== 'checked') {
  const options = mode === 'forced' ? { checkCollective: true } : flag === '--option' ? { checkCollective: false } : {};
  const f = File.open(path.join(dir, 'switch.h5'), 'w', options);
  report({ label: 'setting', checkCollective: f.checkCollective });
  // HDF5 itself does not notice this one: with checking off it silently stores one rank's value.
  outcome('attrDiffers', () => f.attrs.set('a', culprit ? 2 : 1));
  outcome('attrAfter', () => f.attrs.get('a'));
  f.close();
  report({ label: 'closed' });
  return;
}

const file = path.join(dir, 'check.h5');
const f = File.open(file, 'w');
const s1 = f.createDataset('s1', { shape: [comm.size], dtype: 'int32' });
const s2 = f.createDataset('s2', { shape: [comm.size], dtype: 'int32' });
const grow = f.createDataset('grow', { shape: [4], dtype: 'float64', maxshape: [Infinity] });
f.createGroup('da');
f.createGroup('db');
const long = (k) => Float64Array.from({ length: 1000 }, (_, i) => (i === 500 ? k : i));

// ---- the ranks ask for different things: every rank throws CollectiveMismatchError ----
outcome('createPaths', () => f.createDataset(`x${rank}`, { shape: [4], dtype: 'float64' }).name);
outcome('createShape', () => f.createDataset('cs', { shape: [culprit ? 5 : 4], dtype: 'float64' }).name);
outcome('createDtype', () => f.createDataset('cd', { shape: [4], dtype: culprit ? 'float32' : 'float64' }).name);
outcome('createChunks', () => f.createDataset('cc', { shape: [4], dtype: 'float64', chunks: [culprit ? 1 : 2] }).name);
outcome('createFill', () => f.createDataset('cf', { shape: [4], dtype: 'float64', fillValue: culprit ? -0 : 0 }).name);
outcome('createData', () => f.createDataset('cdata', { shape: [1000], dtype: 'float64', data: long(culprit ? -1 : 500) }).name);
outcome('group', () => f.createGroup(`g${rank}`).name);
outcome('attrValue', () => f.attrs.set('a', culprit ? 2 : 1));
outcome('attrLongArray', () => f.attrs.set('long', long(culprit ? -1 : 500)));
outcome('resize', () => grow.resize([culprit ? 6 : 5]));
outcome('delete', () => f.delete(culprit ? 'db' : 'da'));
outcome('metadataRead', () => f.get(culprit ? 's2' : 's1').name);
outcome('differentOps', () => (culprit ? f.flush() : f.createGroup('h').name));
outcome('writeOtherDataset', () => (culprit ? s2 : s1).collective.write([rank], { start: [rank], count: [1] }));
outcome('openName', () => File.open(path.join(dir, culprit ? 'other-b.h5' : 'other-a.h5'), 'w').close());
outcome('openMode', () => File.open(path.join(dir, 'other.h5'), culprit ? 'a' : 'w').close());
outcome('openSetting', () => File.open(path.join(dir, 'other.h5'), 'w', { checkCollective: !culprit }).close());
// Two files on the same communicator, the last rank working on the other one.
const fa = File.open(path.join(dir, 'a.h5'), 'w');
const fb = File.open(path.join(dir, 'b.h5'), 'w');
outcome('twoFiles', () => (culprit ? fb : fa).createGroup('q').name);
fa.close();
fb.close();
// Nothing of the above reached the file: the same members as before it.
outcome('membersAfterMismatches', () => f.keys());

// ---- input that fails on the last rank only: it throws its error, the others PeerFailedError ----
outcome('writeLength', () => s1.collective.write(culprit ? [rank, rank] : [rank], { start: [rank], count: [1] }));
outcome('readSelection', () => s1.collective.read({ start: [culprit ? comm.size : rank], count: [1] }));
outcome('createBadDtype', () => f.createDataset('bad', { shape: [2], dtype: culprit ? 'float128' : 'float64' }).name);
outcome('attrBadValue', () => f.attrs.set('b', culprit ? { not: 'storable' } : 1));
outcome('groupBadPath', () => f.createGroup(culprit ? 'a/../b' : 'ab').name);
outcome('resizeTooFewDims', () => grow.resize(culprit ? [5, 1] : [5]));
outcome('membersAfterFailures', () => f.keys());

// ---- and the file works on every rank: a collective write, read back by every rank ----
outcome('after', () => {
  s1.collective.write([rank * 10], { start: [rank], count: [1] });
  f.attrs.set('done', comm.size);
  return Array.from(s1.collective.read());
});
f.close();
report({ label: 'closed' });
