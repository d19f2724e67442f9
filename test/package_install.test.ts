// The package as users get it: `npm pack`'s tarball holds what the docs and the install need (LICENSE, the
// scripts the README names, dist/ with its types, and the sources its maps point at), and `npm install
// <tarball>` in a fresh project builds the addon and runs a 2-rank program. Without a build, requiring it
// says what is missing and the command that fixes it; a prebuild made for another MPI is refused by name
// before it is loaded, and one made for this machine's MPI is used.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { h5dump } from './helpers/h5tools';
import { launcherMPI, mpiEnv, ROOT, tmpdir } from './helpers/mpirun';

const work = tmpdir('h5mpi-package-');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const APP = `
const { MPI, File } = require('h5mpi');
const c = MPI.COMM_WORLD;
const f = File.open('out.h5', 'w');
const d = f.createDataset('x', { shape: [c.size, 3], dtype: 'int32' });
d.write(Int32Array.of(c.rank * 10 + 1, c.rank * 10 + 2, c.rank * 10 + 3), { start: [c.rank, 0], count: [1, 3] }, { collective: true });
f.close();
const g = File.open('out.h5', 'r');
const all = g.get('x').read();
g.close();
console.log(JSON.stringify({ rank: c.rank, size: c.size, from: require.resolve('h5mpi'), all: Array.from(all) }));
`;

/** `node -e code` in `cwd`: its exit status and what it printed. */
function node(code: string, cwd: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['-e', code], { cwd, encoding: 'utf8', env: mpiEnv(), timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('npm pack ships what installs and runs; npm install <tarball> builds it and a 2-rank program runs; without a fitting addon, require says how to build one', () => {
  // The tarball, as npm pack makes it (dist/ as built for the tests).
  const packed = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' });
  const [info] = JSON.parse(packed) as { filename: string; files: { path: string }[] }[];
  const files = new Set(info.files.map((f) => f.path));
  for (const f of ['LICENSE', 'README.md', 'package.json', 'CMakeLists.txt', 'cmake/h5mpi-mpi.cmake', 'binding/addon.cc', 'scripts/install.js', 'scripts/install-deps.sh', 'scripts/mpienv.sh', 'dist/index.js', 'dist/index.d.ts', 'dist/loader.js']) {
    expect({ f, shipped: files.has(f) }).toEqual({ f, shipped: true });
  }
  expect([...files].filter((f) => /^(test|bench|demo|docs|build|node_modules|prebuilds)\//.test(f))).toEqual([]);
  // Every module with its types, and every source map pointing at sources that are shipped too.
  const modules = [...files].filter((f) => /^dist\/.*\.js$/.test(f));
  expect(modules.length).toBeGreaterThan(20);
  expect(modules.filter((f) => !files.has(f.replace(/\.js$/, '.d.ts')))).toEqual([]);
  const unresolved: string[] = [];
  const tarball = path.join(work, info.filename);
  const unpacked = path.join(work, 'unpacked');
  fs.mkdirSync(unpacked);
  execFileSync('tar', ['xzf', tarball, '-C', unpacked]);
  for (const map of [...files].filter((f) => f.endsWith('.js.map'))) {
    const m = JSON.parse(fs.readFileSync(path.join(unpacked, 'package', map), 'utf8')) as { sources: string[]; sourceRoot?: string };
    for (const s of m.sources) {
      const source = path.posix.normalize(path.posix.join(path.posix.dirname(map), m.sourceRoot ?? '', s));
      if (!files.has(source)) unresolved.push(`${map} -> ${source}`);
    }
  }
  expect(unresolved).toEqual([]);

  // A fresh project: npm install builds the addon (its install script runs cmake-js).
  const app = path.join(work, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  fs.writeFileSync(path.join(app, 'app.js'), APP);
  const install = spawnSync('npm', ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline'], { cwd: app, encoding: 'utf8', timeout: 600_000 });
  expect({ status: install.status, output: install.status === 0 ? '' : `${install.stdout}\n${install.stderr}` }).toEqual({ status: 0, output: '' });
  const pkg = path.join(app, 'node_modules', 'h5mpi');
  expect(fs.existsSync(path.join(pkg, 'build', 'Release', 'h5mpi.node'))).toBe(true);

  // A 2-rank program through mpiexec, writing and reading one file.
  const run = spawnSync('mpiexec', ['-n', '2', process.execPath, 'app.js'], { cwd: app, encoding: 'utf8', env: mpiEnv(), timeout: 120_000 });
  expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ status: 0, stderr: '' });
  const ranks = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).sort((a, b) => (a.rank as number) - (b.rank as number));
  const all = [1, 2, 3, 11, 12, 13];
  expect(ranks).toEqual([0, 1].map((rank) => ({ rank, size: 2, from: path.join(pkg, 'dist', 'index.js'), all })));
  expect(h5dump(path.join(app, 'out.h5'), '/x').values).toEqual(all.map(String));

  // No addon (as after npm install --ignore-scripts): what is missing, the command, the packages it needs.
  const built = path.join(pkg, 'build.off');
  fs.renameSync(path.join(pkg, 'build'), built);
  const missing = node("require('h5mpi')", app);
  expect(missing.status).not.toBe(0);
  expect(missing.stderr).toContain(`Error: h5mpi: the native addon is not built: there is no build/Release/h5mpi.node (nor a prebuild for linux-x64) in ${pkg}.`);
  expect(missing.stderr).toContain('Build the addon for this machine: npm rebuild h5mpi.');
  expect(missing.stderr).toContain(`bash ${path.join(pkg, 'scripts', 'install-deps.sh')} installs them (libhdf5-openmpi-dev openmpi-bin libopenmpi-dev`);

  // A prebuild made for the other MPI than this machine's (the same binary, so that loading it would work:
  // only its manifest can refuse it): refused by name, before the loader tries it. Manifests as
  // `npm run build:prebuild` writes them on Debian with each MPI.
  const MANIFESTS = {
    openmpi: { mpi: 'Open MPI v4.1.4, package: Debian OpenMPI', hdf5: '1.10.8', needs: ['libhdf5_openmpi.so.103', 'libmpi.so.40', 'libstdc++.so.6'], runpath: ['/usr/lib/x86_64-linux-gnu/hdf5/openmpi'] },
    mpich: { mpi: 'MPICH Version: 4.0.2', hdf5: '1.10.8', needs: ['libhdf5_mpich.so.103', 'libmpich.so.12', 'libstdc++.so.6'], runpath: ['/usr/lib/x86_64-linux-gnu/hdf5/mpich'] },
  };
  const here = launcherMPI().family === 'openmpi' ? 'openmpi' : 'mpich';
  const foreign = here === 'openmpi' ? 'mpich' : 'openmpi';
  const cache = spawnSync(fs.existsSync('/sbin/ldconfig') ? '/sbin/ldconfig' : 'ldconfig', ['-p'], { encoding: 'utf8' });
  const foreignLibs = MANIFESTS[foreign].needs.slice(0, 2);
  expect({ status: cache.status, foreign: foreignLibs.filter((l) => cache.stdout.includes(`${l} `)) }).toEqual({ status: 0, foreign: [] });
  const prebuilds = path.join(pkg, 'prebuilds', 'linux-x64');
  fs.mkdirSync(prebuilds, { recursive: true });
  const tag = (flavour: string, manifest: object) => {
    fs.copyFileSync(path.join(built, 'Release', 'h5mpi.node'), path.join(prebuilds, `h5mpi.${flavour}.node`));
    fs.writeFileSync(path.join(prebuilds, `h5mpi.${flavour}.json`), JSON.stringify({ flavour, ...manifest }));
  };
  tag(foreign, MANIFESTS[foreign]);
  const other = node("require('h5mpi')", app);
  expect(other.status).not.toBe(0);
  expect(other.stderr).toContain(
    `Error: h5mpi: no build of the native addon fits this machine. prebuilds/linux-x64/h5mpi.${foreign}.node was built for ` +
      `${MANIFESTS[foreign].mpi.split(',')[0]} with HDF5 1.10.8, and needs ${foreignLibs.join(', ')}, which are not installed here ` +
      `(this machine has ${here === 'openmpi' ? 'Open MPI: libmpi.so.40' : 'MPICH: libmpich.so.12'}).`,
  );
  expect(other.stderr).toContain('Build the addon for this machine: npm rebuild h5mpi.');

  // Beside it, one made for this machine's MPI (what `npm run build:prebuild` writes here): that one is used.
  // Its manifest as tag-prebuild.js writes it: the libraries the build really needs (HDF5's soname follows
  // the version: .103 for 1.10, .310 for 1.14).
  const needed = [...execFileSync('readelf', ['-d', path.join(built, 'Release', 'h5mpi.node')], { encoding: 'utf8' }).matchAll(/\(NEEDED\)[^[]*\[([^\]]+)\]/g)].map((m) => m[1]);
  expect(needed).toEqual(expect.arrayContaining([MANIFESTS[here].needs[1]]));
  tag(here, { ...MANIFESTS[here], needs: needed, runpath: undefined });
  const fits = node(`const h = require('h5mpi'); const { locateAddon } = require(${JSON.stringify(path.join(pkg, 'dist', 'loader.js'))});` + `console.log(JSON.stringify({ file: locateAddon(${JSON.stringify(pkg)}).file, sum: h.MPI.COMM_WORLD.allreduce(21, 'sum') }));`, app);
  expect({ status: fits.status, stderr: fits.status === 0 ? '' : fits.stderr }).toEqual({ status: 0, stderr: '' });
  expect(JSON.parse(fits.stdout)).toEqual({ file: path.join(prebuilds, `h5mpi.${here}.node`), sum: 21 });

  // A build that is there but does not load: said so, with the same command.
  fs.rmSync(prebuilds, { recursive: true });
  fs.mkdirSync(path.join(pkg, 'build', 'Release'), { recursive: true });
  fs.writeFileSync(path.join(pkg, 'build', 'Release', 'h5mpi.node'), 'not an ELF file\n');
  const broken = node("require('h5mpi')", app);
  expect(broken.status).not.toBe(0);
  expect(broken.stderr).toMatch(/Error: h5mpi: the native addon build\/Release\/h5mpi\.node cannot be loaded \([^)]*h5mpi\.node: (file too short|invalid ELF header)\)\. /);
  expect(broken.stderr).toContain('Build the addon for this machine: npm rebuild h5mpi.');
}, 900_000);

test('no npm script runs another by accident (npm runs preX and postX around X)', () => {
  const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  // `prebuild` used to run prebuildify before every `npm run build`, moving the fresh build out of build/.
  const hooks = Object.keys(scripts).filter((s) => /^(pre|post)./.test(s) && scripts[s.replace(/^(pre|post)/, '')] !== undefined);
  expect(hooks.sort()).toEqual(['prebench', 'predemo', 'prefuzz', 'prestress', 'pretest']);
});
