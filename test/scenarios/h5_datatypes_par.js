// Named datatypes in a parallel file: every rank commits the same types collectively (one under a missing
// group), sets an attribute on one, commits over an existing name (refused on every rank, the file unchanged),
// then reads them all back after reopening.
// Usage: h5_datatypes_par.js <file>
'use strict';
const { File } = require('../..');
const { report } = require('./report');

const [file] = process.argv.slice(2);
{
  const f = File.open(file, 'w');
  const c = f.commitDatatype('types/point', { compound: { x: 'float64', y: 'float64', id: 'int32' } });
  c.attrs.set('units', 'm');
  f.commitDatatype('color', { enum: 'uint8', members: { RED: 0, GREEN: 1, BLUE: 2 } });
  f.commitDatatype('ragged', { vlen: 'int16' });
  try {
    f.commitDatatype('color', 'int8');
    report({ label: 'overwrite', threw: false });
  } catch (e) {
    report({ label: 'overwrite', threw: true, code: e.code, message: e.message });
  }
  c.close();
  f.close();
}
{
  const f = File.open(file, 'r');
  const got = {};
  f.visitItems((name, o) => {
    got[name] = { kind: o.constructor.name, dtype: o.dtype, attrs: Object.fromEntries(o.attrs.keys().map((k) => [k, o.attrs.get(k)])) };
  });
  report({ label: 'read', got });
  f.close();
}
