// The h5mpi side of the conformance test: walks HDF5 files through h5mpi's public API and prints the same
// entries as dump.py prints from h5py (see the rules at the top of dump.py), so that the test can compare
// them one by one. Run as a child process (plain `node`), so that the filter plugins HDF5 loads, and the
// HDF5_PLUGIN_PATH it finds them by, are this process's alone.
//   usage: node walk.js FILE...   (prints {"files": {FILE: [entry, ...]}})
//
// It reads as an h5mpi user who wants h5py's view would: the type and shape of an attribute from
// attrs.info and its value from attrs.read (attrs.get for Empty), a dataset's type from dtype, stringLength
// and fileType, links from getLink, the pipeline from Dataset.filters, and strings as text, except where
// h5py gives bytes (bytes not valid in the stored encoding), which it asks for with { strings: 'bytes' }.
'use strict';
const crypto = require('node:crypto');
const { File, Group, Dataset, Datatype, Empty } = require('../../..');

const SMALL = 64;
const SUMMARY_ENDS = 3;

const NUMPY = {
  int8: 'i1', uint8: 'u1', int16: 'i2', uint16: 'u2', int32: 'i4', uint32: 'u4',
  int64: 'i8', uint64: 'u8', float32: 'f4', float64: 'f8',
};

/**
 * numpy's dtype.str for what h5mpi reads as `dtype` (a dtype spec: a name, 'bool' or { string }), stored as
 * `stored` (a StoredType: its byte order). A type h5mpi cannot read (dtype null) is given as stored, for
 * information: its entries are excluded, or mismatch on their value.
 */
function numpyDtype(dtype, stored) {
  if (dtype === null) {
    const code = { integer: stored.signed === false ? 'u' : 'i', float: 'f' }[stored.className];
    if (code === undefined) return `?${stored.className}`;
    return `${stored.size === 1 ? '|' : stored.order === 'big' ? '>' : '<'}${code}${stored.size}`;
  }
  const order = (s) => (s?.order === 'big' ? '>' : '<');
  if (typeof dtype === 'string') {
    if (dtype === 'bool') return '|b1';
    if (dtype === 'string') return '|O';
    if (dtype === 'reference') return 'ref';
    if (dtype === 'regionReference') return 'regionref';
    if (dtype === 'float16') return `${order(stored)}f2`;
    // h5py's complex: a compound of r and i, in their byte order.
    if (dtype === 'complex64' || dtype === 'complex128') return `${order(stored.fields?.[0]?.type)}c${dtype === 'complex64' ? 8 : 16}`;
    const code = NUMPY[dtype];
    return `${code.endsWith('1') ? '|' : order(stored)}${code}`;
  }
  if ('string' in dtype) return dtype.string.length === undefined ? '|O' : `|S${dtype.string.length}`;
  if ('enum' in dtype) {
    const members = Object.fromEntries(Object.entries(dtype.members).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, Number(v)]));
    return `${numpyDtype(dtype.enum, stored.base ?? stored)} enum ${JSON.stringify(members)}`;
  }
  if ('bitfield' in dtype) return numpyDtype(dtype.bitfield, stored);
  if ('opaque' in dtype) return `|V${dtype.opaque}`;
  if ('vlen' in dtype) return `vlen ${numpyDtype(dtype.vlen, stored.base)}`;
  if ('array' in dtype) return `array ${numpyDtype(dtype.array, stored.base)} ${JSON.stringify(dtype.shape)}`;
  // A compound as numpy's dict form: offsets as given, else packed in order (numpy's packing).
  const names = Object.keys(dtype.compound);
  const offsets = [];
  const formats = [];
  let end = 0;
  names.forEach((n, i) => {
    const f = dtype.compound[n];
    const spec = typeof f === 'object' && 'offset' in f ? f.dtype : f;
    const offset = typeof f === 'object' && 'offset' in f ? f.offset : end;
    offsets.push(offset);
    formats.push(numpyDtype(spec, stored.fields?.[i]?.type ?? {}));
    end = offset + itemsize(spec);
  });
  return `compound ${JSON.stringify({ formats, itemsize: dtype.itemsize ?? end, names, offsets })}`;
}

/**
 * The dtype spec of a stored type that holds references inside a sequence or a compound (netCDF-4's
 * DIMENSION_LIST and REFERENCE_LIST), which h5mpi reads without one (dtype null): as h5mpi's attribute read
 * gives them, references by path, numbers in their typed arrays.
 */
function specOfStored(t) {
  switch (t.className) {
    case 'reference': return t.reference === 'region' ? 'regionReference' : 'reference';
    case 'integer': return `${t.signed === false ? 'u' : ''}int${t.size * 8}`;
    case 'float': return `float${t.size * 8}`;
    case 'vlen': return { vlen: specOfStored(t.base) };
    case 'compound': return { compound: Object.fromEntries(t.fields.map((f) => [f.name, { dtype: specOfStored(f.type), offset: f.offset }])), itemsize: t.size };
    default: throw new Error(`no dtype spec for a stored ${t.className} here`);
  }
}

const holdsReferences = (t) => t.className === 'reference' || (t.base !== undefined && holdsReferences(t.base)) || (t.fields ?? []).some((f) => holdsReferences(f.type));

/** numpy's itemsize of what h5py reads a dtype spec as (variable-length data and references: an object, 8 bytes). */
function itemsize(dtype) {
  if (typeof dtype === 'string') {
    if (NUMPY[dtype]) return Number(NUMPY[dtype].slice(1));
    return { bool: 1, float16: 2, complex64: 8, complex128: 16 }[dtype] ?? 8;
  }
  if ('string' in dtype) return dtype.string.length ?? 8;
  if ('enum' in dtype) return itemsize(dtype.enum);
  if ('bitfield' in dtype) return itemsize(dtype.bitfield);
  if ('opaque' in dtype) return dtype.opaque;
  if ('vlen' in dtype) return 8;
  if ('array' in dtype) return dtype.shape.reduce((a, b) => a * b, 1) * itemsize(dtype.array);
  if (dtype.itemsize !== undefined) return dtype.itemsize;
  let end = 0;
  for (const f of Object.values(dtype.compound)) {
    const offset = typeof f === 'object' && 'offset' in f ? f.offset : end;
    end = offset + itemsize(typeof f === 'object' && 'offset' in f ? f.dtype : f);
  }
  return end;
}

/** IEEE half bits of a number that is one (read from float16 data), for the summary's sha256 of '<f2' bytes. */
function halfBits(v) {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) return e < -10 ? sign : sign | ((mant | 0x800000) >> (14 - e)); // subnormal halves are exact here
  return sign | (e << 10) | (mant >> 13);
}

/**
 * An element list of dtype spec `dtype` as dump.py writes it (see its rules): `data` as h5mpi read it (a
 * dataset's read(), an attribute's data), one element for a scalar.
 */
function valueOf(dtype, data, scalar) {
  const one = (list) => (scalar ? list[0] : list);
  if (typeof dtype === 'string') {
    if (dtype === 'reference' || dtype === 'regionReference') return one((Array.isArray(data) ? data : [data]).map((r) => (r ? r.path : null)));
    if (dtype === 'bool') return one(Array.from(data, (b) => b === true || b === 1));
    if (dtype === 'string') return one(Array.isArray(data) ? data : [data]);
    if (dtype === 'complex64' || dtype === 'complex128') {
      if (!scalar && data.length / 2 > SMALL) return summary(data);
      const pairs = [];
      for (let i = 0; i < data.length; i += 2) pairs.push([floatElem(data[i]), floatElem(data[i + 1])]);
      return one(pairs);
    }
    if (dtype === 'float16' && !scalar && data.length > SMALL) return summary(data, Uint16Array.from(data, halfBits));
    return numbers(data, scalar);
  }
  if ('string' in dtype) return one(Array.isArray(data) ? data : [data]);
  if ('enum' in dtype || 'bitfield' in dtype) return numbers(data, scalar);
  if ('opaque' in dtype) return one(data.map(hex));
  if ('vlen' in dtype) return one(data.map((e) => valueOf(dtype.vlen, e, false)));
  if ('array' in dtype) return valueOf(dtype.array, data, false);
  const out = {};
  for (const [n, f] of Object.entries(dtype.compound)) out[n] = valueOf(typeof f === 'object' && 'offset' in f ? f.dtype : f, data[n], scalar);
  return out;
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
  if (typeof v === 'boolean') return v;
  return isFloat ? floatElem(v) : String(v);
}

const isFloatArray = (a) => a instanceof Float32Array || a instanceof Float64Array;

function summary(a, stored = a) {
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
    sha256: crypto.createHash('sha256').update(new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength)).digest('hex'),
  };
}

/** Numbers h5mpi read (a typed array, or booleans) as dump.py writes them: one element for a scalar. */
function numbers(v, scalar) {
  if (Array.isArray(v)) return scalar ? v[0] : v.slice(); // booleans
  const isFloat = isFloatArray(v);
  if (scalar) return elem(v[0], isFloat);
  if (v.length > SMALL) return summary(v);
  return Array.from(v, (x) => elem(x, isFloat));
}

const hex = (b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A stored string's bytes as text, when they are valid in its encoding; else undefined. */
function decoded(bytes, encoding) {
  if (encoding === 'ascii') return bytes.every((b) => b < 0x80) ? Buffer.from(bytes).toString('latin1') : undefined;
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** What h5mpi documents its text reads to give for bytes that are not valid in their encoding (docs/api-guide.md, "Strings as stored"). */
function documentedText(bytes, encoding) {
  if (encoding !== 'ascii') return undefined; // UTF-8 that is not valid throws DECODE
  try {
    return utf8.decode(bytes);
  } catch {
    return Buffer.from(bytes).toString('latin1');
  }
}

/**
 * Strings as dump.py gives them: text where the bytes are valid in the stored encoding, else { bytes }.
 * Read as text first, as a user would. Where that is not h5py's view (a UTF-8 string whose bytes are not
 * UTF-8 throws DECODE; an ASCII-typed string with bytes past 127 decodes, where h5py gives bytes), read again
 * with { strings: 'bytes' }, and check that the text read gave what the API guide says it gives.
 */
function strings(readText, readBytes, encoding, scalar) {
  let text;
  try {
    text = readText();
  } catch (e) {
    if (e.code !== 'DECODE') throw e;
  }
  const list = text === undefined ? undefined : scalar ? [text] : text;
  const nonAscii = (s) => [...s].some((c) => c.charCodeAt(0) > 0x7f);
  if (list && !(encoding === 'ascii' && list.some(nonAscii))) return scalar ? list[0] : list;
  const bytes = scalar ? [readBytes()] : readBytes();
  const out = bytes.map((b, i) => {
    const valid = decoded(b, encoding);
    if (valid !== undefined) {
      if (list && list[i] !== valid) throw new Error(`element ${i}: text read ${JSON.stringify(list[i])}, bytes read ${JSON.stringify(valid)}`);
      return list ? list[i] : valid;
    }
    // Not valid in its encoding: the text read must have said so as documented.
    const want = documentedText(b, encoding);
    if (list ? list[i] !== want : want !== undefined) {
      throw new Error(`element ${i} (bytes ${hex(b)}): the text read gave ${list ? JSON.stringify(list[i]) : 'DECODE'}, not ${want === undefined ? 'DECODE' : JSON.stringify(want)} as documented`);
    }
    return { bytes: hex(b) };
  });
  if (!list && out.every((x) => typeof x === 'string')) throw new Error('the text read threw DECODE, but every element is valid UTF-8');
  return scalar ? out[0] : out;
}

const join = (path, name) => `${path === '/' ? '' : path}/${name}`;
const attrPath = (path, name) => `${path === '/' ? '' : path}@${name}`;
const failure = (e) => `${e.name}${e.code ? ` ${e.code}` : ''}: ${e.message}`;

/** What attribute `name` of `obj` is and reads as. */
function attributeEntry(obj, path, name) {
  const entry = { path: attrPath(path, name), kind: 'attribute' };
  let info;
  try {
    info = obj.attrs.info(name);
  } catch (e) {
    return { ...entry, kind: 'error', error: failure(e) };
  }
  const spec = info.dtype === null && holdsReferences(info.storedType) ? specOfStored(info.storedType) : info.dtype;
  entry.dtype = numpyDtype(spec, info.storedType);
  entry.shape = info.shape;
  try {
    if (info.shape === null) {
      const v = obj.attrs.get(name);
      entry.value = v instanceof Empty ? { empty: true } : { error: `get returned ${typeof v}, not an Empty` };
    } else if (info.storedType.className === 'string' && info.dtype !== null) {
      const scalar = info.shape.length === 0;
      const enc = info.storedType.string.encoding;
      entry.value = strings(() => obj.attrs.read(name).data, () => obj.attrs.read(name, { strings: 'bytes' }).data, enc, false);
      if (scalar) entry.value = entry.value[0];
    } else {
      const { data, shape } = obj.attrs.read(name);
      if (JSON.stringify(shape) !== JSON.stringify(info.shape)) throw new Error(`read's shape [${shape}] is not info's [${info.shape}]`);
      entry.value = valueOf(spec, data, shape.length === 0);
    }
  } catch (e) {
    entry.value = { error: failure(e) };
  }
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

/** The dtype spec a dataset reads as (a string dataset's length is in stringLength). */
const datasetDtype = (d) => (d.dtype === 'string' && d.stringLength !== null ? { string: { length: d.stringLength } } : d.dtype);

function datasetEntries(d, path) {
  const entry = {
    path,
    kind: 'dataset',
    dtype: numpyDtype(datasetDtype(d), d.fileType),
    shape: d.isEmpty ? null : d.shape,
    attrs: d.attrs.keys(),
  };
  try {
    if (d.isEmpty) {
      const v = d.read();
      entry.value = v instanceof Empty ? { empty: true } : { error: `read returned ${typeof v}, not an Empty` };
    } else if (d.fileType.className === 'string' && d.dtype !== null) {
      entry.value = strings(() => d.read(), () => d.read(undefined, { strings: 'bytes' }), d.fileType.string.encoding, d.ndim === 0);
    } else {
      entry.value = valueOf(d.dtype, d.read(), d.ndim === 0);
    }
  } catch (e) {
    entry.value = { error: failure(e) };
  }
  // Numbers (enums as their integers) have one; strings and types h5mpi cannot read have none in h5py's dump.
  const numeric =
    d.dtype !== null &&
    (NUMPY[d.dtype] !== undefined || d.dtype === 'float16' || d.dtype === 'bool' || (typeof d.dtype === 'object' && ('enum' in d.dtype || 'bitfield' in d.dtype)));
  const isFloat = d.fileType.className === 'float';
  const layout = {
    path: `${path}#layout`,
    kind: 'layout',
    value: {
      chunks: d.chunks,
      // h5py: () for a scalar, None for Empty, and None for an unlimited extent; h5mpi: null, null and Infinity.
      maxshape: d.isEmpty ? null : d.maxshape === null ? [] : d.maxshape.map((m) => (m === Infinity ? null : m)),
      // h5py reports the default fill value (0) where h5mpi's fillValue is null (none set).
      fillvalue: numeric ? elem(d.fillValue ?? (d.dtype === 'bool' ? false : isFloat ? 0 : 0n), isFloat) : null,
    },
  };
  const out = [entry, layout];
  if (d.filters.length > 0) {
    out.push({
      path: `${path}#filters`,
      kind: 'filters',
      value: {
        ids: d.filters.map((f) => f.id),
        compression: d.compression,
        compression_opts: d.compressionOpts,
        shuffle: d.shuffle,
        fletcher32: d.fletcher32,
        scaleoffset: d.scaleoffset,
      },
    });
  }
  return out.concat(attrEntries(d, path));
}

/** A named datatype: its type as a dataset of it reads (a fixed-length string's length from fileType) and its attributes. */
function datatypeEntries(t, path) {
  const length = t.fileType.string?.length ?? null;
  const dtype = t.dtype === 'string' && length !== null ? { string: { length } } : t.dtype;
  return [{ path, kind: 'datatype', dtype: numpyDtype(dtype, t.fileType), attrs: t.attrs.keys() }, ...attrEntries(t, path)];
}

function groupEntries(g, path) {
  return [{ path, kind: 'group', members: g.keys(), attrs: g.attrs.keys() }, ...attrEntries(g, path)];
}

/** What the link at `name` is, or { error }. */
function linkOf(group, name) {
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
    if (link.error) out.push({ path: `${p}#link`, kind: 'error', error: link.error });
    else if (link.type !== 'hard') {
      out.push({ path: `${p}#link`, kind: 'link', value: { type: link.type, target: link.target, file: link.file ?? null } });
    }
    let obj;
    try {
      obj = group.get(name);
    } catch (e) {
      // A dangling soft or external link: listed, but nothing to open (h5py: `group[name]` raises KeyError,
      // while `name in group` is True, as h5mpi's has() is).
      if (link.type !== 'hard' && e.code === 'NOT_FOUND') continue;
      out.push({ path: p, kind: 'error', error: failure(e) });
      continue;
    }
    try {
      if (obj instanceof Group) {
        // Down through hard links only, as dump.py.
        if (link.type === 'hard') walk(obj, p, out);
        else out.push(...groupEntries(obj, p));
      } else if (obj instanceof Dataset) {
        out.push(...datasetEntries(obj, p));
      } else if (obj instanceof Datatype) {
        out.push(...datatypeEntries(obj, p));
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
