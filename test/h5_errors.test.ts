// Every bad input throws a clear error that names the object and the problem, and the process lives on:
// in-process here, and in a child `node` whose stderr must stay empty (HDF5 prints no error stacks).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as h5 from '../lib';
import { hasH5py, python } from './helpers/h5tools';
import { describeRun, mpirun, tmpdir } from './helpers/mpirun';

interface Case {
  label: string;
  run: () => unknown;
  error: string;
  message: RegExp;
  /** H5Error.code, for the H5Error cases. */
  code?: string;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { errorCases } = require('./scenarios/h5_serial_errors_cases') as {
  // Plain functions (none uses `this`), so they can be destructured.
  errorCases: (lib: typeof h5, dir: string) => { cases: Case[]; afterwards: () => unknown; close: () => void };
};

const ERROR_CLASSES: Record<string, new (...a: never[]) => Error> = {
  H5Error: h5.H5Error,
  TypeError,
  RangeError,
};

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
const scratch = (): string => {
  const d = tmpdir('h5mpi-errors-');
  dirs.push(d);
  return d;
};

describe('bad input, in-process', () => {
  const setup = errorCases(h5, scratch());
  afterAll(() => setup.close());

  test.each(setup.cases.map((c) => [c.label, c] as const))('%s', (_label, c) => {
    let thrown: unknown;
    try {
      c.run();
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ERROR_CLASSES[c.error]);
    const e = thrown as Error;
    expect(e.name).toBe(c.error);
    expect(e.message).toMatch(c.message);
    if (c.error === 'H5Error') expect({ label: c.label, code: (e as h5.H5Error).code }).toEqual({ label: c.label, code: c.code });
  });

  test('the file is intact and usable after all of them', () => {
    expect(setup.afterwards()).toEqual({ x: [10, 20, 30, 40], keys: ['closed-alone', 'fixed', 'grid', 's', 'sc', 'x'], r: [1, 2] });
  });

  test('errors from HDF5 itself carry its error stack', () => {
    const dir = scratch();
    const e = (() => {
      try {
        h5.File.open(path.join(dir, 'no', 'such', 'dir.h5'), 'w');
      } catch (err) {
        return err as h5.H5Error;
      }
      throw new Error('File.open did not throw');
    })();
    expect(e).toBeInstanceOf(h5.H5Error);
    expect(e.h5stack.length).toBeGreaterThan(0);
    for (const frame of e.h5stack) {
      expect(typeof frame.major).toBe('string');
      expect(typeof frame.minor).toBe('string');
      expect(typeof frame.func).toBe('string');
    }
    expect(e.h5stack.some((f) => /H5F/.test(f.func))).toBe(true);
  });
});

describe('bad input, in a child process', () => {
  test('every case throws the same error, nothing is printed on stderr, and the process exits cleanly', async () => {
    const dir = scratch();
    const run = await mpirun(0, 'h5_serial_errors.js', [dir], { timeoutMs: 60_000 });
    expect({ code: run.code, signal: run.signal, timedOut: run.timedOut }).toEqual({ code: 0, signal: null, timedOut: false });
    // No HDF5 error stack ("HDF5-DIAG: Error detected ..."), no warning, nothing at all.
    if (run.stderr !== '') throw new Error(`stderr was not empty:\n${describeRun(run)}`);
    const reports = run.results[0];
    // The same cases, set up again in the child's directory, so that the paths in the messages match.
    const { cases, close } = errorCases(h5, dir);
    close();
    expect(reports.map((r) => r.label)).toEqual([...cases.map((c) => c.label), 'afterwards', 'done']);
    cases.forEach((c, i) => {
      const r = reports[i] as { threw: boolean; name: string; message: string };
      expect({ label: c.label, threw: r.threw, name: r.name }).toEqual({ label: c.label, threw: true, name: c.error });
      expect(r.message).toMatch(c.message);
    });
    expect(reports[cases.length]).toMatchObject({ value: { x: [10, 20, 30, 40], r: [1, 2] } });
  });
});

describe('errors name the file and the object', () => {
  // A file whose dataset '/x' has a damaged object header (its version byte, in a file h5py wrote with
  // libver='latest', whose headers start with the signature 'OHDR'): the link is there, the object is not
  // readable. get() says HDF5's reason (not "nothing at"), has() sees the link (as h5py's `in`), and the
  // rest of the file reads.
  const describePy = hasH5py() ? describe : describe.skip;
  describePy('an object whose header HDF5 cannot read', () => {
    const file = path.join(scratch(), 'damaged.h5');
    beforeAll(() => {
      const { addr } = python(
        `with h5py.File(sys.argv[1], 'w', libver='latest') as f:\n` +
          `    f['x'] = np.arange(4.0)\n    f['ok'] = np.arange(3)\n    emit({'addr': h5py.h5o.get_info(f['x'].id).addr})`,
        [file],
      ) as { addr: number };
      const bytes = fs.readFileSync(file);
      expect(bytes.subarray(addr, addr + 4).toString('latin1')).toBe('OHDR');
      bytes[addr + 4] = 0xee; // the header's version
      fs.writeFileSync(file, bytes);
    });

    test('get() throws HDF5\'s reason, naming the file and the path; has() and keys() see the link; the rest reads', () => {
      using f = h5.File.open(file, 'r');
      let caught: unknown;
      try {
        f.get('x');
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(h5.H5Error);
      const e = caught as h5.H5Error;
      expect(e.code).not.toBe('NOT_FOUND');
      expect(e.message).toContain(`'/x'`);
      expect(e.message).toContain(`'${file}'`);
      expect(e.message).toMatch(/version/i);
      expect(e.h5stack.length).toBeGreaterThan(0);
      expect(f.has('x')).toBe(true);
      expect(f.keys()).toEqual(['ok', 'x']);
      expect(Array.from((f.get('ok') as h5.Dataset<'int64'>).read())).toEqual([0n, 1n, 2n]);
      // Nothing there is still NOT_FOUND.
      expect(() => f.get('nope')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }) as Error);
    });

    test('h5py cannot open it either', () => {
      const got = python(`with h5py.File(sys.argv[1], 'r') as f:\n    try:\n        f['x']\n        emit('opened')\n    except Exception as e:\n        emit(type(e).__name__)`, [file]);
      expect(got).not.toBe('opened');
    });
  });

  test('a read too large for memory names the dataset, the file and the size', () => {
    const file = path.join(scratch(), 'huge.h5');
    using f = h5.File.open(file, 'w');
    // 8 TiB claimed, nothing stored (chunked): the result array cannot be made.
    const d = f.createDataset('x', { shape: [2 ** 40], dtype: 'float64', chunks: [1024] });
    expect(() => d.read()).toThrow(expect.objectContaining({ name: 'H5Error', code: 'TOO_LARGE' }) as Error);
    expect(() => d.read()).toThrow(`Dataset '/x'.read: the result of 1099511627776 float64 elements from '${file}' cannot be allocated (Array buffer allocation failed)`);
    expect(Array.from(d.read({ start: [5], count: [2] }))).toEqual([0, 0]);
  });
});
