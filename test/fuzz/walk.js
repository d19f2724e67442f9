// Opens one HDF5 file read-only with h5mpi and walks all of it, as a user's program would: every group's
// keys, every member opened, every dataset read whole, every attribute read. Errors are caught per
// object and the walk goes on, so that one clear error does not hide a crash further on. Prints one JSON
// line: { errors: [{ path, name, code, message }], objects }. Used by run.js (one child per mutant) and by
// test/fuzz_corpus.test.ts.
//   node test/fuzz/walk.js FILE [--untrusted] [--timeout MS] [--max-bytes N] [--visit]
// --visit first calls visit() on the root (the whole tree, as h5py's visit), then walks.
// H5MPI_FUZZ_LIB=<dir> walks with another build of h5mpi (its dist/ and build/Release/), to compare two.
'use strict';
const path = require('node:path');
const { File, Group, Dataset } = require(path.join(process.env.H5MPI_FUZZ_LIB ?? path.join(__dirname, '../..'), 'dist'));

const args = process.argv.slice(2);
const file = args[0];
const opt = (name) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
};
const untrusted = args.includes('--untrusted');
const errors = [];
let objects = 0;
const note = (where, e) => errors.push({ path: where, name: e?.name ?? typeof e, code: e?.code, message: String(e?.message ?? e).slice(0, 300) });
const attempt = (where, fn) => {
  try {
    return fn();
  } catch (e) {
    note(where, e);
    return undefined;
  }
};

function attributes(obj, where) {
  const names = attempt(`${where}@keys`, () => obj.attrs.keys()) ?? [];
  for (const n of names) attempt(`${where}@${n}`, () => obj.attrs.get(n));
}

// A mutated file can make a group its own member: each object once (by path depth and a count).
function walk(group, where, depth) {
  attributes(group, where);
  if (depth > 16) return;
  const names = attempt(`${where}:keys`, () => group.keys()) ?? [];
  for (const n of names) {
    if (++objects > 5000) return;
    const p = where === '/' ? `/${n}` : `${where}/${n}`;
    const obj = attempt(p, () => group.get(n));
    // Through a soft link: opened, not walked (a link to a group above it would make the walk exponential).
    const soft = attempt(`${p}:link`, () => group.getLink(n))?.type !== 'hard';
    if (obj instanceof Group) {
      if (!soft) walk(obj, p, depth + 1);
    }
    else if (obj instanceof Dataset) {
      attributes(obj, p);
      attempt(`${p}:read`, () => obj.read());
    } else if (obj) attributes(obj, p);
  }
}

const options = untrusted ? { untrusted: true, ...(opt('--timeout') ? { checkTimeout: Number(opt('--timeout')) } : {}), ...(opt('--max-bytes') ? { maxBytes: Number(opt('--max-bytes')) } : {}) } : {};
try {
  const f = File.open(file, 'r', options);
  try {
    if (args.includes('--visit')) attempt('/:visit', () => f.visit(() => undefined));
    walk(f, '/', 0);
  } finally {
    attempt('close', () => f.close());
  }
} catch (e) {
  note('open', e);
}
process.stdout.write(`${JSON.stringify({ errors, objects })}\n`);
