// Deterministic mutants of the fuzz seeds: mutant `<seed>:<n>` is the seed file's bytes changed by a PRNG
// seeded from the seed's name and n, so the same id always gives the same bytes (no file of them is
// needed in the repository). Four kinds, as the survey used: bit flips, overwrites (random bytes
// or boundary values: 0, 0xff.., small and huge lengths), truncations, and moved blocks (a block copied over
// another place, which duplicates headers and addresses).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const SEEDS = path.join(__dirname, 'seeds');
const KINDS = ['flip', 'overwrite', 'truncate', 'move'];

/** xorshift32 over a seed hashed from text (FNV-1a): small, fast, the same everywhere. */
function rng(text) {
  let h = 0x811c9dc5;
  for (const c of Buffer.from(text)) h = Math.imul(h ^ c, 0x01000193) >>> 0;
  let x = h || 1;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  for (let i = 0; i < 8; i++) next();
  return { next, below: (n) => next() % n };
}

// Values that land on length, count and address fields: zero, all ones, and sizes past the file's end.
const INTERESTING = [[0x00], [0xff], [0x7f], [0x80], [0xff, 0xff], [0x00, 0x00, 0x00, 0x80], [0xff, 0xff, 0xff, 0xff], [0x00, 0x00, 0x01, 0x00], [0x10, 0x27, 0, 0]];

/** The mutant's bytes and what was done: `id` is '<seed name without .h5>:<n>'. */
function mutant(id, seedsDir = SEEDS) {
  const m = /^([\w.-]+):(\d+)$/.exec(id);
  if (!m) throw new Error(`mutant id '${id}': expected '<seed>:<n>'`);
  const seed = fs.readFileSync(path.join(seedsDir, `${m[1]}.h5`));
  const r = rng(id);
  const kind = KINDS[Number(m[2]) % KINDS.length];
  const buf = Buffer.from(seed);
  const at = () => r.below(buf.length);
  let what;
  switch (kind) {
    case 'flip': {
      const n = 1 + r.below(8);
      const bits = [];
      for (let i = 0; i < n; i++) {
        const o = at();
        const b = r.below(8);
        buf[o] ^= 1 << b;
        bits.push(`${o}.${b}`);
      }
      what = `flip ${bits.join(' ')}`;
      break;
    }
    case 'overwrite': {
      const n = 1 + r.below(4);
      const runs = [];
      for (let i = 0; i < n; i++) {
        const o = at();
        const bytes = r.below(2) ? INTERESTING[r.below(INTERESTING.length)] : Array.from({ length: 1 + r.below(8) }, () => r.below(256));
        for (let j = 0; j < bytes.length && o + j < buf.length; j++) buf[o + j] = bytes[j];
        runs.push(`${o}:${Buffer.from(bytes).toString('hex')}`);
      }
      what = `overwrite ${runs.join(' ')}`;
      break;
    }
    case 'truncate': {
      // Past the superblock (a shorter file is only "not HDF5"), anywhere up to the end.
      const len = 96 + r.below(buf.length - 96);
      return { id, kind, what: `truncate to ${len} of ${buf.length}`, bytes: buf.subarray(0, len) };
    }
    case 'move': {
      const len = 8 + r.below(248);
      const from = r.below(buf.length - len);
      const to = r.below(buf.length - len);
      buf.copy(buf, to, from, from + len);
      what = `move ${len} bytes ${from} -> ${to}`;
      break;
    }
  }
  return { id, kind, what, bytes: buf };
}

/** The seeds' names (without .h5), sorted. */
function seedNames(seedsDir = SEEDS) {
  return fs.readdirSync(seedsDir).filter((f) => f.endsWith('.h5')).map((f) => f.slice(0, -3)).sort();
}

/** `count` mutant ids spread evenly over the seeds, from n = `first` on. */
function mutantIds(count, first = 0, seedsDir = SEEDS) {
  const seeds = seedNames(seedsDir);
  const ids = [];
  for (let i = 0; ids.length < count; i++) for (const s of seeds) if (ids.length < count) ids.push(`${s}:${first + i}`);
  return ids;
}

module.exports = { mutant, mutantIds, seedNames, SEEDS };

if (require.main === module) {
  // node test/fuzz/mutate.js <id> <out.h5>: writes one mutant, says what was changed.
  const [id, out] = process.argv.slice(2);
  if (!id || !out) {
    console.error('usage: node test/fuzz/mutate.js <seed>:<n> <out.h5>');
    process.exit(2);
  }
  const m = mutant(id);
  fs.writeFileSync(out, m.bytes);
  console.log(`${m.id}: ${m.what}`);
}
