// "Each rank its own datasets", made direct. In parallel HDF5 every rank must create every dataset with the
// same arguments; a program whose ranks each create their own (`data/id=${rank}`) corrupts the file or
// hangs. createDatasetsPerRank takes each rank's own specs, gathers them in one exchange, and every rank
// creates the union in the same order; then each rank writes its own datasets independently.
import { gatherCollective, ranges } from './collective';
import type { FileContext } from './context';
import { Dataset } from './dataset';
import { type DTypeSpec, isReferenceDType } from './dtype';
import { CollectiveMismatchError, H5Error } from './errors';
import type { DatasetSpec } from './native';
import { checkIndependentReferences, packReferences, referenceList } from './references';
import { checkInitialData, createNative, DatasetOptions, datasetSpec, describeCreate, isFiltered, writesVlen } from './spec';
import { parallelFilteredError, parallelVlenError, resolvePath } from './validate';

/** What createDatasetsPerRank returns: this rank's datasets typed by their options, and every other rank's. */
export type PerRankDatasets<S extends Record<string, DatasetOptions>> = {
  readonly [K in keyof S]: Dataset<S[K]['dtype']>;
} & { readonly [path: string]: Dataset<DTypeSpec> };

/** One dataset a rank asks for, as it travels to the other ranks (its initial data stays home). */
type Request = [key: string, full: string, description: string, spec: DatasetSpec];

interface Wanted {
  full: string;
  description: string;
  spec: DatasetSpec;
  keys: Set<string>;
  /** Each description it was asked for with, and by which ranks (more than one description: a conflict). */
  askedBy: Map<string, number[]>;
}

/** Group.createDatasetsPerRank, for the group at `groupName` (`description` names it; `checkOpen` checks it). */
export function createDatasetsPerRank<S extends Record<string, DatasetOptions>>(
  ctx: FileContext,
  groupName: string,
  description: string,
  checkOpen: () => void,
  specs: S,
): PerRankDatasets<S> {
  const where = `${description}.createDatasetsPerRank`;
  let mine: { request: Request; options: DatasetOptions }[] = [];
  const prepare = (): { call: string; payload: Request[] } => {
    checkOpen();
    if (specs === null || typeof specs !== 'object' || Array.isArray(specs)) {
      throw new TypeError(`${where}: expected an object { path: datasetOptions } (possibly empty), got ${specs === null ? 'null' : Array.isArray(specs) ? 'an array' : typeof specs}`);
    }
    ctx.checkWritable(where);
    mine = Object.entries(specs).map(([key, options]) => {
      const w = `${where}('${key}')`;
      const full = resolvePath(groupName, key, w);
      const spec = datasetSpec(options, w);
      if (options.data !== undefined) {
        if (ctx.parallel && writesVlen(spec)) throw parallelVlenError(w);
        if (ctx.parallel && isFiltered(spec)) {
          throw parallelFilteredError(
            w,
            'is written collectively, so its initial data cannot come from one rank: create it without data, then ' +
              'write it with dataset.collective.write(...) on every rank (an empty selection where a rank has nothing).',
          );
        }
        if (isReferenceDType(options.dtype)) {
          // Made by every rank together in a parallel file, so not from one rank's data (lib/references.ts).
          if (ctx.parallel) checkIndependentReferences([`${options.dtype} data`], `${w}: data`);
          packReferences(referenceList(options.data, options.shape.reduce((a, b) => a * b, 1), w), options.dtype === 'regionReference', ctx, `${w}: data`);
        }
        checkInitialData(options, spec, w);
      }
      return { request: [key, full, describeCreate(full, options, spec, true), spec] as Request, options };
    });
    return { call: `createDatasetsPerRank('${groupName}')`, payload: mine.map((m) => m.request) };
  };
  const create = (requests: Request[][]): PerRankDatasets<S> => {
    const wanted = union(requests, where);
    checkCreatable(ctx, [...wanted.keys()], wanted, where);
    const out: Record<string, Dataset> = {};
    for (const full of [...wanted.keys()].sort()) {
      const w = wanted.get(full)!;
      const ds = ctx.register(Dataset._open(ctx, full, createNative(ctx.native, full, w.spec, where)));
      for (const key of w.keys) out[key] = ds;
    }
    // Each rank writes the initial data it brought, independently; a dataset asked for by several ranks
    // (with the same data: that is part of its description) gets it from the lowest of them.
    const rank = ctx.comm?.rank ?? 0;
    for (const { request, options } of mine) {
      if (options.data === undefined) continue;
      if ([...wanted.get(request[1])!.askedBy.values()][0][0] !== rank) continue;
      out[request[0]].write(options.data);
    }
    return out as PerRankDatasets<S>;
  };
  if (!ctx.comm) {
    const { payload } = prepare();
    return create([payload]);
  }
  // Creating them may write metadata (a sync point of HDF5's cache): its failure is taken on every rank.
  return gatherCollective(ctx.comm, where, prepare, (requests: Request[][]) => ctx.runWrites(where, () => create(requests)), `'${ctx.filename}'`);
}

/** The ranks' requests merged by path; throws (on every rank alike) when one path is asked for differently. */
function union(requests: Request[][], where: string): Map<string, Wanted> {
  const wanted = new Map<string, Wanted>();
  requests.forEach((list, rank) => {
    for (const [key, full, description, spec] of list) {
      const w = wanted.get(full) ?? { full, description, spec, keys: new Set<string>(), askedBy: new Map<string, number[]>() };
      wanted.set(full, w);
      w.keys.add(key);
      const ranks = w.askedBy.get(description) ?? [];
      if (ranks[ranks.length - 1] !== rank) ranks.push(rank);
      w.askedBy.set(description, ranks);
    }
  });
  const conflicts = [...wanted.values()].filter((w) => w.askedBy.size > 1);
  if (conflicts.length > 0) {
    const first = conflicts[0];
    const calls = requests.map((_, r) => [...first.askedBy].filter(([, ranks]) => ranks.includes(r)).map(([d]) => d).join(' and ') || '(did not ask for it)');
    const lines = conflicts.slice(0, 8).map((w) => {
      const asked = [...w.askedBy].map(([d, ranks]) => `${ranks.length === 1 ? 'rank' : 'ranks'} ${ranges(ranks)}: ${d}`);
      return `'${w.full}': ${asked.join('; ')}`;
    });
    throw new CollectiveMismatchError(
      `${where}: ${conflicts.length === 1 ? 'a path was' : `${conflicts.length} paths were`} asked for with different options, ` +
        `so no dataset was created: ${lines.join(' | ')}${conflicts.length > lines.length ? ' | ...' : ''}. Give each rank paths of its own (e.g. \`data/id=\${comm.rank}\`), ` +
        'or have the ranks that share a dataset pass the same options. Nothing was sent to HDF5; the file is still open.',
      calls,
    );
  }
  return wanted;
}

/**
 * Before anything is created: none of the paths exists, and none lies under a dataset (another of the new
 * ones, or one in the file). Metadata reads, made by every rank in the same order after the agreement.
 */
function checkCreatable(ctx: FileContext, paths: string[], wanted: Map<string, Wanted>, where: string): void {
  const kinds = new Map<string, string>();
  const kindOf = (p: string): string => {
    let k = kinds.get(p);
    if (k === undefined) kinds.set(p, (k = wanted.has(p) ? 'new dataset' : ctx.native.kind(p)));
    return k;
  };
  for (const full of [...paths].sort()) {
    const parts = full.split('/').filter((p) => p.length > 0);
    for (let i = 1; i < parts.length; i++) {
      const prefix = `/${parts.slice(0, i).join('/')}`;
      const k = kindOf(prefix);
      if (k !== 'missing' && k !== 'group') {
        throw new H5Error(`${where}: '${full}' cannot be created: '${prefix}' is a ${k}, not a group. No dataset was created.`);
      }
    }
    const existing = ctx.native.kind(full);
    if (existing !== 'missing') throw new H5Error(`${where}: '${full}' already exists in '${ctx.filename}' (a ${existing}). No dataset was created.`, 'EXISTS');
  }
}
