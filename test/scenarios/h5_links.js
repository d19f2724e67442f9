// Links and the tree in a parallel job (test/h5_links.test.ts checks the reports and the files): every rank
// makes links of each kind, writes and reads through an external link (the other file opened with MPI-IO on
// the same communicator), moves, copies within and across files, deletes a dangling link and reuses its
// name, requires datasets, tracks creation order and walks the tree; then reads an h5py-made file through
// its external link.
// Usage: h5_links.js <dir> <collectiveMetadata 1|0> [h5py file with links]
'use strict';
const { MPI, File } = require('../..');
const { report, attempt } = require('./report');

const [dir, cmArg, pyFile] = process.argv.slice(2);
const opts = { collectiveMetadata: cmArg === '1' };
const { rank, size } = MPI.COMM_WORLD;
const range = (k) => Array.from({ length: k }, (_, i) => i);

const o = File.open(`${dir}/other.h5`, 'w', opts);
o.createDataset('x', { shape: [2 * size], dtype: 'float64', fillValue: -1 });
o.createDataset('g/y', { shape: [3], dtype: 'int32', data: [7, 8, 9] });
o.close();

const f = File.open(`${dir}/main.h5`, 'w', { ...opts, trackOrder: true });
f.createDataset('data/run/v', { shape: [size], dtype: 'int32', data: range(size) }).attrs.set('units', 'K');
f.createDataset('data/run/sub/w', { shape: [2], dtype: 'int32', data: [4, 5] });
f.createSoftLink('soft', '/data/run/v');
f.createSoftLink('data/rel', 'run');
f.createSoftLink('dangling', '/nowhere');
f.createHardLink('hard', 'data/run/v');
f.createExternalLink('ext', 'other.h5', '/x');
f.createExternalLink('extg', 'other.h5', '/g');
f.createExternalLink('missing', 'nofile.h5', '/x');

// Each rank writes its two elements through the external link, collectively: MPI-IO in the other file.
const x = f.get('ext');
x.write(new Float64Array([rank * 10, rank * 10 + 1]), { start: [2 * rank], count: [2] }, { collective: true });
const xTransfer = x.lastTransfer;
report({
  label: 'read',
  ext: x.read(),
  xTransfer,
  soft: f.get('soft').read(),
  rel: f.get('data/rel/sub/w').read(),
  y: f.get('extg/y').read(),
  hard: f.get('hard').read(),
  links: { soft: f.getLink('soft'), ext: f.getLink('ext'), hard: f.getLink('hard'), dangling: f.getLink('dangling') },
  has: { dangling: f.has('dangling'), missing: f.has('missing'), 'extg/y': f.has('extg/y'), 'extg/nothing': f.has('extg/nothing') },
});
attempt('getDangling', () => f.get('dangling'));
attempt('getMissing', () => f.get('missing'));

const run = f.get('data/run');
f.move('data/run', 'archive/run1');
report({ label: 'moved', name: run.name, vName: f.get('archive/run1/v').name, v: run.get('v').read(), keys: f.keys() });

f.copy('archive/run1', 'copies/run');
f.copy('archive/run1', 'copies/shallow', { shallow: true });
const t = File.open(`${dir}/dest.h5`, 'w', opts);
f.copy(f.get('archive/run1'), t, { name: 'from_main' });
t.copy(f.get('ext'), t, { name: 'x' });

f.delete('dangling');
f.createGroup('dangling/hard');
const r1 = f.requireDataset('req', { shape: [4], dtype: 'int32', data: [1, 2, 3, 4] });
const r2 = f.requireDataset('req', { shape: [4], dtype: 'int16' });
attempt('requireMismatch', () => f.requireDataset('req', { shape: [5], dtype: 'int32' }));
const ordered = f.createGroup('ordered', { trackOrder: true });
for (const k of ['c', 'a', 'b']) ordered.createGroup(k);
const seen = [];
const stop = f.visit((name) => {
  seen.push(name);
  return name === 'archive/run1' ? 'stopped' : undefined;
});
report({
  label: 'tree',
  ordered: ordered.keys(),
  required: [r1 === r2, r1.read()],
  reused: f.get('dangling').keys(),
  stop,
  seen,
  copied: { deep: f.get('copies/run/sub/w').read(), cross: t.get('from_main/v').read(), viaExt: t.get('x').read(), attr: t.get('from_main/v').attrs.get('units') },
  items: f.items().slice(0, 3).map(([k, v]) => [k, v ? v.description : null]),
});
attempt('mismatch', () => f.createSoftLink('mine', `/data/${rank}`));
t.close();
f.close();

if (pyFile) {
  const p = File.open(pyFile, 'r', opts);
  const z = p.get('ext/z');
  const mine = z.read({ start: [2 * rank], count: [2] }, { collective: true });
  const zTransfer = z.lastTransfer;
  report({ label: 'h5py', z: z.read(), mine, zTransfer, soft: p.get('soft').read(), link: p.getLink('ext') });
  p.close();
}
