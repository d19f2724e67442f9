// Which MPI implementation this is, and every choice that differs between implementations, in one place:
// recognising one from its version text (MPI_Get_library_version, or `mpiexec --version`), what its
// launcher tells a rank about the job (to catch a launcher of another MPI), the environment its launcher
// needs on a small machine or as root (the test helper, the benchmarks and scripts/mpienv.sh follow it),
// how its launcher reports a job that one rank ended, and the UCX setting that must be in place before
// libmpi loads. Nothing here loads the addon or starts MPI.

/** The MPI families by ABI and launcher: MPICH's takes in Intel MPI, MVAPICH and Cray MPICH. */
export type MPIFamily = 'openmpi' | 'mpich' | 'unknown';

/** An MPI implementation, as its version text names it. */
export interface MPIImplementation {
  /** 'Open MPI', 'MPICH', 'Intel MPI', 'MVAPICH', 'Cray MPICH', 'IBM Spectrum MPI', or 'unknown'. */
  readonly name: string;
  /** Its own version number, e.g. '4.1.4' or '2021.10' ('' when the text gives none). */
  readonly version: string;
  /** The family whose ABI and launcher it shares: 'openmpi', 'mpich', or 'unknown'. */
  readonly family: MPIFamily;
}

// Most specific first: the MPICH derivatives also say "MPICH" somewhere in their text.
const PATTERNS: [RegExp, string, MPIFamily][] = [
  [/CRAY MPICH version\s+(\d[\w.]*)/i, 'Cray MPICH', 'mpich'],
  [/Intel\(R\) MPI Library\D*?(\d[\w.]*)/, 'Intel MPI', 'mpich'],
  [/MVAPICH2?\s+Version\s*:?\s*(\d[\w.]*)/i, 'MVAPICH', 'mpich'],
  [/MPICH Version:?\s*(\d[\w.]*)/, 'MPICH', 'mpich'],
  // `mpiexec --version` of MPICH's launcher (hydra): "HYDRA build details:\n    Version:   4.0.2".
  [/HYDRA build details:\s*Version:\s*(\d[\w.]*)/, 'MPICH', 'mpich'],
  [/Spectrum MPI\D*?(\d[\w.]*)/, 'IBM Spectrum MPI', 'openmpi'],
  [/Open MPI v(\d[\w.]*)/, 'Open MPI', 'openmpi'],
  // `mpiexec --version`: "mpiexec (OpenRTE) 4.1.4", "mpiexec (Open MPI) 5.0.7".
  [/\((?:OpenRTE|Open MPI)\)\s+(\d[\w.]*)/, 'Open MPI', 'openmpi'],
];

/** The implementation a version text names (MPI_Get_library_version's, or an `mpiexec --version`'s). */
export function identifyMPI(text: string): MPIImplementation {
  for (const [re, name, family] of PATTERNS) {
    const m = re.exec(text);
    if (m) return { name, version: m[1].replace(/[.,]+$/, ''), family };
  }
  return { name: 'unknown', version: '', family: 'unknown' };
}

/** A version text's first line (MPICH's MPI_Get_library_version goes on for 1.5 KB of configure options). */
export function firstLine(text: string): string {
  return text.trim().split('\n')[0].trim();
}

/** The major version, for choices that differ between versions of one implementation (Open MPI 4 and 5). */
export function majorVersion(impl: MPIImplementation): number {
  return Number.parseInt(impl.version, 10) || 0;
}

// --- What the launcher tells a rank -------------------------------------------------------------------

/** What the launcher's environment says about the job this process was started in. */
export interface LauncherJob {
  /** Its size, as the launcher set it. */
  size: number;
  /** The variable that says so. */
  variable: string;
  /** Which launcher sets that variable. */
  launcher: string;
}

// The launchers' own variables first: under Slurm, Open MPI's daemons and MPICH's proxies are started by
// srun, so their ranks inherit Slurm's step variables too, which then describe the daemons' step.
const SIZE_VARIABLES: [string, string][] = [
  ['OMPI_COMM_WORLD_SIZE', "Open MPI's mpiexec"],
  ['PMI_SIZE', 'an MPICH-family mpiexec (hydra) or srun with PMI'],
  ['MPI_LOCALNRANKS', 'an MPICH-family mpiexec (hydra)'],
];

/** The job size the launcher announced in `env`, or undefined for a process no launcher started. */
export function launcherJob(env: NodeJS.ProcessEnv = process.env): LauncherJob | undefined {
  for (const [variable, launcher] of SIZE_VARIABLES) {
    const size = Number(env[variable]);
    if (env[variable] !== undefined && Number.isInteger(size) && size > 0) return { size, variable, launcher };
  }
  // srun without an MPI plugin sets only its own variables; a batch script's own SLURM_NTASKS is not a
  // step of many tasks (a plain `node` there is one process), so only a step's count is taken.
  const steps = Number(env.SLURM_STEP_NUM_TASKS);
  if (env.SLURM_PROCID !== undefined && Number.isInteger(steps) && steps > 0) {
    return { size: steps, variable: 'SLURM_STEP_NUM_TASKS', launcher: 'srun' };
  }
  return undefined;
}

/** Whether a launcher (mpiexec, srun) started this process, so that MPI is worth starting to ask. */
export function launchedByMPI(env: NodeJS.ProcessEnv = process.env): boolean {
  return launcherJob(env) !== undefined || !!(env.PMI_RANK || env.PMIX_RANK);
}

/**
 * The message for a job whose launcher says `job.size` ranks while MPI (`impl`) runs this process alone:
 * the classic of an mpiexec from one MPI starting a program built against another, where every rank
 * becomes a job of its own and they all write the same file. Undefined when the two agree.
 */
export function sizeMismatch(job: LauncherJob | undefined, worldSize: number, impl: MPIImplementation): string | undefined {
  if (!job || job.size <= 1 || worldSize !== 1) return undefined;
  const mpi = impl.name === 'unknown' ? 'the MPI library h5mpi is built with' : `${impl.name} ${impl.version}`.trim();
  return (
    `MPI.COMM_WORLD: the launcher started this process as one of ${job.size} ranks (${job.variable}=${job.size}, ` +
    `set by ${job.launcher}), but MPI (${mpi}, which h5mpi is built with) runs it as a job of 1 rank. The launcher ` +
    `belongs to another MPI than the library, so every rank would run alone. Start the job with the mpiexec of ` +
    `${mpi} (see 'which mpiexec' and 'mpiexec --version'), or rebuild h5mpi against the MPI of this launcher ` +
    `(npm rebuild h5mpi, with that MPI first on PATH; H5MPI_MPI=openmpi|mpich picks one where both are installed)`
  );
}

// --- Launching on a small machine ---------------------------------------------------------------------

/**
 * The environment `mpiexec` of implementation `impl` needs to run a job on a machine like a CI container:
 * more ranks than cores, and as root when `root`. Open MPI refuses both unless told; MPICH's hydra
 * allows both, so it gets nothing (Open MPI's OMPI_* variables are for Open MPI only). `sessionBase`: where
 * Open MPI 5 keeps the job's session directory, a directory the caller removes after the job.
 */
export function launchEnv(impl: MPIImplementation, root: boolean, sessionBase?: string): Record<string, string> {
  if (impl.family !== 'openmpi') return {};
  const env: Record<string, string> = {
    OMPI_MCA_rmaps_base_oversubscribe: '1',
    // Shared-memory single copy (CMA) needs ptrace rights that containers often lack.
    OMPI_MCA_btl_vader_single_copy_mechanism: 'none',
  };
  if (majorVersion(impl) >= 5) {
    // Open MPI 5 launches through PRRTE, which ignores rmaps_base_oversubscribe and takes oversubscription as
    // a modifier of its mapping policy (the same as `mpiexec --map-by :oversubscribe`).
    env.PRTE_MCA_rmaps_default_mapping_policy = ':oversubscribe';
    // Its TCP BTL asks the netlink "reachable" component which interfaces reach each other, which answers
    // none for a container's addresses and prints "Unable to find reachable pairing between local and remote
    // interfaces" from every rank; the weighted component pairs them by address, as Open MPI 4 did.
    env.OMPI_MCA_reachable = 'weighted';
  }
  // PRRTE names a job's session directory after the launcher's pid and refuses to start when it exists. A
  // killed mpiexec leaves its directory behind, and a later mpiexec that gets the same pid (pids wrap at
  // 32768 on many machines) fails in prte_init with "Exists": a job that may be killed gets a base of its own.
  if (sessionBase !== undefined && majorVersion(impl) >= 5) env.PRTE_MCA_prte_tmpdir_base = sessionBase;
  if (root) Object.assign(env, { OMPI_ALLOW_RUN_AS_ROOT: '1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: '1' });
  // PRRTE's own launcher, prterun (which runs several programs in one job where Open MPI 5.0.7's mpiexec
  // crashes), asks for its own variables.
  if (root && majorVersion(impl) >= 5) Object.assign(env, { PRTE_ALLOW_RUN_AS_ROOT: '1', PRTE_ALLOW_RUN_AS_ROOT_CONFIRM: '1' });
  return env;
}

/**
 * The exit statuses `mpiexec` of implementation `impl` may report when a rank of a job of `ranks` ends with
 * status `rankStatus` on its own (an exit, the watchdog; not MPI_Abort). Open MPI reports the rank's
 * status. MPICH's hydra kills the other ranks as soon as one exits non-zero and reports the signal it
 * killed them with (SIGKILL, 9) or, when every rank had exited by then, the status itself.
 */
export function jobExitStatuses(impl: MPIImplementation, rankStatus: number, ranks: number): number[] {
  if (impl.family === 'mpich' && ranks > 1 && rankStatus !== 0) return [rankStatus, 9];
  return [rankStatus];
}

/**
 * How long a rank that aborts the job waits first, in ms, so that its launcher forwards what it just wrote to
 * stderr: MPICH's hydra kills its proxies when MPI_Abort reaches it, and a proxy killed before it read the
 * rank's last lines drops them (a 4-rank fail-fast test once got an empty stderr under MPICH).
 */
export function abortGraceMs(impl: MPIImplementation): number {
  return impl.family === 'mpich' ? 250 : 0;
}

/**
 * What `mpiexec` of implementation `impl` prints on its own stdout when a job ends badly, as a pattern of
 * whole lines (MPICH's hydra: the "BAD TERMINATION OF ONE OF YOUR APPLICATION PROCESSES" box); undefined
 * for a launcher that prints such notices on stderr (Open MPI).
 */
export function launcherNotice(impl: MPIImplementation): RegExp | undefined {
  if (impl.family !== 'mpich') return undefined;
  return /^(=+|=\s.*|\s*=+\s*|YOUR APPLICATION TERMINATED WITH THE EXIT STRING:.*|This typically refers to a problem with your application\.|Please see the FAQ page for debugging suggestions)$/;
}

// --- Before libmpi loads ------------------------------------------------------------------------------

/**
 * UCX (under MPICH's ch4:ucx and Open MPI 5's pml ucx) intercepts mmap/munmap/brk to learn when memory it
 * registered goes away; with V8's garbage collector moving and unmapping pages under it, ranks crashed at
 * random with SIGSEGV inside the GC (12 of 700 two-rank start-ups under MPICH, 7 of 200 `require`s under
 * Open MPI 5). UCX_MEM_EVENTS=no turns the hooks off; UCX reads it when MPI starts and installs some hooks
 * when it loads, so it is set before the addon (and with it libmpi) is loaded, unless the user set it.
 * Returns the settings made.
 */
export function setMPIEnvironmentDefaults(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const made: Record<string, string> = {};
  if (env.UCX_MEM_EVENTS === undefined) made.UCX_MEM_EVENTS = 'no';
  Object.assign(env, made);
  return made;
}
