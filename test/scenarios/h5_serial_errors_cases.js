// Every bad input of the serial API, with the error it must raise: shared by test/h5_errors.test.ts (which
// runs them in-process against lib/) and h5_serial_errors.js (which runs them in a child `node` whose
// stderr must stay empty). `h5` is the module under test, `dir` an empty scratch directory.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** The H5Error.code each H5Error case carries (docs/errors.md). */
const CODES = {
  'resizing a contiguous dataset': 'FAILED',
  'a dataset over an existing dataset': 'EXISTS',
  'a group over an existing group': 'EXISTS',
  'a dataset over an existing one, from a group': 'EXISTS',
  'writing data through a read-only file': 'READ_ONLY',
  'resizing through a read-only file': 'READ_ONLY',
  'creating a group in a read-only file': 'READ_ONLY',
  'creating a dataset in a read-only file': 'READ_ONLY',
  'setting an attribute in a read-only file': 'READ_ONLY',
  'deleting in a read-only file': 'READ_ONLY',
  'a closed file': 'CLOSED',
  'listing a closed file': 'CLOSED',
  'flushing a closed file': 'CLOSED',
  'a group of a closed file': 'CLOSED',
  'a dataset of a closed file': 'CLOSED',
  'writing a dataset of a closed file': 'CLOSED',
  'the attributes of a closed dataset': 'CLOSED',
  'setting an attribute of a closed dataset': 'CLOSED',
  'a closed dataset in an open file': 'CLOSED',
  'reading a missing path': 'NOT_FOUND',
  'a missing intermediate group': 'NOT_FOUND',
  'a missing attribute': 'NOT_FOUND',
  'deleting a missing path': 'NOT_FOUND',
  'opening a missing file': 'NOT_FOUND',
  "opening a missing file with 'r+'": 'NOT_FOUND',
  "'w-' on an existing file": 'EXISTS',
  'a file that is not HDF5': 'NOT_HDF5',
  "a file that is not HDF5, with 'a'": 'NOT_HDF5',
  'a directory as a file': 'IS_DIRECTORY',
  'a file in a missing directory': 'FAILED',
};

/**
 * Sets up the files the cases misuse and returns { cases, close }. Each case: label, run (must throw),
 * error (the class name) and message (a RegExp that names the object and the problem).
 */
function errorCases(h5, dir) {
  const { File, Hyperslab } = h5;
  const file = path.join(dir, 'errors.h5');
  const f = File.open(file, 'w');
  const x = f.createDataset('x', { shape: [4], dtype: 'float64', data: [1, 2, 3, 4] });
  const m = f.createDataset('grid/m', { shape: [3, 4], dtype: 'int16' });
  const s = f.createDataset('s', { shape: [2], dtype: 'string', data: ['a', 'b'] });
  const fixed = f.createDataset('fixed', { shape: [1], dtype: 'string', stringLength: 4 });
  const sc = f.createDataset('sc', { shape: [], dtype: 'int32', data: 5 });
  const g = f.get('grid');

  const roFile = path.join(dir, 'readonly.h5');
  File.open(roFile, 'w').close();
  {
    const w = File.open(roFile, 'a');
    w.createDataset('r', { shape: [2], dtype: 'int8', maxshape: [Infinity], data: [1, 2] });
    w.close();
  }
  const ro = File.open(roFile, 'r');
  const r = ro.get('r');

  const closedFile = File.open(path.join(dir, 'closed.h5'), 'w');
  const closedGroup = closedFile.createGroup('g');
  const closedData = closedFile.createDataset('d', { shape: [2], dtype: 'int8' });
  const closedAttrs = closedData.attrs;
  closedFile.close();
  const closedAlone = f.createDataset('closed-alone', { shape: [1], dtype: 'int8' });
  closedAlone.close();

  const notHdf5 = path.join(dir, 'notes.txt');
  fs.writeFileSync(notHdf5, 'just some text, not HDF5\n');
  const q = (p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const F = `File '${q(file)}'`;

  const cases = [
    // data length vs selection size
    ['too few values for the whole dataset', () => x.write([1, 2, 3]), 'RangeError', /Dataset '\/x'\.write: 3 values for a selection of 4 elements/],
    ['too many values for a hyperslab', () => m.write([1, 2, 3], { start: [0, 0], count: [1, 2] }), 'RangeError', /Dataset '\/grid\/m'\.write: 3 values for a selection of 2 elements/],
    ['too few strings', () => s.write(['only one']), 'RangeError', /Dataset '\/s'\.write: 1 strings for a selection of 2 elements/],
    ['readInto a target of the wrong size', () => x.readInto(new Float64Array(3)), 'RangeError', /Dataset '\/x'\.readInto: the target holds 3 elements, the selection 4/],
    // createDataset checks its data before the dataset exists: nothing is left behind (see afterwards())
    ['createDataset with too few values', () => f.createDataset('bad1', { shape: [3], dtype: 'int8', data: [1, 2] }), 'RangeError', /createDataset\('bad1'\): data: 2 values for a selection of 3 elements/],
    ['createDataset with strings for numbers', () => f.createDataset('bad2', { shape: [1], dtype: 'float32', data: ['1'] }), 'TypeError', /createDataset\('bad2'\): data: cannot write strings into a float32 dataset/],
    ['createDataset with a string too long', () => f.createDataset('bad3', { shape: [1], dtype: 'string', stringLength: 2, data: ['abc'] }), 'RangeError', /createDataset\('bad3'\): data: element 0 is 3 bytes of UTF-8, longer than the 2 bytes/],
    ['createDataset with numbers for strings', () => f.createDataset('bad4', { shape: [2], dtype: 'string', data: [1, 2] }), 'TypeError', /createDataset\('bad4'\): data: element 0 is number 1, not a string/],
    // selections out of bounds or of the wrong rank
    ['a selection past the end', () => x.read({ start: [3], count: [2] }), 'RangeError', /Dataset '\/x'\.read: the selection reaches index 4 in dimension 0, but the dataset's shape is \[4\]/],
    ['a strided selection past the end', () => m.write(0, { start: [0, 1], count: [2, 2], stride: [1, 3] }), 'RangeError', /Dataset '\/grid\/m'\.write: the selection reaches index 4 in dimension 1, but the dataset's shape is \[3, 4\]/],
    ['a union with one slab past the end', () => m.read(new Hyperslab([0, 0], [1, 1]).union({ start: [3, 0], count: [1, 1] })), 'RangeError', /Dataset '\/grid\/m'\.read: the selection reaches index 3 in dimension 0/],
    ['a selection of the wrong rank', () => m.read({ start: [0], count: [1] }), 'RangeError', /Dataset '\/grid\/m'\.read: 'start' has 1 dimensions, the dataset has 2/],
    ['count of the wrong rank', () => x.read({ start: [0], count: [1, 1] }), 'RangeError', /Dataset '\/x'\.read: 'count' has 2 dimensions, the dataset has 1/],
    ['a negative start', () => x.read({ start: [-1], count: [1] }), 'RangeError', /Dataset '\/x'\.read: 'start'\[0\] is -1; expected an integer >= 0/],
    ['a fractional count', () => x.read({ start: [0], count: [1.5] }), 'RangeError', /Dataset '\/x'\.read: 'count'\[0\] is 1.5/],
    ['a zero stride', () => x.read({ start: [0], count: [2], stride: [0] }), 'RangeError', /Dataset '\/x'\.read: 'stride'\[0\] is 0; expected an integer >= 1/],
    ['overlapping blocks', () => x.read({ start: [0], count: [2], stride: [1], block: [2] }), 'RangeError', /Dataset '\/x'\.read: in dimension 0 the blocks \(2\) are longer than the stride \(1\)/],
    ['a selection that is not a hyperslab', () => x.read({ begin: [0] }), 'TypeError', /Dataset '\/x'\.read: a hyperslab needs arrays 'start' and 'count'/],
    ['a selection on a scalar dataset', () => sc.read({ start: [0], count: [1] }), 'RangeError', /Dataset '\/sc'\.read: a scalar dataset takes no selection/],
    // extents
    ['a negative extent', () => f.createDataset('n1', { shape: [-1], dtype: 'int8' }), 'RangeError', new RegExp(`${F}\\.createDataset\\('n1'\\): shape\\[0\\] is -1; expected an integer >= 0`)],
    ['a fractional extent', () => f.createDataset('n2', { shape: [2, 2.5], dtype: 'int8' }), 'RangeError', new RegExp(`${F}\\.createDataset\\('n2'\\): shape\\[1\\] is 2.5`)],
    ['a shape that is not an array', () => f.createDataset('n3', { shape: 4, dtype: 'int8' }), 'TypeError', /createDataset\('n3'\): shape must be an array of integers, got number 4/],
    ['a maxshape smaller than the shape', () => f.createDataset('n4', { shape: [4], dtype: 'int8', maxshape: [2] }), 'RangeError', /createDataset\('n4'\): maxshape\[0\] is 2; it must be Infinity or an integer >= shape\[0\] \(4\)/],
    ['a negative resize', () => m.resize([-1, 4]), 'RangeError', /Dataset '\/grid\/m'\.resize: shape\[0\] is -1/],
    ['resizing a contiguous dataset', () => x.resize([8]), 'H5Error', /Dataset '\/x'\.resize: only chunked datasets can be resized/],
    // dtypes and kinds of data
    ['an unknown dtype', () => f.createDataset('n5', { shape: [1], dtype: 'complex256' }), 'TypeError', /createDataset\('n5'\): unknown dtype "complex256"; expected a name \(int8, .*complex128\)/],
    ['strings into a float dataset', () => x.write(['1', '2', '3', '4']), 'TypeError', /Dataset '\/x'\.write: cannot write strings into a float64 dataset \(element 0 is "1"\)/],
    ['one string into a float dataset', () => x.write('1'), 'TypeError', /Dataset '\/x'\.write: expected a typed array, an array of numbers or a number for a float64 dataset, got string 1/],
    ['numbers into a string dataset', () => s.write([1, 2]), 'TypeError', /Dataset '\/s'\.write: element 0 is number 1, not a string/],
    ['an object as data', () => x.write({ length: 4 }), 'TypeError', /Dataset '\/x'\.write: expected a typed array, an array of numbers or a number/],
    ['an integer out of range', () => m.write(40000, { start: [0, 0], count: [1, 1] }), 'RangeError', /Dataset '\/grid\/m'\.write: element 0 \(40000\) is out of the range of int16/],
    ['a fraction into an integer dataset', () => m.write([1.5], { start: [0, 0], count: [1, 1] }), 'TypeError', /Dataset '\/grid\/m'\.write: element 0 is 1.5, not an integer/],
    ['a string longer than a fixed length', () => fixed.write(['12345']), 'RangeError', /Dataset '\/fixed'\.write: element 0 is 5 bytes of UTF-8, longer than the 4 bytes/],
    ['a NUL inside a string', () => s.write(['a\0b', 'c']), 'TypeError', /Dataset '\/s'\.write: element 0 contains a NUL character/],
    ['readInto a string dataset', () => s.readInto(new Float64Array(2)), 'TypeError', /Dataset '\/s'\.readInto: a string dataset reads into string\[\]: use read\(\)/],
    ['readInto a plain array', () => x.readInto([0, 0, 0, 0]), 'TypeError', /Dataset '\/x'\.readInto: the target must be a typed array, got an array/],
    ['a fill value for strings', () => f.createDataset('n6', { shape: [1], dtype: 'string', fillValue: 0 }), 'TypeError', /createDataset\('n6'\): string datasets take no fillValue/],
    ['a fill value out of range', () => f.createDataset('n7', { shape: [1], dtype: 'uint8', fillValue: -1 }), 'RangeError', /createDataset\('n7'\): fillValue: element 0 \(-1\) is out of the range of uint8/],
    ['stringLength on a number dataset', () => f.createDataset('n8', { shape: [1], dtype: 'int8', stringLength: 4 }), 'TypeError', /createDataset\('n8'\): stringLength is for dtype 'string'/],
    ['an unknown compression', () => f.createDataset('n9', { shape: [4], dtype: 'int8', compression: 'zip' }), 'TypeError', /createDataset\('n9'\): compression string zip is not 'gzip', 'lzf', 'szip' or a filter id/],
    ['a gzip level out of range', () => f.createDataset('n10', { shape: [4], dtype: 'int8', compression: 'gzip', compressionLevel: 10 }), 'RangeError', /createDataset\('n10'\): compressionLevel must be an integer 0-9, got 10/],
    // chunks
    ['chunks of the wrong rank', () => f.createDataset('n11', { shape: [4, 4], dtype: 'int8', chunks: [2] }), 'RangeError', /createDataset\('n11'\): chunks has 1 dimensions, the dataset 2/],
    ['a zero chunk', () => f.createDataset('n12', { shape: [4], dtype: 'int8', chunks: [0] }), 'RangeError', /createDataset\('n12'\): chunks\[0\] must be at least 1/],
    ['a chunk larger than the dataset can be', () => f.createDataset('n13', { shape: [4], dtype: 'int8', chunks: [8] }), 'RangeError', /createDataset\('n13'\): chunks\[0\] \(8\) is larger than the dataset can ever be \(4\)/],
    ['a chunked scalar', () => f.createDataset('n14', { shape: [], dtype: 'int8', chunks: true }), 'TypeError', /createDataset\('n14'\): a scalar dataset cannot be chunked/],
    // names
    ['a dataset over an existing dataset', () => f.createDataset('x', { shape: [1], dtype: 'int8' }), 'H5Error', new RegExp(`${F}\\.createDataset\\('x'\\): '/x' already exists in '${q(file)}'`)],
    ['a group over an existing group', () => f.createGroup('grid'), 'H5Error', /createGroup\('grid'\): '\/grid' already exists/],
    ['a dataset over an existing one, from a group', () => g.createDataset('m', { shape: [1], dtype: 'int8' }), 'H5Error', /Group '\/grid'\.createDataset\('m'\): '\/grid\/m' already exists/],
    ['a path with ..', () => g.get('../x'), 'TypeError', /Group '\/grid'\.get\('\.\.\/x'\): HDF5 paths have no '\.' or '\.\.' components/],
    ['an empty path', () => f.get(''), 'TypeError', /get\(''\): a path must be a non-empty string/],
    // read-only files
    ['writing data through a read-only file', () => r.write([3, 4]), 'H5Error', new RegExp(`Dataset '/r'\\.write: '${q(roFile)}' is open read-only \\(mode 'r'\\)`)],
    ['resizing through a read-only file', () => r.resize([4]), 'H5Error', /Dataset '\/r'\.resize: .* is open read-only/],
    ['creating a group in a read-only file', () => ro.createGroup('g'), 'H5Error', /createGroup\('g'\): .* is open read-only/],
    ['creating a dataset in a read-only file', () => ro.createDataset('d', { shape: [1], dtype: 'int8' }), 'H5Error', /createDataset\('d'\): .* is open read-only/],
    ['setting an attribute in a read-only file', () => r.attrs.set('a', 1), 'H5Error', /Dataset '\/r'\.attrs\.set\('a'\): .* is open read-only/],
    ['deleting in a read-only file', () => ro.delete('r'), 'H5Error', /delete\('r'\): .* is open read-only/],
    // closed files, groups, datasets, attributes
    ['a closed file', () => closedFile.createGroup('x'), 'H5Error', /File '.*closed\.h5' is closed/],
    ['listing a closed file', () => closedFile.keys(), 'H5Error', /File '.*closed\.h5' is closed/],
    ['flushing a closed file', () => closedFile.flush(), 'H5Error', /File '.*closed\.h5' is closed/],
    ['a group of a closed file', () => closedGroup.createDataset('d', { shape: [1], dtype: 'int8' }), 'H5Error', /Group '\/g' is closed \(its file '.*closed\.h5' was closed\)/],
    ['a dataset of a closed file', () => closedData.read(), 'H5Error', /Dataset '\/d' is closed \(its file '.*closed\.h5' was closed\)/],
    ['writing a dataset of a closed file', () => closedData.write([1, 2]), 'H5Error', /Dataset '\/d' is closed/],
    ['the attributes of a closed dataset', () => closedAttrs.keys(), 'H5Error', /Dataset '\/d' is closed/],
    ['setting an attribute of a closed dataset', () => closedAttrs.set('a', 1), 'H5Error', /Dataset '\/d' is closed/],
    ['a closed dataset in an open file', () => closedAlone.read(), 'H5Error', /^Dataset '\/closed-alone' is closed \(in file '.*errors\.h5'\)$/],
    // missing things
    ['reading a missing path', () => f.get('grid/none'), 'H5Error', new RegExp(`${F}\\.get\\('grid/none'\\): nothing at '/grid/none' in '${q(file)}'`)],
    ['a missing intermediate group', () => f.get('no/such/path'), 'H5Error', /get\('no\/such\/path'\): nothing at '\/no\/such\/path'/],
    ['a missing attribute', () => x.attrs.get('units'), 'H5Error', /Dataset '\/x'\.attrs\.get\('units'\): no attribute 'units' on Dataset '\/x'/],
    ['deleting a missing path', () => f.delete('none'), 'H5Error', /delete\('none'\): nothing at '\/none'/],
    ['opening a missing file', () => File.open(path.join(dir, 'missing.h5'), 'r'), 'H5Error', /File\.open\('.*missing\.h5', 'r'\): no such file/],
    ["opening a missing file with 'r+'", () => File.open(path.join(dir, 'missing.h5'), 'r+'), 'H5Error', /File\.open\('.*missing\.h5', 'r\+'\): no such file/],
    ["'w-' on an existing file", () => File.open(roFile, 'w-'), 'H5Error', /File\.open\('.*readonly\.h5', 'w-'\): the file exists/],
    ['a file that is not HDF5', () => File.open(notHdf5, 'r'), 'H5Error', /File\.open\('.*notes\.txt', 'r'\): '.*notes\.txt' is not an HDF5 file/],
    ["a file that is not HDF5, with 'a'", () => File.open(notHdf5, 'a'), 'H5Error', /File\.open\('.*notes\.txt', 'a'\): '.*notes\.txt' is not an HDF5 file/],
    ['a directory as a file', () => File.open(dir, 'r'), 'H5Error', /File\.open\('.*', 'r'\): '.*' is a directory, not an HDF5 file/],
    ['a file in a missing directory', () => File.open(path.join(dir, 'no', 'dir.h5'), 'w'), 'H5Error', /create file '.*no\/dir\.h5' failed: .*No such file or directory/],
    ['an unknown mode', () => File.open(file, 'rw'), 'TypeError', /File\.open\('.*errors\.h5', 'rw'\): unknown mode; expected one of 'r', 'r\+', 'w', 'w-', 'x', 'a'/],
    ['transfer options that are not an object', () => x.read(undefined, 'collective'), 'TypeError', /Dataset '\/x'\.read: options must be an object like \{ collective: true \}/],
  ].map(([label, run, error, message]) => ({ label, run, error, message, code: CODES[label] }));

  return {
    cases,
    /** What still works after all of the above: the file is intact and usable. */
    afterwards() {
      x.write([10, 20, 30, 40]);
      return { x: Array.from(x.read()), keys: f.keys(), r: Array.from(r.read()) };
    },
    close() {
      f.close();
      ro.close();
    },
  };
}

module.exports = { errorCases };
