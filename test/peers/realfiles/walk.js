// The h5mpi side of the conformance test: walks HDF5 files through h5mpi's public API and prints the same
// entries as dump.py prints from h5py (see the rules at the top of dump.py), so that the test can compare
// them one by one. Run as a child process (plain `node`), so that the filter plugins HDF5 loads, and the
// HDF5_PLUGIN_PATH it finds them by, are this process's alone.
//   usage: node walk.js FILE...   (prints {"files": {FILE: [entry, ...]}})
//
// Where h5mpi's API cannot say something h5py says (a link's target, an attribute's stored type, a
// dataset's filter pipeline), the entry says what the API gives; the comparison shows the difference. The
// probes marked "when available" use API that branches of issue 14 add (links: getLink; attrs: attrs.info;
// filters: Dataset.filters, compressionOpts, scaleoffset), so the walk picks it up once it is merged.
'use strict';
const crypto = require('node:crypto');
const { File, Group, Dataset } = require('../../..');

const SMALL = 64;
const SUMMARY_ENDS = 3;

const NUMPY = {
  int8: 'i1', uint8: 'u1', int16: 'i2', uint16: 'u2', int32: 'i4', uint32: 'u4',
  int64: 'i8', uint64: 'u8', float32: 'f4', float64: 'f8',
};
const ARRAY_DTYPES = new Map([
  [Int8Array, 'int8'], [Uint8Array, 'uint8'], [Int16Array, 'int16'], [Uint16Array, 'uint16'],
  [Int32Array, 'int32'], [Uint32Array, 'uint32'], [BigInt64Array, 'int64'], [BigUint64Array, 'uint64'],
  [Float32Array, 'float32'], [Float64Array, 'float64'],
]);

/** numpy's dtype.str for an h5mpi dtype stored in `order`. */
function numpyDtype(dtype, order, stringLength) {
  if (dtype === 'string') return stringLength == null ? '|O' : `|S${stringLength}`;
  const code = NUMPY[dtype];
  if (code === undefined) return `?${JSON.stringify(dtype)}`;
  return `${code.endsWith('1') ? '|' : order === 'big' ? '>' : '<'}${code}`;
}

function floatElem(v) {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (Object.is(v, -0)) return '-0';
  return v;
}

/** One element as dump.py writes it: integers as decimal strings, floats as numbers or their names. */
function elem(v, isFloat) {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v;
  return isFloat ? floatElem(v) : String(v);
}

const isFloatArray = (a) => a instanceof Float32Array || a instanceof Float64Array;

function summary(a) {
  const isFloat = isFloatArray(a);
  let min, max, nans = 0;
  for (const v of a) {
    if (isFloat && Number.isNaN(v)) {
      nans++;
      continue;
    }
    if (min === undefined || v < min) min = v;
    if (max === undefined || v > max) max = v;
  }
  const el = (v) => (v === undefined ? null : elem(v, isFloat));
  const ends = (xs) => Array.from(xs, (v) => elem(v, isFloat));
  return {
    n: a.length,
    min: el(min),
    max: el(max),
    nans,
    first: ends(a.subarray(0, SUMMARY_ENDS)),
    last: ends(a.subarray(Math.max(0, a.length - SUMMARY_ENDS))),
    sha256: crypto.createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex'),
  };
}

/** A value h5mpi returned (a typed array, strings, a number, a bigint, a string) as dump.py writes it. */
function canonical(v, scalar) {
  if (ArrayBuffer.isView(v)) {
    const isFloat = isFloatArray(v);
    if (scalar) return elem(v[0], isFloat);
    if (v.length > SMALL) return summary(v);
    return Array.from(v, (x) => elem(x, isFloat));
  }
  if (Array.isArray(v)) return scalar ? elem(v[0], false) : v.map((x) => elem(x, typeof x === 'number'));
  return elem(v, typeof v === 'number');
}

const join = (path, name) => `${path === '/' ? '' : path}/${name}`;
const attrPath = (path, name) => `${path === '/' ? '' : path}@${name}`;
const failure = (e) => `${e.name}${e.code ? ` ${e.code}` : ''}: ${e.message}`;

/** What attribute `name` of `obj` reads as. */
function attributeEntry(obj, path, name) {
  const entry = { path: attrPath(path, name), kind: 'attribute' };
  let v;
  try {
    v = obj.attrs.get(name);
  } catch (e) {
    return { ...entry, kind: 'error', error: failure(e) };
  }
  // When available (attrs branch): the stored dtype and shape, which a JS number or a flat array cannot tell.
  const info = typeof obj.attrs.info === 'function' ? obj.attrs.info(name) : undefined;
  if (info) {
    entry.dtype = typeof info.dtype === 'string' ? numpyDtype(info.dtype, info.order) : JSON.stringify(info.dtype);
    entry.shape = info.shape;
  } else if (ArrayBuffer.isView(v)) {
    entry.dtype = numpyDtype(ARRAY_DTYPES.get(v.constructor), 'little');
    entry.shape = [v.length];
  } else if (Array.isArray(v)) {
    entry.dtype = '|O';
    entry.shape = [v.length];
  } else {
    // A JS scalar: its stored type is not visible; say what a JS value of this kind is stored as by h5mpi.
    entry.dtype = typeof v === 'bigint' ? '<i8' : typeof v === 'string' ? '|O' : '<f8';
    entry.shape = [];
  }
  entry.value = canonical(v, entry.shape !== null && entry.shape.length === 0);
  return entry;
}

function attrEntries(obj, path) {
  let names;
  try {
    names = obj.attrs.keys();
  } catch (e) {
    return [{ path: `${path}@`, kind: 'error', error: failure(e) }];
  }
  return names.map((n) => attributeEntry(obj, path, n));
}

function datasetEntries(d, path) {
  const entry = {
    path,
    kind: 'dataset',
    dtype: numpyDtype(d.dtype, d.fileType.order, d.stringLength),
    shape: d.shape,
    attrs: d.attrs.keys(),
  };
  try {
    entry.value = canonical(d.read(), d.ndim === 0);
  } catch (e) {
    entry.value = { error: failure(e) };
  }
  // Strings have none in h5py's dump (enums give their stored integer, as h5mpi reads them).
  const numeric = d.fileType.className === 'integer' || d.fileType.className === 'float';
  const layout = {
    path: `${path}#layout`,
    kind: 'layout',
    value: {
      chunks: d.chunks,
      // h5py: () for a scalar and None for an unlimited extent; h5mpi: null and Infinity.
      maxshape: d.maxshape === null ? [] : d.maxshape.map((m) => (m === Infinity ? null : m)),
      // h5py reports the default fill value (0) where h5mpi's fillValue is null (none set).
      fillvalue: numeric ? elem(d.fillValue ?? (d.dtype.startsWith('float') ? 0 : 0n), d.dtype.startsWith('float')) : null,
    },
  };
  const out = [entry, layout];
  // When available (filters branch): the whole pipeline; until then what the gzip/shuffle/fletcher32 properties tell.
  const pipeline = Array.isArray(d.filters) ? d.filters : undefined;
  if (pipeline ? pipeline.length > 0 : d.compression !== null || d.shuffle || d.fletcher32) {
    out.push({
      path: `${path}#filters`,
      kind: 'filters',
      value: {
        ids: pipeline ? pipeline.map((f) => f.id) : null,
        compression: d.compression,
        compression_opts: d.compressionOpts !== undefined ? d.compressionOpts : d.compressionLevel,
        shuffle: d.shuffle,
        fletcher32: d.fletcher32,
        scaleoffset: d.scaleoffset ?? null,
      },
    });
  }
  return out.concat(attrEntries(d, path));
}

function groupEntries(g, path) {
  return [{ path, kind: 'group', members: g.keys(), attrs: g.attrs.keys() }, ...attrEntries(g, path)];
}

/** When available (links branch): what the link at `name` is; undefined when the API cannot say. */
function linkOf(group, name) {
  if (typeof group.getLink !== 'function') return undefined;
  try {
    return group.getLink(name);
  } catch (e) {
    return { error: failure(e) };
  }
}

function walk(group, path, out) {
  out.push(...groupEntries(group, path));
  for (const name of group.keys()) {
    const p = join(path, name);
    const link = linkOf(group, name);
    if (link && link.error) out.push({ path: `${p}#link`, kind: 'error', error: link.error });
    else if (link && link.type !== 'hard') {
      out.push({ path: `${p}#link`, kind: 'link', value: { type: link.type, target: link.target, file: link.file ?? null } });
    }
    let obj;
    try {
      obj = group.get(name);
    } catch (e) {
      // A dangling soft or external link: listed, but nothing to open (h5py: `group[name]` raises KeyError,
      // while `name in group` is True, as h5mpi's has() is).
      if (link && link.type !== 'hard' && e.code === 'NOT_FOUND') continue;
      out.push({ path: p, kind: 'error', error: failure(e) });
      continue;
    }
    try {
      if (obj instanceof Group) {
        // Down through hard links only; without getLink every link looks hard.
        if (!link || link.type === 'hard') walk(obj, p, out);
        else out.push(...groupEntries(obj, p));
      } else if (obj instanceof Dataset) {
        out.push(...datasetEntries(obj, p));
      }
    } catch (e) {
      out.push({ path: p, kind: 'error', error: failure(e) });
    }
  }
}

/** The smallest subnormal double, made from its bits (a literal would be parsed by the same arithmetic). */
const TINY = new Float64Array(new BigUint64Array([1n]).buffer)[0];
const ONE = Number(process.argv.length > 0);

/**
 * Whether this process flushes subnormal numbers to zero now. Filter plugins loaded by HDF5 can turn that on
 * (MXCSR FTZ/DAZ) for the whole process: then a Float32Array's subnormal reads as 0 and a subnormal double
 * prints as 0 in JavaScript too.
 */
const fpState = () => (TINY * ONE > 0 ? 'subnormals kept' : 'subnormals flushed to zero');

/**
 * The entries of one file. Each is turned into text as soon as it is made, so that its numbers are printed
 * under the floating-point state of its own read (not the state after the whole walk).
 */
function dump(file) {
  const out = [];
  const text = {
    push: (...entries) => {
      for (const e of entries) out.push(JSON.stringify(e));
    },
  };
  let f;
  try {
    f = File.open(file, 'r');
    walk(f, '/', text);
  } catch (e) {
    text.push({ path: '/', kind: 'error', error: failure(e) });
  } finally {
    f?.close();
  }
  text.push({ path: '#fpstate', kind: 'fpstate', value: fpState() });
  return `[${out.join(',')}]`;
}

const files = process.argv.slice(2).map((file) => `${JSON.stringify(file)}:${dump(file)}`);
process.stdout.write(`{"files":{${files.join(',')}}}`);
