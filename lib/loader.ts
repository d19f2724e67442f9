// Finding and loading the compiled addon, and saying what to do when there is none that fits. A build made
// here (build/Release, by npm install's cmake-js) comes first. Else a prebuild (prebuilds/<platform>-<arch>/
// h5mpi.<mpi>.node, made by `npm run build:prebuild`), whose manifest (h5mpi.<mpi>.json) names the MPI and
// HDF5 it was built with and the shared libraries it needs: one whose libraries are not on this machine
// was built for another MPI (Open MPI's libmpi.so.40, MPICH's libmpi.so.12, ...) and is refused before
// loading, with a message, rather than failing in the dynamic loader or, where both MPIs are installed,
// loading one that does not belong to the mpiexec that started the job.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setMPIEnvironmentDefaults } from './mpiimpl';

/** What `npm run build:prebuild` writes next to a prebuild. */
export interface PrebuildManifest {
  /** MPI_Get_library_version's first line: "Open MPI v4.1.4, ...", "MPICH Version: 4.0.2". */
  mpi: string;
  /** The MPI's family, as the prebuild's file name tags it: 'openmpi', 'mpich', ... */
  flavour: string;
  /** The HDF5 version it was built against. */
  hdf5: string;
  /** The shared libraries it needs (its ELF DT_NEEDED entries), by soname. */
  needs: string[];
  /** Where it looks for them first (its DT_RUNPATH). */
  runpath?: string[];
}

/** The MPI families by the soname of their libmpi, to say which one a machine has. */
const MPI_LIBRARIES: [string, string][] = [
  ['libmpi.so.40', 'Open MPI'],
  ['libmpich.so.12', 'MPICH'],
  ['libmpi.so.12', 'an MPICH-ABI MPI (Intel MPI, MVAPICH)'],
  ['libmpi_cray.so.12', 'Cray MPICH'],
];

/**
 * The addon's path under the package root `root`: a build made here, else the first prebuild made for this
 * machine's MPI. Throws an Error saying what is missing and the command that fixes it.
 */
export function locateAddon(packageRoot: string): { file: string; manifest?: PrebuildManifest } {
  const root = path.resolve(packageRoot);
  for (const dir of ['build/Release', 'build/Debug']) {
    const file = path.join(root, dir, 'h5mpi.node');
    if (fs.existsSync(file)) return { file };
  }
  const dir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
  const names = readdir(dir).filter((n) => /^h5mpi(\..+)?\.node$/.test(n)).sort();
  const refused: string[] = [];
  let untagged: string | undefined;
  for (const name of names) {
    const file = path.join(dir, name);
    const manifest = readManifest(file);
    if (!manifest) {
      untagged ??= file; // without a manifest: only its load can say whether it fits
      continue;
    }
    const missing = manifest.needs.filter((lib) => !libraryFound(lib, manifest.runpath ?? []));
    if (missing.length === 0) return { file, manifest };
    refused.push(
      `${path.relative(root, file)} was built for ${manifest.mpi.split(',')[0]} with HDF5 ${manifest.hdf5}, and needs ` +
        `${missing.join(', ')}, which ${missing.length > 1 ? 'are' : 'is'} not installed here`,
    );
  }
  if (untagged) return { file: untagged };
  if (refused.length > 0) {
    const here = MPI_LIBRARIES.filter(([lib]) => libraryFound(lib, [])).map(([lib, name]) => `${name}: ${lib}`);
    throw new Error(
      `h5mpi: no build of the native addon fits this machine. ${refused.join('; ')} (this machine has ` +
        `${here.length > 0 ? here.join(', ') : 'neither Open MPI nor an MPICH-ABI MPI where the dynamic loader looks'}). ` +
        `A prebuild for another MPI is not loaded: it would fail, or mix two MPIs in one job. ${howToBuild(root)}`,
    );
  }
  throw new Error(
    `h5mpi: the native addon is not built: there is no build/Release/h5mpi.node (nor a prebuild for ` +
      `${process.platform}-${process.arch}) in ${root}. npm install builds it; that was skipped (--ignore-scripts) ` +
      `or failed. ${howToBuild(root)}`,
  );
}

/** Loads the addon `locateAddon` found; a loader failure (missing or changed libraries) says what to do. */
export function loadAddon<T>(packageRoot: string): T {
  const root = path.resolve(packageRoot);
  const { file, manifest } = locateAddon(root);
  // Before libmpi loads with the addon: UCX's memory hooks crash V8's garbage collector (lib/mpiimpl.ts).
  setMPIEnvironmentDefaults();
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a compiled addon loads this way
    return require(file) as T;
  } catch (e) {
    // The dynamic loader's failures only: the addon's own refusals (in a worker thread) say why themselves.
    if ((e as { code?: unknown } | null)?.code !== 'ERR_DLOPEN_FAILED') throw e;
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    const what = manifest
      ? `It is a prebuild for ${manifest.mpi.split(',')[0]} with HDF5 ${manifest.hdf5}, whose libraries this process cannot find or use`
      : 'It was built against an MPI and HDF5 that this process cannot find or use now';
    throw new Error(
      `h5mpi: the native addon ${path.relative(root, file)} cannot be loaded (${why}). ${what}: another MPI or ` +
        `HDF5 module loaded, or the libraries moved or were removed. ${howToBuild(root)}`,
      { cause: e },
    );
  }
}

/** The command that builds the addon where `root` is, and what the build needs. */
function howToBuild(root: string): string {
  const installed = path.basename(path.dirname(root)) === 'node_modules';
  const command = installed ? 'npm rebuild h5mpi' : 'npm run build:native';
  const deps = path.join(root, 'scripts', 'install-deps.sh');
  return (
    `Build the addon for this machine: ${command}. That needs cmake, a C++17 compiler, an MPI and a parallel HDF5 built ` +
    `with it: on Debian or Ubuntu, bash ${deps} installs them (libhdf5-openmpi-dev openmpi-bin libopenmpi-dev ` +
    'cmake g++ pkg-config, or with H5MPI_MPI=mpich libhdf5-mpich-dev mpich libmpich-dev); on a cluster, module load an MPI and a parallel HDF5 first (HDF5_ROOT points the ' +
    'build at one).'
  );
}

function readdir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function readManifest(file: string): PrebuildManifest | undefined {
  try {
    const m = JSON.parse(fs.readFileSync(file.replace(/\.node$/, '.json'), 'utf8')) as PrebuildManifest;
    return Array.isArray(m.needs) && typeof m.mpi === 'string' ? m : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the dynamic loader would find the library `soname`: in `runpath`, LD_LIBRARY_PATH, the loader's
 * cache (/etc/ld.so.cache) or the default directories. A look, not a load: a library found here can still
 * fail to load, which loadAddon then reports.
 */
function libraryFound(soname: string, runpath: string[]): boolean {
  const multiarch = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu', ppc64: 'powerpc64le-linux-gnu' }[process.arch as string];
  const dirs = [
    ...runpath,
    ...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean),
    ...(multiarch ? [`/lib/${multiarch}`, `/usr/lib/${multiarch}`] : []),
    '/lib64',
    '/usr/lib64',
    '/lib',
    '/usr/lib',
  ];
  if (dirs.some((d) => fs.existsSync(path.join(d, soname)))) return true;
  try {
    // The cache's string table holds each library's full path, NUL-terminated.
    return fs.readFileSync('/etc/ld.so.cache').includes(`/${soname}\0`, 0, 'latin1');
  } catch {
    return false;
  }
}
