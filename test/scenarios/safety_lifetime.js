// Object lifetime: use after close, double close, closing a file while its datasets are in use, and
// ending the process with files still open. Usage: safety_lifetime.js <mode> <file>
//   use:             closed objects throw naming themselves; closing twice does nothing; the data survives
//   exit-open:       writes, then the script just ends with the file open
//   exit-call:       writes, then process.exit(0) with the file open
//   exit-throw:      writes, then an uncaught exception with the file open (serial: still closed at exit)
//   one-rank-throws: every rank writes; the last rank then throws (uncaught) while the others carry on
//   one-rank-exits:  every rank writes; the last rank then calls process.exit(3) while the others carry on
'use strict';
const { File, MPI } = require('../..');
const { report } = require('./report');

const [mode, file] = process.argv.slice(2);
const comm = MPI.COMM_WORLD;
const rank = comm.rank;
const last = comm.size - 1;

function outcome(label, fn) {
  try {
    const value = fn();
    report({ label, threw: false, value: value === undefined ? null : value });
  } catch (e) {
    report({ label, threw: true, name: e.name, message: e.message });
  }
}

/** Each rank writes its row of 'rows' (size x 4, rank * 10 + column). */
function writeRows(f) {
  const d = f.createDataset('rows', { shape: [comm.size, 4], dtype: 'int32' });
  d.write(Int32Array.from({ length: 4 }, (_, c) => rank * 10 + c), { start: [rank, 0], count: [1, 4] }, { collective: f.parallel });
  f.attrs.set('writers', comm.size);
  return d;
}

if (mode === 'use') {
  const f = File.open(file, 'w');
  const d = writeRows(f);
  const e = f.createDataset('e', { shape: [2], dtype: 'float64', data: [1.5, 2.5] });
  const g = f.createGroup('g');
  d.close();
  outcome('readClosedDataset', () => d.read());
  outcome('writeClosedDataset', () => d.write(new Int32Array(4), { start: [0, 0], count: [1, 4] }));
  outcome('attrsOfClosedDataset', () => d.attrs.get('x'));
  outcome('closeDatasetTwice', () => d.close());
  outcome('datasetClosedFlag', () => d.closed);
  outcome('reopenedDataset', () => Array.from(f.get('rows').read()));
  f.close();
  outcome('fileClosedFlags', () => ({ file: f.closed, e: e.closed, g: g.closed }));
  outcome('readAfterFileClose', () => e.read());
  outcome('resizeAfterFileClose', () => e.resize([3]));
  outcome('groupAfterFileClose', () => g.createGroup('h'));
  outcome('createAfterFileClose', () => f.createDataset('z', { shape: [1], dtype: 'int8' }));
  outcome('getAfterFileClose', () => f.get('e'));
  outcome('attrsAfterFileClose', () => f.attrs.get('writers'));
  outcome('flushAfterFileClose', () => f.flush());
  outcome('closeFileTwice', () => f.close());
  outcome('disposeTwice', () => f[Symbol.dispose]());
  // And the file is intact: open it again and read what was written.
  const again = File.open(file, 'r');
  outcome('reopened', () => ({ rows: Array.from(again.get('rows').read()), e: Array.from(again.get('e').read()), writers: again.attrs.get('writers') }));
  again.close();
  report({ label: 'done' });
  return;
}

const f = File.open(file, 'w');
writeRows(f);
report({ label: 'written' });
if (mode === 'exit-call') process.exit(0);
if (mode === 'exit-throw') throw new Error('deliberate failure with the file open');
if (mode === 'one-rank-throws' || mode === 'one-rank-exits') {
  comm.barrier();
  if (rank === last) {
    if (mode === 'one-rank-exits') process.exit(3);
    throw new Error(`deliberate failure on rank ${rank} with the file open`);
  }
  // The others go on to a collective call the failed rank will never make.
  f.createGroup('after');
  report({ label: 'unreachable' });
}
