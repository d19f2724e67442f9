// Filters in a process of their own, so that HDF5_PLUGIN_PATH (read once, when HDF5 first looks for a
// plugin) is the test's. Modes (see test/h5_filters.test.ts):
//   probe                  what HDF5 has of each plugin, and where it looks
//   write <file> <names..> creates the cases of h5_filters_cases.js and reports what each reads back
//   read <file> <names..>  reads the cases from a file h5py wrote
//   blosc <file>           creates a Blosc dataset (a serial-only plugin cannot set it up)
//   missing <h5py file> <out file>  with no plugin found: reading, writing and creating filtered data fail
//                          by name
//   fp <file> <how> [src]  the floating-point control state after a plugin was loaded (create, read,
//                          write, search, copy: of src's LZF-compressed strings into file)
// Usage: node h5_filters.js <mode> ...
'use strict';
const { File, filterAvailable, pluginPaths, FILTER_IDS } = require('../..');
const { report, attempt } = require('./report');
const { SHAPE, CHUNKS, CASES, BLOSC, values } = require('./h5_filters_cases');

const [mode, file, ...rest] = process.argv.slice(2);
const byName = new Map([...CASES, BLOSC].map((c) => [c.name, c]));

/** What a dataset says about its filters, and its values. */
function describe(d) {
  return {
    filters: d.filters.map((f) => ({ ...f, cdValues: [...f.cdValues] })),
    compression: d.compression,
    compressionOpts: d.compressionOpts,
    compressionLevel: d.compressionLevel,
    shuffle: d.shuffle,
    fletcher32: d.fletcher32,
    scaleoffset: d.scaleoffset,
    nbit: d.nbit,
    chunks: d.chunks,
    values: Array.from(d.read()),
  };
}

function typedData(c) {
  const Types = { float64: Float64Array, float32: Float32Array, int32: Int32Array, int16: Int16Array };
  return Types[c.dtype].from(values(c.dtype));
}

/** A subnormal's arithmetic, from values the compiler cannot fold. */
function subnormals() {
  const t = new Float64Array([Number.MIN_VALUE, 2.2250738585072014e-308, 0]);
  t[2] = t[1] / 4; // a subnormal result: 0 under flush-to-zero
  return { minPositive: t[0] > 0, doubled: t[0] * 2, quarterOfMin: t[2], sum: t[0] + t[0] === 1e-323 };
}

switch (mode) {
  case 'probe': {
    const ids = Object.fromEntries(Object.entries(FILTER_IDS).map(([k, id]) => [k, filterAvailable(id)]));
    report({ label: 'probe', ids, paths: pluginPaths() });
    break;
  }
  case 'write': {
    const f = File.open(file, 'w');
    for (const name of rest) {
      const c = byName.get(name);
      attempt(name, () => describe(f.createDataset(name, { shape: SHAPE, dtype: c.dtype, chunks: CHUNKS, data: typedData(c), ...c.h5mpi })));
    }
    f.close();
    break;
  }
  case 'read': {
    const f = File.open(file, 'r');
    for (const name of rest) attempt(name, () => describe(f.get(name)));
    f.close();
    break;
  }
  case 'blosc': {
    const f = File.open(file, 'w');
    attempt('create', () => describe(f.createDataset('blosc', { shape: SHAPE, dtype: 'float32', chunks: CHUNKS, data: typedData(BLOSC), ...BLOSC.h5mpi })));
    report({ label: 'after', has: f.has('blosc'), keys: f.keys() });
    f.close();
    break;
  }
  case 'missing': {
    const [out] = rest;
    const f = File.open(file, 'r+');
    const d = f.get('bitshuffle_lz4');
    report({ label: 'opened', filters: d.filters.map((x) => [x.id, x.name]), shape: d.shape });
    attempt('read', () => d.read());
    attempt('readInto', () => d.readInto(new Float64Array(d.size)));
    // HDF5 would store these chunks unfiltered (the filter is optional): refused instead.
    attempt('write', () => d.write(new Float64Array(d.size).fill(1)));
    report({ label: 'gzip still reads', sum: Array.from(f.get('gzip0').read()).reduce((a, b) => a + b, 0) });
    f.close();
    const g = File.open(out, 'w');
    attempt('create plugin', () => g.createDataset('b', { shape: [10], dtype: 'int32', compression: 32008 }));
    attempt('create made-up', () => g.createDataset('m', { shape: [10], dtype: 'int32', filters: [{ id: 40000 }] }));
    report({ label: 'after', keys: g.keys(), available: filterAvailable('bitshuffle') });
    g.createDataset('ok', { shape: [4], dtype: 'int32', compression: 'gzip', data: [1, 2, 3, 4] });
    report({ label: 'usable', ok: Array.from(g.get('ok').read()) });
    g.close();
    break;
  }
  case 'fp': {
    // Each way a plugin gets loaded, in a process of its own (a plugin's constructor runs when it is first
    // loaded): creating, reading, writing and closing, searching the plugin path, and copying data that
    // must be converted (variable-length strings into another file go through the filters).
    const [how, src] = rest;
    const float64 = () => typedData({ dtype: 'float64' });
    report({ label: 'start', ...subnormals() });
    if (how === 'create') {
      const f = File.open(file, 'w');
      f.createDataset('b', { shape: SHAPE, dtype: 'float64', chunks: CHUNKS, compression: 32008, compressionOpts: [0, 2], data: float64() });
      report({ label: how, ...subnormals() });
      f.close();
    } else if (how === 'read') {
      const f = File.open(file, 'r');
      const back = f.get('bitshuffle_lz4').read();
      report({ label: how, first: back[1], ...subnormals() });
      f.close();
    } else if (how === 'write') {
      const f = File.open(file, 'r+');
      f.get('bitshuffle_lz4').write(float64());
      report({ label: 'written', ...subnormals() });
      f.close(); // the cached chunks go through the filter now
      report({ label: how, ...subnormals() });
    } else if (how === 'search') {
      // Asking for a filter HDF5 does not have loads every plugin on its path, one after the other.
      report({ label: how, found: filterAvailable(40000).available, ...subnormals() });
    } else if (how === 'copy') {
      const from = File.open(src, 'r');
      const f = File.open(file, 'w');
      f.copy(from.get('strings'), f);
      report({ label: how, ...subnormals() });
      report({ label: 'copied', values: f.get('strings').read(), filters: f.get('strings').filters.map((x) => x.name) });
      f.close();
      from.close();
    }
    break;
  }
  default:
    throw new Error(`unknown mode ${mode}`);
}
