// The conformance test's comparison: h5py's reading of real-world files (test/peers/realfiles/dump.py)
// against h5mpi's (test/peers/realfiles/walk.js), entry by entry. Each entry of h5py's is identical, excluded
// (what h5mpi does not read) or mismatched (with the reason); an entry only h5mpi has is a mismatch too.

/** One object, link, layout, filter pipeline or attribute, as dump.py and walk.js print it. */
export interface Entry {
  path: string;
  kind: string;
  dtype?: string;
  shape?: number[] | null;
  value?: unknown;
  members?: string[];
  attrs?: string[];
  /** h5py's side: why h5mpi does not read the entry. */
  excluded?: string;
  note?: string;
  /** h5mpi's side, kind 'error': what it threw. */
  error?: string;
}

export type Status = 'identical' | 'excluded' | 'mismatch';

export interface Outcome {
  file: string;
  path: string;
  kind: string;
  status: Status;
  /** An exclusion's reason; or, for a mismatch, each way in which h5mpi's entry differs (no object names in them). */
  problems: string[];
  h5py?: Entry;
  h5mpi?: Entry;
}

/** An explained problem: which it covers, why h5mpi differs, and what fixes it. */
export interface Allowance {
  id: string;
  /** Why h5mpi reads it differently today. */
  why: string;
  /** The branch / issue part that makes it identical (or 'none: by design'). */
  fixedBy: string;
  /** The problem text it explains. */
  problem: RegExp;
  kinds?: string[];
  file?: RegExp;
  path?: RegExp;
  /** A closer look at the two entries, when the problem text alone does not say enough. */
  when?: (o: Outcome) => boolean;
}

/** JSON with sorted keys, so that equal values give equal text. */
export function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${stable(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** An error message without the names in it (quoted paths, sizes), so that the same failure groups together. */
export function errorKind(message: string): string {
  return message
    .replace(/'[^']*'/g, "'…'")
    .replace(/\d+ bytes/g, 'N bytes')
    .replace(/ \(it reads [^)]*\)/, '');
}

/** Whether two canonical values hold the same numbers, '42' (an integer's text) and 42 alike. */
function sameNumbers(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameNumbers(x, b[i]));
  if (typeof a === 'string' && typeof b === 'number') return sameNumbers(b, a);
  if (typeof a === 'number' && typeof b === 'string') return /^-?\d+$/.test(b) && Number.isInteger(a) && BigInt(a) === BigInt(b);
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    return stable(ka) === stable(kb) && ka.every((k) => (k === 'sha256' ? true : sameNumbers(ra[k], rb[k])));
  }
  return stable(a) === stable(b);
}

const sorted = (names: unknown[]): string[] => (names as string[]).slice().sort();

/** The fields in which two entries differ, with sub-fields of structured values ('value.chunks'). */
function differences(h: Entry, m: Entry): string[] {
  const out: string[] = [];
  const keys = new Set([...Object.keys(h), ...Object.keys(m)]);
  for (const k of ['path', 'excluded', 'note']) keys.delete(k);
  for (const k of [...keys].sort()) {
    const a = (h as unknown as Record<string, unknown>)[k];
    const b = (m as unknown as Record<string, unknown>)[k];
    if (stable(a) === stable(b)) continue;
    if ((k === 'members' || k === 'attrs') && Array.isArray(a) && Array.isArray(b) && stable(sorted(a)) === stable(sorted(b))) {
      out.push(`${k} (order)`);
    } else if (k === 'value' && h.kind !== 'dataset' && h.kind !== 'attribute' && a && b && typeof a === 'object' && typeof b === 'object') {
      const ra = a as Record<string, unknown>;
      const rb = b as Record<string, unknown>;
      for (const sub of [...new Set([...Object.keys(ra), ...Object.keys(rb)])].sort()) {
        if (stable(ra[sub]) !== stable(rb[sub])) out.push(`value.${sub}`);
      }
    } else {
      out.push(k);
    }
  }
  // A stored type h5mpi's API does not show, with the numbers themselves right: say so apart.
  if (out.includes('dtype') && (!out.includes('value') || sameNumbers(h.value, m.value))) {
    return out.filter((f) => f !== 'value').map((f) => (f === 'dtype' ? 'dtype (values equal)' : f));
  }
  return out;
}

/** The path of what owns an entry: '/a/b' for '/a/b@x', '/a/b#layout', and for '/a/b/c' itself '/a/b'. */
function ownerOf(path: string): string {
  const at = path.search(/[@#]/);
  if (at >= 0) return path.slice(0, at) || '/';
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

/** Why h5mpi has no entry where h5py has one. */
function missingReason(h: Entry, ours: Map<string, Entry>): string {
  const owner = ownerOf(h.path);
  const self = h.path.search(/[@#]/) >= 0 ? ours.get(owner) : undefined;
  if (self?.kind === 'error') return `missing: its object could not be opened (${errorKind(self.error ?? '')})`;
  if (h.kind === 'link') return 'missing: no link entry (h5mpi describes a hard link)';
  if (h.kind === 'filters') return 'missing: no filter pipeline (h5mpi lists no filter on this dataset)';
  return 'missing: not reached by the walk';
}

/** Classifies every entry of one file. */
export function compareFile(file: string, theirs: Entry[], ours: Entry[]): Outcome[] {
  const mine = new Map(ours.map((e) => [e.path, e]));
  const seen = new Set<string>();
  const out: Outcome[] = [];
  for (const h of theirs) {
    const m = mine.get(h.path);
    seen.add(h.path);
    const base = { file, path: h.path, kind: h.kind, h5py: h, h5mpi: m };
    if (h.excluded !== undefined) {
      out.push({ ...base, status: 'excluded', problems: [h.excluded] });
    } else if (m === undefined) {
      out.push({ ...base, status: 'mismatch', problems: [missingReason(h, mine)] });
    } else if (m.kind === 'error') {
      out.push({ ...base, status: 'mismatch', problems: [`error: ${errorKind(m.error ?? '')}`] });
    } else {
      const value = m.value as { error?: string } | undefined;
      if (value && typeof value === 'object' && typeof value.error === 'string') {
        out.push({ ...base, status: 'mismatch', problems: [`error reading: ${errorKind(value.error)}`] });
        continue;
      }
      const diff = differences(h, m);
      out.push({ ...base, status: diff.length === 0 ? 'identical' : 'mismatch', problems: diff });
    }
  }
  // Where h5py's walk stops: soft and external links (it does not descend into the groups they reach).
  const links = theirs.filter((e) => e.kind === 'link').map((e) => `${e.path.slice(0, -'#link'.length)}/`);
  for (const m of ours) {
    if (seen.has(m.path)) continue;
    const problem =
      m.kind === 'error'
        ? `extra error: ${errorKind(m.error ?? '')}`
        : links.some((l) => m.path.startsWith(l))
          ? 'extra: inside a group reached through a soft or external link'
          : 'extra: h5py has no such entry';
    out.push({ file, path: m.path, kind: m.kind, status: 'mismatch', problems: [problem], h5mpi: m });
  }
  return out;
}

/** Whether an excluded entry reads identically in h5mpi already (for information). */
export function identicalAnyway(o: Outcome): boolean {
  return o.status === 'excluded' && o.h5py !== undefined && o.h5mpi !== undefined && o.h5mpi.kind !== 'error' && differences(o.h5py, o.h5mpi).length === 0;
}

/** The allowance that explains one problem of a mismatch, if any. */
export function allowanceFor(o: Outcome, problem: string, allowlist: readonly Allowance[]): Allowance | undefined {
  return allowlist.find(
    (a) =>
      a.problem.test(problem) &&
      (a.kinds === undefined || a.kinds.includes(o.kind)) &&
      (a.file?.test(o.file) ?? true) &&
      (a.path?.test(o.path) ?? true) &&
      (a.when?.(o) ?? true),
  );
}

/** Counts by a key, largest first. */
export function tally<T>(items: T[], key: (t: T) => string): [string, number][] {
  const m = new Map<string, number>();
  for (const t of items) m.set(key(t), (m.get(key(t)) ?? 0) + 1);
  return [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
