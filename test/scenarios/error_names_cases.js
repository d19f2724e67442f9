// Every public call of the HDF5 API made to fail for a realistic reason on a real file, with the file and
// the object its message must name: test/error_names.test.ts runs the table in-process and checks each
// message. `h5` is the module under test, `dir` an empty scratch directory.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/**
 * Sets up the files and returns { cases, close }. A case: [label, run (must throw), file (the file's
 * path, which the message must contain), object (the object's path, which it must contain: absolute, or
 * as the call's argument relative to the group it was made on), or null and why no object applies].
 */
function nameCases(h5, dir) {
  const { File, VirtualLayout, VirtualSource } = h5;
  const file = path.join(dir, 'named.h5');
  const f = File.open(file, 'w');
  const x = f.createDataset('grp/x', { shape: [4], dtype: 'float64', data: [1, 2, 3, 4] });
  const c = f.createDataset('grp/c', { shape: [4, 4], dtype: 'int32', chunks: [2, 2], compression: 'gzip' });
  c.write(new Int32Array(4), { start: [0, 0], count: [2, 2] });
  const s = f.createDataset('grp/s', { shape: [2], dtype: 'string', data: ['a', 'b'] });
  const lat = f.createDataset('lat', { shape: [4], dtype: 'float64' });
  f.createDataset('gone', { shape: [1], dtype: 'int8' });
  const refs = f.createDataset('refs', { shape: [2], dtype: 'reference', data: ['/gone', '/grp/x'] });
  const goneRef = refs.read()[0];
  f.delete('gone');
  f.createSoftLink('soft', '/nowhere');
  f.createExternalLink('ext', path.join(dir, 'missing-target.h5'), '/y');
  x.attrs.set('units', 'm');
  f.commitDatatype('types/t', 'int16');
  f.createDataset('closed/d', { shape: [2], dtype: 'int8' });
  // Closed objects in an open file.
  const closedD = f.get('closed/d');
  const closedG = f.get('closed');
  const closedT = f.get('types/t');
  closedD.close();
  closedG.close();
  closedT.close();

  const otherFile = path.join(dir, 'other.h5');
  const other = File.open(otherFile, 'w');
  const oy = other.createDataset('y', { shape: [4], dtype: 'float64' });

  const roFile = path.join(dir, 'readonly.h5');
  const w = File.open(roFile, 'w');
  w.createDataset('d', { shape: [2], dtype: 'int32' });
  w.createDataset('ch', { shape: [4], dtype: 'int32', chunks: [2] });
  w.createGroup('g');
  w.close();
  const rf = File.open(roFile, 'r');
  const rd = rf.get('d');
  const rch = rf.get('ch');
  const rg = rf.get('g');

  // A closed file, and a dataset of it.
  const closedFile = path.join(dir, 'closed.h5');
  const cf = File.open(closedFile, 'w');
  const cfd = cf.createDataset('d', { shape: [2], dtype: 'int8' });
  cf.close();

  // A damaged file: a chunk whose Fletcher-32 checksum no longer matches its bytes.
  const damagedFile = path.join(dir, 'damaged.h5');
  {
    const d = File.open(damagedFile, 'w');
    const ds = d.createDataset('sum', { shape: [8], dtype: 'int32', chunks: [8], fletcher32: true, data: [1, 2, 3, 4, 5, 6, 7, 8] });
    const at = ds.chunkInfo(0).byteOffset;
    d.close();
    const bytes = fs.readFileSync(damagedFile);
    bytes[at] ^= 0xff;
    fs.writeFileSync(damagedFile, bytes);
  }
  const df = File.open(damagedFile, 'r');
  const sum = df.get('sum');

  const notHdf5 = path.join(dir, 'text.h5');
  fs.writeFileSync(notHdf5, 'not HDF5');
  const layout = (src, shape) => {
    const l = new VirtualLayout({ shape, dtype: src.dtype });
    l.set({ start: [0], count: shape }, new VirtualSource(src));
    return l;
  };

  const NO_OBJECT = 'the call is about the file itself';
  const ROOT = "the File is its root group: 'File <name>' names it";
  const cases = [
    // File
    ['File.open: a missing file', () => File.open(path.join(dir, 'absent.h5'), 'r'), path.join(dir, 'absent.h5'), null, NO_OBJECT],
    ['File.open: not HDF5', () => File.open(notHdf5, 'r'), notHdf5, null, NO_OBJECT],
    ['File.open: a directory', () => File.open(dir, 'r'), dir, null, NO_OBJECT],
    ["File.open: 'w-' on an existing file", () => File.open(file, 'w-'), file, null, NO_OBJECT],
    ['File.open: an unknown option', () => File.open(file, 'r', { libver: 'latest' }), file, null, NO_OBJECT],
    ['File.check: not HDF5', () => File.check(notHdf5), notHdf5, null, NO_OBJECT],
    ['File.flush: closed', () => cf.flush(), closedFile, null, NO_OBJECT],
    ['File.keys: closed', () => cf.keys(), closedFile, null, ROOT],
    // Group
    ['Group.get: a missing path', () => f.get('grp/nope'), file, '/grp/nope'],
    ['Group.get: a dangling soft link', () => f.get('soft'), file, '/soft'],
    ['Group.get: a dangling external link', () => f.get('ext'), file, '/ext'],
    ['Group.get: closed group', () => closedG.get('d'), file, '/closed'],
    ['Group.keys: closed group', () => closedG.keys(), file, '/closed'],
    ['Group.has: closed group', () => closedG.has('d'), file, '/closed'],
    ['Group.getLink: a missing link', () => f.getLink('none'), file, '/none'],
    ['Group.createGroup: exists', () => f.createGroup('grp/x'), file, '/grp/x'],
    ['Group.createGroup: read-only file', () => rf.createGroup('n'), roFile, '/n'],
    ['Group.createGroup: unknown option', () => f.createGroup('n', { track_order: true }), file, '/n'],
    ['Group.createDataset: exists', () => f.createDataset('grp/x', { shape: [1], dtype: 'int8' }), file, '/grp/x'],
    ['Group.createDataset: read-only file', () => rg.createDataset('n', { shape: [1], dtype: 'int8' }), roFile, '/g'],
    ['Group.createDataset: a negative extent', () => f.createDataset('bad', { shape: [-1], dtype: 'int8' }), file, '/bad'],
    ['Group.createDataset: too little data', () => f.createDataset('bad', { shape: [3], dtype: 'int8', data: [1] }), file, '/bad'],
    ['Group.createDataset: an unknown dtype', () => f.createDataset('bad', { shape: [3], dtype: 'float128' }), file, '/bad'],
    ['Group.requireGroup: a dataset there', () => f.requireGroup('grp/x'), file, '/grp/x'],
    ['Group.requireDataset: another shape', () => f.requireDataset('grp/x', { shape: [5], dtype: 'float64' }), file, '/grp/x'],
    ['Group.commitDatatype: exists', () => f.commitDatatype('types/t', 'int8'), file, '/types/t'],
    ['Group.delete: a missing path', () => f.delete('grp/none'), file, '/grp/none'],
    ['Group.delete: read-only file', () => rf.delete('d'), roFile, '/d'],
    ['Group.createSoftLink: exists', () => f.createSoftLink('grp/x', '/lat'), file, '/grp/x'],
    ['Group.createHardLink: a missing target', () => f.createHardLink('h', '/none'), file, '/none'],
    ['Group.createHardLink: an object of another file', () => f.createHardLink('h', oy), file, '/y'],
    ['Group.createExternalLink: exists', () => f.createExternalLink('grp/x', 'a.h5', '/y'), file, '/grp/x'],
    ['Group.move: a missing source', () => f.move('none', 'none2'), file, '/none'],
    ['Group.move: the destination exists', () => f.move('lat', 'grp/x'), file, '/grp/x'],
    ['Group.copy: a missing source', () => f.copy('none', 'none2'), file, '/none'],
    ['Group.copy: the destination exists', () => f.copy('lat', 'grp/x'), file, '/grp/x'],
    ['Group.items: closed file', () => cf.items(), closedFile, null, ROOT],
    // References
    ['Group.deref: a deleted object', () => f.deref(goneRef), file, '/gone'],
    ['Group.deref: a reference from another file', () => other.deref(goneRef), file, '/gone'],
    ['references: a missing target', () => f.createDataset('r2', { shape: [1], dtype: 'reference', data: ['/none'] }), file, '/none'],
    ['references: a region outside the dataset', () => f.createDataset('r3', { shape: [1], dtype: 'regionReference', data: [{ dataset: '/lat', selection: { start: [3], count: [5] } }] }), file, '/lat'],
    ['references: an object of another file', () => x.attrs.set('r', oy), file, '/grp/x'],
    ['references: writing through a closed dataset', () => refs.write([null, null], undefined, { collective: false, bogus: 1 }), file, '/refs'],
    // Dataset
    ['Dataset.read: closed', () => closedD.read(), file, '/closed/d'],
    ['Dataset.write: closed', () => closedD.write([1, 2]), file, '/closed/d'],
    ['Dataset.read: closed file', () => cfd.read(), closedFile, '/d'],
    ['Dataset.shape: closed', () => closedD.dtype && closedD.readInto(new Int8Array(2)), file, '/closed/d'],
    ['Dataset.read: a selection out of bounds', () => lat.read({ start: [3], count: [2] }), file, '/lat'],
    ['Dataset.read: a selection of another rank', () => lat.read({ start: [0, 0], count: [1, 1] }), file, '/lat'],
    ['Dataset.write: the wrong length', () => lat.write([1, 2, 3]), file, '/lat'],
    ['Dataset.write: strings into numbers', () => lat.write(['a', 'b', 'c', 'd']), file, '/lat'],
    ['Dataset.write: read-only file', () => rd.write([1, 2]), roFile, '/d'],
    ['Dataset.readInto: an array of the wrong length', () => lat.readInto(new Float64Array(3)), file, '/lat'],
    ['Dataset.read: fields of a non-compound', () => lat.read(undefined, { fields: ['a'] }), file, '/lat'],
    ['Dataset.read: an unknown strings mode', () => s.read(undefined, { strings: 'nope' }), file, '/grp/s'],
    ['Dataset.read: a chunk whose checksum fails (damaged file)', () => sum.read(), damagedFile, '/sum'],
    ['Dataset.resize: contiguous', () => lat.resize([8]), file, '/lat'],
    ['Dataset.resize: read-only file', () => rch.resize([3]), roFile, '/ch'],
    // Direct chunk I/O
    ['Dataset.readChunk: not chunked', () => lat.readChunk([0]), file, '/lat'],
    ['Dataset.readChunk: no chunk stored there', () => c.readChunk([2, 2]), file, '/grp/c'],
    ['Dataset.chunkInfo: an index out of range', () => c.chunkInfo(99), file, '/grp/c'],
    ['Dataset.chunkInfoAt: an offset off the grid', () => c.chunkInfoAt([1, 1]), file, '/grp/c'],
    ['Dataset.writeChunk: read-only file', () => rch.writeChunk([0], new Uint8Array(8)), roFile, '/ch'],
    ['Dataset.numChunks: closed file', () => cfd.numChunks, closedFile, '/d'],
    // Attributes
    ['attrs.get: a missing attribute', () => x.attrs.get('none'), file, '/grp/x'],
    ['attrs.info: a missing attribute', () => x.attrs.info('none'), file, '/grp/x'],
    ['attrs.delete: a missing attribute', () => x.attrs.delete('none'), file, '/grp/x'],
    ['attrs.set: read-only file', () => rd.attrs.set('a', 1), roFile, '/d'],
    ['attrs.set: a value no type holds', () => x.attrs.set('bad', { a: 1 }), file, '/grp/x'],
    ['attrs.set: an unknown option', () => x.attrs.set('bad', 1, { dtyp: 'int8' }), file, '/grp/x'],
    ['attrs.keys: closed dataset', () => closedD.attrs.keys(), file, '/closed/d'],
    ['attrs.get: closed group', () => closedG.attrs.get('units'), file, '/closed'],
    ['attrs.has: closed file', () => cf.attrs.has('a'), closedFile, null, ROOT],
    ['attrs.delete: read-only file', () => rg.attrs.delete('none'), roFile, '/g'],
    // Named datatypes
    ['Datatype.attrs: closed', () => closedT.attrs.keys(), file, '/types/t'],
    ['Datatype.dtype: closed', () => closedT.attrs.set('a', 1), file, '/types/t'],
    // Dimension scales
    ['dims.attachScale: itself', () => lat.dims[0].attachScale(lat), file, '/lat'],
    ['dims.attachScale: a scale of another file', () => lat.dims[0].attachScale(oy), file, '/lat'],
    ['dims.detachScale: not attached', () => lat.dims[0].detachScale(x), file, '/lat'],
    ['dims.get: no such scale', () => lat.dims[0].get(3), file, '/lat'],
    ['dims.label: read-only file', () => { rd.dims[0].label = 'y'; }, roFile, '/d'],
    ['Dataset.makeScale: read-only file', () => rd.makeScale('s'), roFile, '/d'],
    ['Dataset.isScale: closed', () => closedD.isScale, file, '/closed/d'],
    // Virtual datasets
    ['createVirtualDataset: exists', () => f.createVirtualDataset('lat', layout(x, [4])), file, '/lat'],
    ['createVirtualDataset: read-only file', () => rf.createVirtualDataset('v', layout(rd, [2])), roFile, '/v'],
    ['createVirtualDataset: an unknown option', () => f.createVirtualDataset('v', layout(x, [4]), { fill: 0 }), file, '/v'],
    // Filters
    ['filters: a filter HDF5 does not have', () => f.createDataset('fz', { shape: [4], dtype: 'int32', chunks: [2], compression: 12345 }), file, '/fz'],
    ['filters: szip on strings', () => f.createDataset('fz', { shape: [4], dtype: 'string', chunks: [2], compression: 'szip' }), file, '/fz'],
    ['filters: a gzip level out of range', () => f.createDataset('fz', { shape: [4], dtype: 'int32', chunks: [2], compression: 'gzip', compressionOpts: 12 }), file, '/fz'],
  ];
  return {
    cases: cases.map(([label, run, filename, object, why]) => ({ label, run, file: filename, object, why })),
    close: () => {
      for (const o of [sum, df, rd, rch, rg, rf, other, f]) o.close();
    },
  };
}

module.exports = { nameCases };
