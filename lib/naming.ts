// Every error out of a public method of a file's objects names the file. Messages are made in hundreds of
// places, each naming the object and the call ("Dataset '/x'.write: ..."); the file is added here, once,
// to those that do not name it already, so a message read from a job's log says which file it was about.

/** How a message names its file where it did not: appended, so that the object and the call come first. */
function fileSuffix(filename: string): string {
  return ` (in file '${filename}')`;
}

/** Makes `e`'s message (and its stack's first line) name `filename`, unless it does already. */
export function nameFile(e: unknown, filename: string | undefined): void {
  if (filename === undefined || !(e instanceof Error) || e.message.includes(`'${filename}'`)) return;
  const before = e.message;
  e.message = before + fileSuffix(filename);
  // An uncaught error prints its stack, made with the old message, or with the new one where V8 formats it
  // only now (when nothing read it before): then it names the file already.
  if (typeof e.stack === 'string' && !e.stack.includes(e.message)) e.stack = e.stack.replace(before, e.message);
}

/** The names wrapped on each prototype, for test/lib_structure.test.ts. */
export const wrapped = new Map<object, readonly string[]>();

type FileOf = (self: never) => string | undefined;

function named<F extends (...args: never[]) => unknown>(f: F, fileOf: FileOf): F {
  const wrapped = function (this: never, ...args: never[]): unknown {
    try {
      return f.apply(this, args);
    } catch (e) {
      let file: string | undefined;
      try {
        file = fileOf(this);
      } catch {
        // What names the file must never hide the error.
      }
      nameFile(e, file);
      throw e;
    }
  };
  Object.defineProperty(wrapped, 'name', { value: f.name });
  Object.defineProperty(wrapped, 'length', { value: f.length });
  return wrapped as unknown as F;
}

/**
 * Wraps the public methods and accessors `names` of `proto` so that what they throw names the file
 * `fileOf(this)`. Public ones only: the private methods they call would each add a wrapper to every call
 * (about 4% more instructions on a small write + read); test/lib_structure.test.ts checks each list against
 * the class's published type. An error passing through several wrappers is still named once. Called once per
 * class, after its definition (and by lib/dims.ts for what it adds to Dataset).
 */
export function namesFileInErrors(proto: object, fileOf: FileOf, names: readonly string[]): void {
  wrapped.set(proto, [...(wrapped.get(proto) ?? []), ...names]);
  for (const key of names) {
    const d = Object.getOwnPropertyDescriptor(proto, key);
    if (!d) throw new Error(`h5mpi internal: namesFileInErrors: no member '${key}' on the prototype`);
    // Accessors as plain functions: they are called with their object as `this`, here too.
    const { get, set } = d as { get?: (...args: never[]) => unknown; set?: (...args: never[]) => unknown };
    if (typeof d.value === 'function') d.value = named(d.value as (...args: never[]) => unknown, fileOf);
    else if (get || set) {
      if (get) d.get = named(get, fileOf);
      if (set) d.set = named(set, fileOf);
    } else continue;
    Object.defineProperty(proto, key, d);
  }
}
