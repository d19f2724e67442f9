// Attributes, as h5py's `obj.attrs`: small named values on files, groups and datasets, of any dtype h5mpi
// stores (numbers, bools, UTF-8 and ASCII strings, fixed or variable length) and any shape, or Empty.
import { describeArgument } from './collective';
import type { FileContext } from './context';
import {
  AnyElements,
  arrayTypeOf,
  checkDecoded,
  checkStringMode,
  DTypeSpec,
  dtypeOfArray,
  nativeType,
  NumericArray,
  resolvedOfInfo,
  ResolvedType,
  resolveDType,
  holderOf,
  isDirect,
  sameType,
  specOf,
  StoredType,
  storedTypeOf,
  STRING_MODES,
  StringMode,
  toNumericArray,
  typeText,
} from './dtype';
import { checkStrings, finishRead, valueAt } from './elements';
import { describeData, packElements } from './pack';
import { H5Error } from './errors';
import { checkClaimedSize } from './untrusted';
import type { NativeAttrSpec, NativeLocation, ReferenceValues, TypeInfo } from './native';
import {
  decodeReferences,
  describePacked,
  fileIdentity,
  holdsReferences,
  packReferences,
  Reference,
  Referenceable,
  referenceKindOf,
  RegionReference,
  RegionTarget,
} from './references';
import { checkName, checkOptions, checkShape, describeValue } from './validate';
import { namesFileInErrors } from './naming';

/**
 * An attribute with a type and no value: HDF5's null dataspace, as h5py's `h5py.Empty(dtype)`. `set` one to
 * store it; `get` returns one for such an attribute.
 */
export class Empty {
  /** The type stored with it. */
  readonly dtype: DTypeSpec;
  constructor(dtype: DTypeSpec) {
    this.dtype = specOf(resolveDType(dtype, 'new Empty'));
  }
}

/** A compound's element (a record): its fields' values. */
export interface AttributeRecord {
  [field: string]: unknown;
}

/**
 * What an attribute holds: a scalar, a flat array (typed, or of strings, numbers, bigints or booleans), or
 * Empty; with a dtype that says so, a compound's record, records or fields' arrays, opaque bytes, one
 * typed array per variable-length sequence; or references (a Reference or RegionReference, or an array of
 * them with null for null references).
 */
export type AttributeValue =
  | number
  | bigint
  | boolean
  | string
  | NumericArray
  | string[]
  | number[]
  | bigint[]
  | boolean[]
  | Empty
  | AttributeRecord
  | AttributeRecord[]
  | Uint8Array[]
  | NumericArray[]
  | number[][]
  | Reference
  | RegionReference
  | (Reference | null)[]
  | (RegionReference | null)[];

/**
 * What else `attrs.set` stores as references (dtype `'reference'` or `'regionReference'`, which a Group,
 * Dataset or RegionTarget implies): objects, paths (with the dtype), regions, and null (a null reference,
 * with the dtype).
 */
export type ReferenceAttributeTarget = Referenceable | (Referenceable | Reference | string | null)[] | RegionTarget | (RegionTarget | RegionReference | null)[] | null;

/**
 * What attributes holding references read as, besides AttributeValue: a null reference (scalar), a list of
 * references per element of a variable-length sequence (netCDF-4's and HDF5's DIMENSION_LIST: one list per
 * dimension), or a compound as an object of one array per field (REFERENCE_LIST: `{ dataset, dimension }`).
 */
export type ReferenceAttributeValue = null | (Reference | null)[][] | { [field: string]: unknown[] | NumericArray };

/** Options of `attrs.set`, as h5py's `attrs.create(name, data, shape, dtype)`. */
export interface AttributeOptions {
  /** The type to store (default: from the value; see the API guide's table). */
  dtype?: DTypeSpec;
  /** The shape: `[]` for a scalar, `[2, 3]` for 6 values given flat in row-major order (default: the value's). */
  shape?: readonly number[];
}

/** Options of attribute reads. */
export interface AttributeReadOptions {
  /**
   * 'text' (the default): strings as JS strings. 'bytes': each string as a `Uint8Array` of its bytes as
   * stored (without the padding of fixed-length strings), as h5py gives `bytes`.
   */
  strings?: StringMode;
}

/** What an attribute is, without reading its value (h5py: `attrs.get_id(name).dtype/shape`). */
export interface AttributeInfo {
  /** The type h5mpi reads it as; null when h5mpi cannot read the stored type (see storedType). */
  dtype: DTypeSpec | null;
  /** `[]` for a scalar; null for an Empty attribute. */
  shape: number[] | null;
  /** Number of elements (1 for a scalar, 0 for Empty). */
  size: number;
  /** The type as stored in the file. */
  storedType: StoredType;
}

/** An attribute's value with its shape (`attrs.read`). */
export interface AttributeData {
  /**
   * The elements, flat in row-major order (one for a scalar), in the forms datasets read them in (a
   * compound: one array per field; bools: `boolean[]`); null for an Empty attribute. References: an array of
   * them (null for null references), of lists of them (variable-length sequences), or a compound's fields as
   * `{ field: array }`.
   */
  data: NumericArray | string[] | boolean[] | Uint8Array[] | AnyElements | (Reference | null)[] | (RegionReference | null)[] | (Reference | null)[][] | null;
  /** `[]` for a scalar; null for an Empty attribute. */
  shape: number[] | null;
  /** The type, or null for one without a dtype spec (a sequence or compound holding references: `info(name).storedType`). */
  dtype: DTypeSpec | null;
}

const SET_OPTIONS = ['dtype', 'shape'] as const;
const READ_OPTIONS = ['strings'] as const;
/** attrRead's mode for the type and shape only. */
const INFO_ONLY = 2;

interface Packed {
  spec: NativeAttrSpec;
  data: unknown;
  /** The call as ranks compare it: the value stored, and its type and shape where the value does not say them. */
  text: string;
}

/** What attributes need of the object they belong to. */
interface AttributeOwner {
  readonly ctx: FileContext;
  readonly name: string;
  readonly description: string;
  _location(): NativeLocation;
  _checkOpen(): void;
}

/**
 * Runs a binding call, naming the owner and the call in an HDF5 failure (the binding names the attribute
 * only), with what to do about HDF5's size limit.
 */
function named<T>(where: string, call: () => T, file?: string): T {
  try {
    return call();
  } catch (e) {
    // V8's own "Array buffer allocation failed" (a value too large for memory) says nothing of what was read.
    // By name: V8 may make this error in another realm than the caller's (jest's, a vm context).
    const m = typeof e === 'object' && e !== null && (e as Error).name === 'RangeError' ? String((e as Error).message) : '';
    if (/allocation failed/i.test(m) && !m.startsWith(where)) {
      throw new RangeError(`${where}${file ? ` in '${file}'` : ''}: the value does not fit in memory (${m})`);
    }
    if (!(e instanceof H5Error) || e.message.startsWith(where)) throw e;
    const hint = /object header message is too large/.test(e.message)
      ? '. HDF5 keeps attributes in their object\'s header, where one may take at most 64 KiB: store a larger value as a dataset'
      : '';
    throw new H5Error(`${where}: ${e.message}${hint}`, e.code, e.h5stack, e.errno);
  }
}

/** The type a value is stored as when no dtype is given, or undefined when it cannot be stored. */
function inferType(value: unknown): ResolvedType | undefined {
  const reference = referenceKindOf(value);
  if (reference) return { kind: 'reference', region: reference === 'region' };
  if (isRegionTarget(value) || (Array.isArray(value) && value.length > 0 && value.every((v) => v === null || v instanceof RegionReference || isRegionTarget(v)))) {
    return { kind: 'reference', region: true };
  }
  const number = { kind: 'number', dtype: 'float64' } as const;
  if (typeof value === 'number') return number;
  if (typeof value === 'bigint') return { kind: 'number', dtype: 'int64' };
  if (typeof value === 'string') return { kind: 'string', encoding: 'utf-8', length: null };
  if (typeof value === 'boolean') return { kind: 'bool' };
  if (ArrayBuffer.isView(value)) {
    const dt = dtypeOfArray(value);
    return dt && { kind: 'number', dtype: dt };
  }
  if (!Array.isArray(value)) return undefined;
  // An empty array is numpy's: float64.
  if (value.every((v) => typeof v === 'number')) return number;
  const first = inferType(value[0]);
  if (first && !ArrayBuffer.isView(value[0]) && value.every((v) => typeof v === typeof value[0])) return first;
  return undefined;
}

function isRegionTarget(v: unknown): v is RegionTarget {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'dataset' in v;
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The value as the binding writes it, checked against its type and shape, before anything in the file changes. */
function pack(value: unknown, options: AttributeOptions | undefined, ctx: FileContext, where: string): Packed {
  const opts = checkOptions<AttributeOptions>(options, SET_OPTIONS, where, "{ dtype: 'int32', shape: [2, 3] }");
  const given = opts.dtype === undefined ? undefined : resolveDType(opts.dtype, where);
  if (opts.shape !== undefined) checkShape(opts.shape, where);
  if (value instanceof Empty) {
    if (opts.shape !== undefined) throw new TypeError(`${where}: an Empty attribute has no shape`);
    const t = given ?? resolveDType(value.dtype, where);
    return { spec: { type: nativeType(t), shape: null, empty: true }, data: [], text: `Empty(${typeText(t)})` };
  }
  const inferred = inferType(value);
  const t = given ?? inferred;
  if (t === undefined) {
    if (Array.isArray(value)) {
      throw new TypeError(`${where}: an array attribute must hold only numbers, only strings, only bigints or only booleans (or give a dtype)`);
    }
    throw new TypeError(`${where}: cannot store ${describeValue(value)}; use a number, bigint, boolean, string, typed array, array or Empty (or give a dtype)`);
  }
  if (t.kind === 'reference') return packReferenceAttribute(value, t, inferred, opts.shape, ctx, where);
  if (!['number', 'bool', 'string'].includes(t.kind)) return packTyped(value, t, opts.shape, where);
  // The elements, and the shape the value has by itself (null: a scalar). With a string dtype a Uint8Array is
  // one string's bytes.
  let elements: ArrayLike<unknown>;
  let natural: number[] | null;
  if (ArrayBuffer.isView(value) && !(t.kind === 'string' && value instanceof Uint8Array)) {
    if (dtypeOfArray(value) === undefined) throw new TypeError(`${where}: ${value.constructor.name} is not a supported attribute type`);
    elements = value as NumericArray;
    natural = [elements.length];
  } else if (Array.isArray(value)) {
    elements = value;
    natural = [value.length];
  } else if (['number', 'bigint', 'string', 'boolean'].includes(typeof value) || value instanceof Uint8Array) {
    elements = [value];
    natural = null;
  } else {
    throw new TypeError(`${where}: cannot store ${describeValue(value)} as ${typeText(t)}`);
  }
  const shape = opts.shape === undefined ? natural : opts.shape.length === 0 ? null : [...opts.shape];
  const n = shape === null ? 1 : product(shape);
  if (elements.length !== n) {
    const want = shape === null ? 'a scalar (shape [])' : `shape [${shape.join(', ')}] (${n} elements)`;
    throw new RangeError(`${where}: ${elements.length} value${elements.length === 1 ? '' : 's'} for ${want}`);
  }
  const data = convert(value, elements, t, where);
  // Ranks compare the stored value, exactly and briefly (long arrays as a preview and a digest), and the type
  // and shape where the value does not say them.
  const one = natural === null ? (data as ArrayLike<unknown>)[0] : undefined;
  let text = t.kind === 'bool' ? (natural === null ? String(one === 1) : `bool ${describeArgument(data)}`) : describeArgument(natural === null ? one : data);
  if (!inferred || !sameType(inferred, t)) text += `, dtype ${typeText(t)}`;
  if (JSON.stringify(shape) !== JSON.stringify(natural)) text += `, shape [${(shape ?? []).join(', ')}]`;
  return { spec: { type: nativeType(t), shape, empty: false }, data, text };
}

/**
 * A value of the types beyond numbers, bools and strings (compound, complex, float16, enum, array,
 * sequence, opaque, bitfield), in the forms datasets write them, with the shape it has by itself: one
 * element (a record, `[re, im]`, a number, one sequence, one opaque element's bytes) is a scalar.
 */
function packTyped(value: unknown, t: ResolvedType, shapeOption: readonly number[] | undefined, where: string): Packed {
  const [natural, count, elements] = naturalShape(value, t, where);
  const shape = shapeOption === undefined ? natural : shapeOption.length === 0 ? null : [...shapeOption];
  const n = shape === null ? 1 : product(shape);
  if (count !== n) {
    const want = shape === null ? 'a scalar (shape [])' : `shape [${shape.join(', ')}] (${n} elements)`;
    throw new RangeError(`${where}: ${count} element${count === 1 ? '' : 's'} of ${typeText(t)} for ${want}`);
  }
  const data = packElements(t, elements, n, where);
  // Ranks compare the data and its type, which these values never say by themselves.
  let text = `${describeData(data)}, dtype ${typeText(t)}`;
  if (JSON.stringify(shape) !== JSON.stringify(natural)) text += `, shape [${(shape ?? []).join(', ')}]`;
  return { spec: { type: nativeType(t), shape, empty: false }, data, text };
}

function isRecord(v: unknown): v is AttributeRecord {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v) && !(v instanceof Empty);
}

/** Whether `v` is one element of `t` (a scalar) rather than the array of several, where the form tells. */
function isOneElement(t: ResolvedType, v: unknown): boolean | undefined {
  switch (t.kind) {
    case 'number': case 'float16': case 'bitfield': return typeof v === 'number' || typeof v === 'bigint';
    case 'enum': return typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string';
    case 'bool': return typeof v === 'boolean' || typeof v === 'number';
    case 'string': return typeof v === 'string';
    case 'compound': {
      if (!isRecord(v)) return false;
      for (const f of t.fields) {
        const one = isOneElement(f.type, v[f.name]);
        if (one !== undefined) return one;
      }
      return undefined;
    }
    default: return undefined;
  }
}

/** The shape a typed value has by itself (null: a scalar), its number of elements, and the elements as packElements takes them. */
function naturalShape(value: unknown, t: ResolvedType, where: string): [number[] | null, number, unknown] {
  const flatCount = (length: number, units: number): number => {
    if (length % units !== 0) throw new RangeError(`${where}: ${length} values is not a whole number of ${typeText(t)} elements (${units} each)`);
    return length / units;
  };
  switch (t.kind) {
    case 'compound': {
      if (Array.isArray(value)) return [[value.length], value.length, value];
      if (!isRecord(value)) throw new TypeError(`${where}: a compound attribute takes a record, an array of records or an object of one array per field, got ${describeValue(value)}`);
      if (isOneElement(t, value) !== false) return [null, 1, [value]];
      const first = value[t.fields[0].name];
      const n = ArrayBuffer.isView(first) || Array.isArray(first) ? countElements(t.fields[0].type, first, where) : 1;
      return [[n], n, value];
    }
    case 'vlen':
      if (Array.isArray(value) && value.every((x) => Array.isArray(x) || ArrayBuffer.isView(x))) return [[value.length], value.length, value];
      return [null, 1, [value]];
    case 'opaque':
      if (Array.isArray(value)) return [[value.length], value.length, value];
      if (value instanceof Uint8Array) return value.length === t.size ? [null, 1, value] : [[flatCount(value.length, t.size)], value.length / t.size, value];
      throw new TypeError(`${where}: opaque data comes as a Uint8Array (or one per element), got ${describeValue(value)}`);
    default: {
      if (isOneElement(t, value)) return [null, 1, [value]];
      if (!ArrayBuffer.isView(value) && !Array.isArray(value)) throw new TypeError(`${where}: cannot store ${describeValue(value)} as ${typeText(t)}`);
      const n = countElements(t, value, where);
      return [[n], n, value];
    }
  }
}

/** How many elements of `t` flat data holds (complex: two numbers each; an array dtype: its shape's product). */
function countElements(t: ResolvedType, data: unknown, where: string): number {
  const length = (data as ArrayLike<unknown>).length;
  if (t.kind === 'complex' && Array.isArray(data) && data.every((p) => Array.isArray(p))) return length;
  if (t.kind === 'compound' || t.kind === 'vlen' || t.kind === 'string' || t.kind === 'opaque') return length;
  const units = isDirect(t) ? holderOf(t).units : t.kind === 'array' ? product(t.shape) : 1;
  if (length % units !== 0) throw new RangeError(`${where}: ${length} values is not a whole number of ${typeText(t)} elements (${units} each)`);
  return length / units;
}

/** References to store: one target (a scalar) or an array of them, made in the binding from paths and regions. */
function packReferenceAttribute(
  value: unknown,
  t: ResolvedType & { kind: 'reference' },
  inferred: ResolvedType | undefined,
  given: readonly number[] | undefined,
  ctx: FileContext,
  where: string,
): Packed {
  const elements: unknown[] = Array.isArray(value) ? value : [value];
  const natural = Array.isArray(value) ? [value.length] : null;
  const shape = given === undefined ? natural : given.length === 0 ? null : [...given];
  const n = shape === null ? 1 : product(shape);
  if (elements.length !== n) {
    const want = shape === null ? 'a scalar (shape [])' : `shape [${shape.join(', ')}] (${n} elements)`;
    throw new RangeError(`${where}: ${elements.length} reference${elements.length === 1 ? '' : 's'} for ${want}`);
  }
  const data = packReferences(elements, t.region, ctx, where);
  let text = describePacked(data);
  if (!inferred || !sameType(inferred, t)) text += `, dtype ${typeText(t)}`;
  if (JSON.stringify(shape) !== JSON.stringify(natural)) text += `, shape [${(shape ?? []).join(', ')}]`;
  return { spec: { type: nativeType(t), shape, empty: false }, data, text };
}

/** The elements in the binding's form for type `t`: a typed array (numbers, bool as int8) or strings and bytes. */
function convert(value: unknown, elements: ArrayLike<unknown>, t: Exclude<ResolvedType, { kind: 'reference' }>, where: string): ArrayBufferView | (string | Uint8Array)[] {
  const list = Array.from(elements);
  if (t.kind === 'number') {
    // A typed array goes as it is: HDF5 converts its elements to the stored type, as Dataset.write does.
    if (ArrayBuffer.isView(value)) return value;
    const s = list.findIndex((v) => typeof v === 'string');
    if (s >= 0) throw new TypeError(`${where}: cannot store strings as ${t.dtype} (element ${s} is ${JSON.stringify(list[s])})`);
    return toNumericArray(list, t.dtype, where);
  }
  if (t.kind === 'bool') {
    return Int8Array.from(list, (v, i) => {
      if (typeof v === 'boolean') return v ? 1 : 0;
      if (v === 0 || v === 1 || v === 0n || v === 1n) return Number(v);
      throw new TypeError(`${where}: element ${i} is ${describeValue(v)}; a bool attribute takes booleans (or 0 and 1)`);
    });
  }
  if (t.kind !== 'string') throw new TypeError(`${where}: cannot store ${describeValue(value)} as ${typeText(t)}`);
  const limit = t.length ?? Infinity;
  list.forEach((v, i) => {
    const bytes = v instanceof Uint8Array ? v : typeof v === 'string' ? undefined : null;
    if (bytes === null) throw new TypeError(`${where}: element ${i} is ${describeValue(v)}, not a string (or a Uint8Array of its bytes)`);
    const size = bytes ? bytes.length : Buffer.byteLength(v as string);
    // Strings are never cut: a silently shortened string is lost data.
    if (size > limit) throw new RangeError(`${where}: element ${i} is ${size} bytes, longer than the ${limit} bytes of the fixed-length strings`);
    if (bytes ? bytes.includes(0) : (v as string).includes('\0')) {
      throw new TypeError(`${where}: string ${i} contains a NUL character, which HDF5 strings cannot hold`);
    }
    if (!bytes && t.encoding === 'ascii' && /[^\x00-\x7f]/.test(v as string)) {
      throw new TypeError(`${where}: element ${i} (${JSON.stringify(v)}) is not ASCII, and the type is ASCII (give its bytes as a Uint8Array to store them as they are)`);
    }
  });
  return list as (string | Uint8Array)[];
}

export class Attributes {
  readonly #owner: AttributeOwner;

  private constructor(owner: AttributeOwner) {
    this.#owner = owner;
  }

  /** @internal The attributes of `owner`. */
  static _for(owner: AttributeOwner): Attributes {
    return new Attributes(owner);
  }

  /** @internal The owner's file, which lib/naming.ts names in errors. */
  get _filename(): string {
    return this.#owner.ctx.filename;
  }

  private where(call: string, name?: string): string {
    return `${this.#owner.description}.attrs.${call}${name === undefined ? '' : `('${name}')`}`;
  }

  /** The owner's path, after checking it is still open. */
  private live(): string {
    this.#owner._checkOpen();
    return this.#owner.name;
  }

  private checkName(name: unknown, call: string): string {
    return checkName(name, 'an attribute name', this.where(call));
  }

  /**
   * Creates or replaces attribute `name` (h5py: `attrs[name] = value`, or `attrs.create(name, data, shape,
   * dtype)` with options). A replacement is written before the old value goes: when HDF5 refuses the new
   * one, the old one stays. Collective in parallel: every rank passes the same value and options.
   */
  set(name: string, value: AttributeValue | Uint8Array[] | ReferenceAttributeTarget, options?: AttributeOptions): void {
    const where = this.where('set', name);
    const owner = this.#owner;
    let packed!: Packed;
    owner.ctx.collective(
      where,
      () => {
        this.checkName(name, 'set');
        owner.ctx.checkWritable(where);
        owner._checkOpen();
        packed = pack(value, options, owner.ctx, where);
        return `attrs.set('${name}' on '${owner.name}', ${packed.text})`;
      },
      () => named(where, () => owner._location().attrWrite(name, packed.spec, packed.data)),
    );
  }

  /**
   * Reads attribute `name` through the binding: its type, shape and (unless `mode` gives INFO_ONLY) data.
   * `mode` checks the call's options, with the name, before any rank reads.
   */
  private fetch(name: string, call: 'get' | 'read' | 'info', mode: () => number): ReturnType<NativeLocation['attrRead']> {
    const where = this.where(call, name);
    const owner = this.#owner;
    let code!: number;
    return owner.ctx.metadataRead(
      where,
      () => {
        const text = `attrs.${call}('${this.checkName(name, call)}' on '${this.live()}')`;
        code = mode();
        return text;
      },
      () => {
        const location = owner._location();
        if (!location.attrExists(name)) {
          throw new H5Error(`${where}: no attribute '${name}' on ${owner.description} (it has: ${location.attrNames().join(', ') || 'none'})`, 'NOT_FOUND');
        }
        // Untrusted mode: what the attribute claims to hold, before the binding allocates it.
        if (owner.ctx.untrusted && code !== INFO_ONLY) {
          const info = named(where, () => location.attrRead(name, INFO_ONLY), owner.ctx.filename);
          const bytes = product(info.shape ?? []) * storedTypeOf(info.type).size;
          checkClaimedSize(bytes, owner.ctx.untrusted, where, `attribute '${name}'`, `${owner.name}@${name}`);
        }
        const r = named(where, () => location.attrRead(name, code), this.#owner.ctx.filename);
        // The binding reads numbers and strings by itself; every other type it reads through its codec.
        const empty = r.shape !== null && r.shape.length === 0;
        if (r.data !== undefined || code === INFO_ONLY || empty) return r;
        const t = resolvedOfInfo(r.type);
        return t === undefined ? r : named(where, () => location.attrRead(name, code, nativeType(t)), this.#owner.ctx.filename);
      },
    );
  }

  /** The value with its shape, decoded; data null for Empty. */
  private value(name: string, call: 'get' | 'read', options: AttributeReadOptions | undefined): AttributeData {
    const where = this.where(call, name);
    let mode!: StringMode;
    const r = this.fetch(name, call, () => {
      mode = checkStringMode(checkOptions<AttributeReadOptions>(options, READ_OPTIONS, where, "{ strings: 'bytes' }").strings, where);
      return STRING_MODES[mode];
    });
    if (holdsReferences(r.type)) return this.references(r, where);
    const t = this.readableType(r.type, name, where);
    if (r.shape !== null && r.shape.length === 0) return { data: null, shape: null, dtype: specOf(t) };
    const shape = r.shape ?? [];
    if (t.kind === 'string') {
      const strings = r.data as (string | Uint8Array)[];
      return { data: mode === 'bytes' ? (strings as Uint8Array[]) : checkDecoded(strings, where, `attribute '${name}'`), shape, dtype: specOf(t) };
    }
    if (t.kind === 'bool') return { data: Array.from(new Int8Array(r.data as ArrayBuffer), (b) => b !== 0), shape, dtype: 'bool' };
    if (t.kind === 'number' || t.kind === 'enum') return { data: new (arrayTypeOf(t.dtype))(r.data as ArrayBuffer), shape, dtype: specOf(t) };
    const data = finishRead(t, r.data, product(shape)) as AnyElements;
    if (mode === 'text') checkStrings(t, data, where, `attribute '${name}'`);
    return { data, shape, dtype: specOf(t) };
  }

  /** An attribute of references, or of sequences or compounds holding them (lib/references.ts). */
  private references(r: ReturnType<NativeLocation['attrRead']>, where: string): AttributeData {
    const t = resolvedOfInfo(r.type);
    const dtype = t ? specOf(t) : null;
    if (r.shape !== null && r.shape.length === 0) return { data: null, shape: null, dtype };
    const values = decodeReferences(r.data as ReferenceValues, r.type, fileIdentity(this.#owner.ctx));
    const shape = r.shape ?? [];
    if (r.type.className !== 'compound' || !r.type.fields) return { data: values as (Reference | null)[], shape, dtype };
    // A compound's fields, one array each (numbers in their typed arrays), as compounds read elsewhere.
    const fields: { [field: string]: unknown[] | NumericArray } = {};
    for (const f of r.type.fields) {
      const column = values.map((v) => (v as Record<string, unknown>)[f.name]);
      const ft = f.type && !f.type.reference ? resolvedOfInfo(f.type) : undefined;
      fields[f.name] = ft?.kind === 'number' ? toNumericArray(column, ft.dtype, where) : column;
    }
    return { data: fields, shape, dtype };
  }

  private readableType(type: TypeInfo, name: string, where: string): Exclude<ResolvedType, { kind: 'reference' }> {
    const t = resolvedOfInfo(type);
    if (t === undefined || t.kind === 'reference') {
      const stored = storedTypeOf(type);
      throw new H5Error(
        `${where}: attribute '${name}' has an HDF5 ${stored.className} type, ${stored.description}, which h5mpi cannot read ` +
          `(attrs.info('${name}') describes it)`,
        'UNSUPPORTED_TYPE',
      );
    }
    return t;
  }

  /**
   * The value of attribute `name`: a number, bigint, boolean or string for a scalar; a typed array (numbers),
   * `boolean[]` or `string[]` otherwise, flat in row-major order (`read` gives the shape too); an `Empty` for
   * an attribute with no dataspace. With `{ strings: 'bytes' }`, strings come as `Uint8Array`s of their bytes.
   */
  get(name: string, options?: AttributeReadOptions & { strings?: 'text' }): AttributeValue | ReferenceAttributeValue;
  get(name: string, options: AttributeReadOptions): AttributeValue | ReferenceAttributeValue | Uint8Array[];
  get(name: string, options?: AttributeReadOptions): AttributeValue | ReferenceAttributeValue | Uint8Array[] {
    const { data, shape, dtype } = this.value(name, 'get', options);
    if (data === null) return new Empty(dtype ?? 'uint8');
    if (shape === null || shape.length > 0) return data;
    // A compound holding references (no dtype spec) reads as its fields, a scalar too.
    if (dtype === null) return data;
    // A scalar is its one element: a number, a record, [re, im], a reference...
    const t = resolveDType(dtype, 'attrs.get');
    if (t.kind === 'bool' || t.kind === 'string' || t.kind === 'number' || t.kind === 'enum' || t.kind === 'reference') return (data as ArrayLike<AttributeValue>)[0];
    return valueAt(t, data, 0) as AttributeValue;
  }

  /** The value of attribute `name` with its shape: `{ data, shape, dtype }`, data flat in row-major order. */
  read(name: string, options?: AttributeReadOptions): AttributeData {
    return this.value(name, 'read', options);
  }

  /** The type and shape of attribute `name`, without reading it; also for types h5mpi cannot read. */
  info(name: string): AttributeInfo {
    const r = this.fetch(name, 'info', () => INFO_ONLY);
    const t = resolvedOfInfo(r.type);
    const empty = r.shape !== null && r.shape.length === 0;
    const shape = empty ? null : (r.shape ?? []);
    return { dtype: t ? specOf(t) : null, shape, size: shape === null ? 0 : product(shape), storedType: storedTypeOf(r.type) };
  }

  has(name: string): boolean {
    return this.#owner.ctx.metadataRead(
      this.where('has', name),
      () => `attrs.has('${this.checkName(name, 'has')}' on '${this.live()}')`,
      () => this.#owner._location().attrExists(name),
    );
  }

  keys(): string[] {
    return this.#owner.ctx.metadataRead(this.where('keys'), () => `attrs.keys('${this.live()}')`, () => this.#owner._location().attrNames());
  }

  /** Deletes attribute `name`. Collective in parallel. */
  delete(name: string): void {
    const where = this.where('delete', name);
    const owner = this.#owner;
    owner.ctx.collective(
      where,
      () => {
        this.checkName(name, 'delete');
        owner.ctx.checkWritable(where);
        owner._checkOpen();
        return `attrs.delete('${name}' on '${owner.name}')`;
      },
      () => {
        const location = owner._location();
        if (!location.attrExists(name)) throw new H5Error(`${where}: no attribute '${name}' on ${owner.description}`, 'NOT_FOUND');
        named(where, () => location.attrDelete(name));
      },
    );
  }
}

// What they throw names the file (lib/naming.ts).
namesFileInErrors(Attributes.prototype, (a: Attributes) => a._filename, ['set', 'get', 'read', 'info', 'has', 'keys', 'delete']);
