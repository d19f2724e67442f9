// The reference tools h5mpi's files are checked against: h5dump (parsed for exact types and values) and
// h5py (through the system's /usr/bin/python3, which has it).
import { execFileSync, spawnSync } from 'node:child_process';

/** What h5dump says about one dataset or attribute. */
export interface Dumped {
  /** "H5T_STD_I32LE", "H5T_IEEE_F64BE", ... or "H5T_STRING" / "H5T_ENUM". */
  type: string;
  /** For strings: STRSIZE ("H5T_VARIABLE" or a number), STRPAD and CSET as h5dump prints them. */
  strsize?: string;
  strpad?: string;
  cset?: string;
  /** null for a scalar dataspace. */
  dims: number[] | null;
  maxdims: (number | 'H5S_UNLIMITED')[] | null;
  /** The elements as h5dump prints them, one per entry (strings without their quotes, escapes decoded). */
  values: string[];
  /** The whole text, for properties (-p) such as FILTERS and FILLVALUE. */
  text: string;
}

/**
 * Dumps the dataset (or, with `attribute`, the attribute) at `path` with h5dump: one element per line
 * (-w 0 -y), floats with 17 significant digits so that they compare exactly.
 */
export function h5dump(file: string, path: string, opts: { attribute?: boolean; properties?: boolean } = {}): Dumped {
  const args = ['-w', '0', '-y', '-m', '%.17g', ...(opts.properties ? ['-p'] : []), opts.attribute ? '-a' : '-d', path, file];
  const text = execFileSync('h5dump', args, { encoding: 'latin1' });
  return parseDump(text);
}

function parseDump(text: string): Dumped {
  const lines = text.split('\n');
  const typeAt = lines.findIndex((l) => /^\s*DATATYPE\s/.test(l));
  if (typeAt < 0) throw new Error(`h5dump printed no DATATYPE:\n${text}`);
  const out: Dumped = { type: lines[typeAt].trim().split(/\s+/)[1], dims: null, maxdims: null, values: [], text };
  if (out.type === 'H5T_STRING') {
    for (let i = typeAt + 1; !/^\s*}/.test(lines[i]); i++) {
      const m = /^\s*(STRSIZE|STRPAD|CSET)\s+([^;]+);/.exec(lines[i]);
      if (m) out[m[1].toLowerCase() as 'strsize' | 'strpad' | 'cset'] = m[2];
    }
  }
  const space = lines.find((l) => /^\s*DATASPACE\s/.test(l))!;
  const simple = /SIMPLE \{ \( ([^)]*) \) \/ \( ([^)]*) \) \}/.exec(space);
  if (simple) {
    out.dims = simple[1].split(',').map((s) => Number(s.trim()));
    out.maxdims = simple[2].split(',').map((s) => (s.trim() === 'H5S_UNLIMITED' ? 'H5S_UNLIMITED' : Number(s.trim())));
  }
  const dataAt = lines.findIndex((l) => /^\s*DATA \{/.test(l));
  if (dataAt >= 0) {
    for (let i = dataAt + 1; !/^\s*}\s*$/.test(lines[i]); i++) {
      const item = lines[i].trim().replace(/,$/, '');
      if (item.length === 0) continue;
      out.values.push(out.type === 'H5T_STRING' ? unquote(item) : item);
    }
  }
  return out;
}

/** h5dump prints a string's bytes as they are, except non-ASCII and NUL bytes as octal escapes ("\37777777703"). */
function unquote(item: string): string {
  const body = item.replace(/^"/, '').replace(/"$/, '');
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '\\' && /[0-7]/.test(body[i + 1] ?? '')) {
      let j = i + 1;
      while (j < body.length && j < i + 12 && /[0-7]/.test(body[j])) j++;
      bytes.push(parseInt(body.slice(i + 1, j), 8) & 0xff);
      i = j - 1;
    } else {
      bytes.push(body.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** h5dump's text of a number, as JS sees it ("nan", "inf", "-inf", "1.5", "-9223372036854775808"). */
export function dumpedNumber(s: string): number {
  if (s === 'nan' || s === '-nan') return NaN;
  if (s === 'inf') return Infinity;
  if (s === '-inf') return -Infinity;
  return Number(s);
}

export const PYTHON = '/usr/bin/python3';

/** Whether /usr/bin/python3 can import h5py (CI installs it; a bare machine may not have it). */
export function hasH5py(): boolean {
  return spawnSync(PYTHON, ['-c', 'import h5py'], { stdio: 'ignore' }).status === 0;
}

/** Runs a Python program with h5py and numpy imported; what it prints with `emit(obj)` comes back parsed. */
export function python(code: string, args: string[] = []): unknown {
  const prelude = [
    'import sys, json, math',
    'import numpy as np',
    'import h5py',
    'def emit(obj): print(json.dumps(obj))',
  ].join('\n');
  const out = execFileSync(PYTHON, ['-c', `${prelude}\n${code}`, ...args], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!);
}

/**
 * A Python function `describe(obj)` for the programs above: a dataset as JSON (dtype, shape, chunks,
 * filters, fill value, values as exact text) so that 64-bit integers and NaN survive the trip.
 */
export const DESCRIBE_PY = `
def plain(x):
    if isinstance(x, (bytes, np.bytes_)): return x.decode('utf-8')
    if isinstance(x, (np.integer, int)) and not isinstance(x, bool): return str(int(x))
    if isinstance(x, (np.floating, float)): return repr(float(x))
    if isinstance(x, (np.bool_, bool)): return bool(x)
    if isinstance(x, np.ndarray): return [plain(v) for v in x.reshape(-1)]
    if isinstance(x, (list, tuple)): return [plain(v) for v in x]
    return x

def describe(d):
    if h5py.check_string_dtype(d.dtype) is not None:
        values = d.asstr()[()]
    else:
        values = d[()]
    return {
        'dtype': d.dtype.str, 'shape': list(d.shape), 'maxshape': None if d.maxshape is None else [(-1 if m is None else m) for m in d.maxshape],
        'chunks': None if d.chunks is None else list(d.chunks), 'compression': d.compression,
        'compression_opts': d.compression_opts, 'shuffle': d.shuffle, 'fletcher32': d.fletcher32,
        'fillvalue': plain(d.fillvalue) if d.dtype.kind in 'iuf' else None,
        'values': plain(values) if isinstance(values, np.ndarray) else plain(values),
        'string': None if h5py.check_string_dtype(d.dtype) is None else {'encoding': h5py.check_string_dtype(d.dtype).encoding, 'length': h5py.check_string_dtype(d.dtype).length},
        'attrs': {k: plain(d.attrs[k]) for k in d.attrs},
    }
`;
