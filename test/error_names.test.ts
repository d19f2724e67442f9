// Every error names the file and the object (issue 17, item 3): each public call of File, Group, Dataset,
// attrs, Datatype, dimension scales, links, references, virtual datasets and filters made to fail for a
// realistic reason on a real file (test/scenarios/error_names_cases.js holds the table), and collective
// calls failing in a 2-rank job, where every rank's message must name them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as h5 from '../lib';
import { mpirunOk, reportsLabelled, tmpdir } from './helpers/mpirun';
import { thrown } from './helpers/thrown';

interface NameCase {
  label: string;
  run: () => unknown;
  file: string;
  /** The object's absolute path, or null where none applies (`why` says why). */
  object: string | null;
  why?: string;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { nameCases } = require('./scenarios/error_names_cases') as { nameCases: (lib: typeof h5, dir: string) => { cases: NameCase[]; close: () => void } };

const root = tmpdir('h5mpi-names-');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const scratch = (): string => fs.mkdtempSync(path.join(root, 'case-'));

/**
 * Whether `message` names `object`: its absolute path, or a call's argument relative to the group the call
 * was made on ("File 'a.h5'.get('g/x')", "Group '/g'.createDataset('x')").
 */
function namesObject(message: string, object: string): boolean {
  if (message.includes(`'${object}'`)) return true;
  const parts = object.split('/').filter((p) => p !== '');
  return parts.some((_, i) => {
    const group = `/${parts.slice(0, i).join('/')}`;
    const groupNamed = i === 0 ? message.startsWith('File ') : message.includes(`Group '${group}'`);
    return groupNamed && message.includes(`('${parts.slice(i).join('/')}'`);
  });
}

describe('in-process: every failing call names the file and the object', () => {
  const setup = nameCases(h5, scratch());
  afterAll(() => setup.close());

  test.each(setup.cases.map((c) => [c.label, c] as const))('%s', (_label, c) => {
    const e = thrown(c.run);
    expect(e).toBeInstanceOf(Error);
    const named = { file: e.message.includes(`'${c.file}'`), object: c.object === null ? c.why : namesObject(e.message, c.object) };
    expect({ message: e.message, ...named }).toEqual({ message: e.message, file: true, object: c.object === null ? c.why : true });
    // An uncaught error prints its stack, whose first line must say the same.
    expect(e.stack?.startsWith(`${e.name}: ${e.message}\n`)).toBe(true);
  });

  test('the file is named once, and where the message already names it, not again', () => {
    const dir = scratch();
    const file = path.join(dir, 'once.h5');
    using f = h5.File.open(file, 'w');
    const d = f.createDataset('d', { shape: [2], dtype: 'int8' });
    expect(thrown(() => d.write([1, 2, 3])).message).toBe(`Dataset '/d'.write: 3 values for a selection of 2 elements (in file '${file}')`);
    expect(thrown(() => f.get('nope')).message).toBe(`File '${file}'.get('nope'): nothing at '/nope' in '${file}'`);
    // A failure passing through several wrapped calls (Dimension.get, then the Dataset's) names the file once.
    expect(thrown(() => d.dims[0].get(0)).message.split(`'${file}'`)).toHaveLength(2);
  });
});

describe('damaged files: what HDF5 refuses in a mutant names the file and the object', () => {
  // Mutants of the fuzz seeds (test/fuzz/mutate.js, deterministic), walked in a child process as a user's
  // program would (test/fuzz/walk.js: keys, every object, every read, every attribute): every error the
  // walk meets must name the mutant's file and the object it was at. (225 mutants, 25 a seed, gave 154
  // errors, all named; this runs 6 a seed, which give about 40.)
  /* eslint-disable @typescript-eslint/no-require-imports -- the fuzz scripts are plain JS, shared with npm run fuzz */
  const { mutant } = require('./fuzz/mutate') as { mutant: (id: string) => { bytes: Buffer } };
  const { walk } = require('./fuzz/outcome') as {
    walk: (tool: string, file: string, o: { timeoutS: number }) => Promise<{ outcome: string; errors?: { path: string; name: string; message: string }[] }>;
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  const seeds = fs.readdirSync(path.join(__dirname, 'fuzz', 'seeds')).map((f) => f.replace(/\.h5$/, ''));
  const ids = seeds.flatMap((s) => [1000, 1001, 1002, 1003, 1004, 1005].map((n) => `${s}:${n}`));

  test(`${ids.length} mutants: every error names the file and where the walk was`, async () => {
    const dir = scratch();
    const unnamed: string[] = [];
    let errors = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < ids.length) {
        const id = ids[next++];
        const file = path.join(dir, `${id.replace(':', '_')}.h5`);
        fs.writeFileSync(file, mutant(id).bytes);
        const r = await walk('h5mpi', file, { timeoutS: 8 });
        for (const e of r.errors ?? []) {
          errors++;
          // The walk's place: '/g/x:read', '/g@attr:read', or 'open' (the file itself).
          const at = e.path.replace(/:[A-Za-z]+$/, '').split('@')[0];
          const named = e.message.includes(`'${file}'`) && (at === 'open' || at === '/' || e.message.includes(`'${at}'`));
          if (!named) unnamed.push(`${id} ${e.path}: ${e.name}: ${e.message}`);
        }
      }
    };
    await Promise.all([worker(), worker()]);
    expect(errors).toBeGreaterThan(20);
    expect(unnamed).toEqual([]);
  }, 300_000);
});

describe('2 ranks: every rank of a failing collective call names the file and the object', () => {
  const file = path.join(scratch(), 'par.h5');
  let results: Record<string, unknown>[][];
  beforeAll(async () => {
    results = await mpirunOk(2, 'error_names_par.js', [file], { timeoutMs: 90_000 });
  }, 120_000);

  // Every rank throws the same H5Error; the last rank refuses and the others throw a PeerFailedError; the
  // ranks make different calls.
  const alike = ['createGroup: exists', 'createDataset: exists', 'delete: missing', 'attrs.delete: missing', 'resize: contiguous', 'collective read: closed', 'move: destination exists'];
  const oneRank = { 'collective write: wrong length on one rank': 'RangeError', 'createDataset: bad shape on one rank': 'RangeError', 'attrs.set: bad value on one rank': 'TypeError' };
  const mismatch = ['makeScale: read on one rank, write on others', 'createGroup: different paths'];
  const LABELS: [string, string[]][] = [
    ...alike.map((l): [string, string[]] => [l, ['H5Error', 'H5Error']]),
    ...Object.entries(oneRank).map(([l, name]): [string, string[]] => [l, ['PeerFailedError', name]]),
    ...mismatch.map((l): [string, string[]] => [l, ['CollectiveMismatchError', 'CollectiveMismatchError']]),
  ];
  test.each(LABELS)('%s', (label, names) => {
    const got = reportsLabelled(results, label).map((r) => ({
      threw: r.threw,
      name: r.name,
      file: String(r.message).includes(`'${file}'`),
      object: namesObject(String(r.message), String(r.object)),
    }));
    expect(got).toEqual(names.map((name) => ({ threw: true, name, file: true, object: true })));
  });

  test('the file is usable after all of them', () => {
    for (const r of reportsLabelled(results, 'after')) expect(r.rows).toEqual([0, 0, 1, 1]);
  });
});
