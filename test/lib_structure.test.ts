// The shape of lib/: no module imports itself through others (type-only imports included, so that the
// dependency graph is what a reader sees), and the published types show no internal member.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from './helpers/mpirun';

const LIB = path.join(ROOT, 'lib');

/** Every module of lib/ and the lib/ modules it imports (value or type imports, and re-exports). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const f of fs.readdirSync(LIB).filter((n) => n.endsWith('.ts'))) {
    const source = fs.readFileSync(path.join(LIB, f), 'utf8');
    const deps = new Set<string>();
    for (const m of source.matchAll(/(?:import|export)\s[^;]*?from\s+'\.\/([\w-]+)'|require\('\.\/([\w-]+)'\)|declare module '\.\/([\w-]+)'/g)) {
      deps.add(`${m[1] ?? m[2] ?? m[3]}.ts`);
    }
    graph.set(f, [...deps]);
  }
  return graph;
}

/** The cycles of a graph, each as the list of modules around it. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): void => {
    state.set(n, 'open');
    stack.push(n);
    for (const d of graph.get(n) ?? []) {
      if (state.get(d) === 'open') found.push([...stack.slice(stack.indexOf(d)), d]);
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of [...graph.keys()].sort()) if (!state.has(n)) visit(n);
  return found;
}

test('lib/ has no import cycle', () => {
  const graph = importGraph();
  expect(graph.size).toBeGreaterThan(15);
  expect(graph.get('file.ts')).toEqual(expect.arrayContaining(['group.ts', 'context.ts']));
  expect(cycles(graph).map((c) => c.join(' -> '))).toEqual([]);
});

test('the cycle finder finds a cycle', () => {
  const graph = new Map([
    ['a.ts', ['b.ts']],
    ['b.ts', ['c.ts']],
    ['c.ts', ['a.ts']],
    ['d.ts', ['a.ts']],
  ]);
  expect(cycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
});

describe('published types', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'h5mpi-dts-'));
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', dir, '--sourceMap', 'false'], { cwd: ROOT, encoding: 'utf8' });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('internal members are not in the .d.ts files', () => {
    const dts = ['object', 'group', 'file', 'dataset', 'attrs', 'mpi', 'comm'].map((m) => fs.readFileSync(path.join(dir, `${m}.d.ts`), 'utf8')).join('\n');
    for (const name of ['_collective', '_metadataRead', '_checkWritable', '_closeObject', '_invalidate', '_location', '_checkOpen', '_closeNative', '_handle', '_open', '_wrap', '_for', '_call', '_native', '_failed', '_rankArg', '_sourceArg', '_tagArg', 'closeAtExit', 'ctx:', 'native:']) {
      expect({ name, found: dts.includes(name) }).toEqual({ name, found: false });
    }
  });

  test('every public member of the file objects, and nothing else, names the file in what it throws', () => {
    // lib/naming.ts wraps the members each class lists; a member missing from a list would throw errors that
    // do not name the file, a private one listed would cost a wrapper on every internal call.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const lib = require('../lib') as Record<string, { prototype: object }>;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { wrapped } = require('../lib/naming') as { wrapped: Map<object, readonly string[]> };
    const publicMembers = (file: string, cls: string): string[] => {
      const src = fs.readFileSync(path.join(dir, `${file}.d.ts`), 'utf8');
      const start = src.search(new RegExp(`class ${cls}\\b`));
      expect(start).toBeGreaterThan(-1);
      let depth = 0;
      let end = src.indexOf('{', start);
      const open = end;
      for (; end < src.length; end++) {
        if (src[end] === '{') depth++;
        else if (src[end] === '}' && --depth === 0) break;
      }
      const names = new Set<string>();
      for (const line of src.slice(open + 1, end).split('\n')) {
        // Methods and accessors (on the prototype); fields (`readonly x: T`) are set once and cannot throw.
        const m = /^ {4}(private |protected )?(static )?(get |set )?([A-Za-z_$][\w$]*)[(<]/.exec(line);
        if (m && !m[1] && !m[2] && m[4] !== 'constructor' && !m[4].startsWith('_')) names.add(m[4]);
      }
      return [...names].sort();
    };
    const classes: [string, string, string[]][] = [
      ['dataset', 'Dataset', ['isScale', 'makeScale']],
      ['group', 'Group', []],
      ['file', 'File', []],
      ['attrs', 'Attributes', []],
      ['datatype', 'Datatype', []],
      ['dims', 'Dimension', []],
    ];
    for (const [file, cls, elsewhere] of classes) {
      const listed = [...(wrapped.get(lib[cls].prototype) ?? [])].filter((n) => !elsewhere.includes(n)).sort();
      expect({ cls, listed }).toEqual({ cls, listed: publicMembers(file, cls) });
    }
  });

  test('objects cannot be made with new, only opened', () => {
    const probe = path.join(dir, 'probe.ts');
    fs.writeFileSync(probe, `import { Dataset, Group, Attributes, Comm } from './index';\nnew Dataset();\nnew Group();\nnew Attributes();\nnew Comm();\n`);
    let out = '';
    try {
      execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '--noEmit', '--strict', '--target', 'es2022', '--module', 'commonjs', '--types', 'node', '--typeRoots', path.join(ROOT, 'node_modules', '@types'), '--lib', 'es2022,esnext.disposable', probe], { cwd: dir, encoding: 'utf8' });
    } catch (e) {
      out = (e as { stdout: string }).stdout;
    }
    // The published declarations themselves compile cleanly; only the four `new` calls fail.
    const errors = out.split('\n').filter((l) => / error TS/.test(l));
    expect(errors.filter((l) => !l.startsWith('probe.ts'))).toEqual([]);
    expect(errors).toHaveLength(4);
    for (const cls of ['Dataset', 'Group', 'Attributes', 'Comm']) {
      expect(out).toMatch(new RegExp(`Constructor of class '${cls}(<D>)?' is (private|protected)`));
    }
  });
});
