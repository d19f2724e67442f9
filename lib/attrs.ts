// Attributes, as h5py's `obj.attrs`: small named values on files, groups and datasets.
import { ARRAY_TYPES, describeValue, dtypeOfArray, dtypeOfCode, DTYPE_CODES, NumericArray, NumericDType } from './dtype';
import { H5Error } from './errors';
import { native } from './native';
import type { H5Object } from './object';
import { describeArgument } from './collective';

/** What an attribute holds: scalars, strings, typed arrays (1-D) and string arrays. */
export type AttributeValue = number | bigint | string | NumericArray | string[] | number[];

interface Packed {
  dtype: number;
  shape: number[] | null;
  data: ArrayBufferView | string[];
  text: string;
}

function checkNoNul(strings: readonly string[], where: string): void {
  strings.forEach((s, i) => {
    if (s.includes('\0')) throw new TypeError(`${where}: string ${i} contains a NUL character, which HDF5 strings cannot hold`);
  });
}

function pack(value: unknown, where: string): Packed {
  if (typeof value === 'number') return { dtype: DTYPE_CODES.float64, shape: null, data: new Float64Array([value]), text: `${value}` };
  if (typeof value === 'bigint') {
    if (value < -(2n ** 63n) || value >= 2n ** 63n) throw new RangeError(`${where}: ${value} does not fit in int64`);
    return { dtype: DTYPE_CODES.int64, shape: null, data: new BigInt64Array([value]), text: `${value}n` };
  }
  if (typeof value === 'string') checkNoNul([value], where);
  if (typeof value === 'string') return { dtype: DTYPE_CODES.string, shape: null, data: [value], text: JSON.stringify(value) };
  if (ArrayBuffer.isView(value)) {
    const dt = dtypeOfArray(value);
    if (dt === undefined) throw new TypeError(`${where}: ${value.constructor.name} is not a supported attribute type`);
    const a = value as NumericArray;
    return { dtype: DTYPE_CODES[dt], shape: [a.length], data: a, text: `${dt}[${Array.from(a as ArrayLike<unknown>).map(String).join(',')}]` };
  }
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'string')) {
      checkNoNul(value, where);
      return { dtype: DTYPE_CODES.string, shape: [value.length], data: value, text: JSON.stringify(value) };
    }
    if (value.every((v) => typeof v === 'number')) {
      return { dtype: DTYPE_CODES.float64, shape: [value.length], data: Float64Array.from(value), text: `float64[${value.join(',')}]` };
    }
    throw new TypeError(`${where}: an array attribute must hold only strings or only numbers`);
  }
  throw new TypeError(`${where}: cannot store ${describeValue(value)}; use a number, bigint, string, typed array or string[]`);
}

export class Attributes {
  /** @internal */
  constructor(private readonly owner: H5Object) {}

  private where(call: string, name?: string): string {
    return `${this.owner.description}.attrs.${call}${name === undefined ? '' : `('${name}')`}`;
  }

  /** The owner's path, after checking it is still open. */
  private live(): string {
    void this.owner.id;
    return this.owner.name;
  }

  private checkName(name: unknown, call: string): string {
    if (typeof name !== 'string' || name.length === 0) {
      throw new TypeError(`${this.where(call)}: an attribute name must be a non-empty string, got ${JSON.stringify(name)}`);
    }
    return name;
  }

  /** Creates or replaces attribute `name`. Collective in parallel: every rank passes the same value. */
  set(name: string, value: AttributeValue): void {
    const where = this.where('set', name);
    let packed!: Packed;
    this.owner.file._collective(
      where,
      () => {
        this.checkName(name, 'set');
        this.owner.file._checkWritable(where);
        void this.owner.id;
        packed = pack(value, where);
        // The stored value, exactly and briefly (long arrays as a preview and a digest), so any difference shows.
        const stored = packed.shape === null ? (packed.data as ArrayLike<unknown>)[0] : packed.data;
        return `attrs.set('${name}' on '${this.owner.name}', ${describeArgument(stored)})`;
      },
      () => native.attrWrite(this.owner.id, name, packed.dtype, 0, packed.shape, packed.data),
    );
  }

  /** The value of attribute `name`: a number/bigint/string for scalars, a typed array or string[] otherwise. */
  get(name: string): AttributeValue {
    const where = this.where('get', name);
    const r = this.owner.file._metadataRead(
      where,
      () => `attrs.get('${this.checkName(name, 'get')}' on '${this.live()}')`,
      () => {
        if (!native.attrExists(this.owner.id, name)) {
          throw new H5Error(`${where}: no attribute '${name}' on ${this.owner.description} (it has: ${native.attrNames(this.owner.id).join(', ') || 'none'})`);
        }
        return native.attrRead(this.owner.id, name);
      },
    );
    if (r.shape !== null && r.shape.length === 0) {
      throw new H5Error(`${where}: attribute '${name}' is empty (a null dataspace, as h5py.Empty writes): it has no value to read`);
    }
    if (r.type.dtype < 0 || r.data === undefined) {
      throw new H5Error(`${where}: attribute '${name}' has an HDF5 ${r.type.className} type, which h5mpi cannot read`);
    }
    const dt = dtypeOfCode(r.type.dtype);
    if (dt === 'string') {
      const strings = r.data as string[];
      return r.shape === null ? strings[0] : strings;
    }
    const arr = new ARRAY_TYPES[dt as NumericDType](r.data as ArrayBuffer);
    return r.shape === null ? (arr[0] as number | bigint) : arr;
  }

  has(name: string): boolean {
    return this.owner.file._metadataRead(
      this.where('has', name),
      () => `attrs.has('${this.checkName(name, 'has')}' on '${this.live()}')`,
      () => native.attrExists(this.owner.id, name),
    );
  }

  keys(): string[] {
    return this.owner.file._metadataRead(this.where('keys'), () => `attrs.keys('${this.live()}')`, () =>
      native.attrNames(this.owner.id),
    );
  }

  /** Deletes attribute `name`. Collective in parallel. */
  delete(name: string): void {
    const where = this.where('delete', name);
    this.owner.file._collective(
      where,
      () => {
        this.checkName(name, 'delete');
        this.owner.file._checkWritable(where);
        void this.owner.id;
        return `attrs.delete('${name}' on '${this.owner.name}')`;
      },
      () => {
        if (!native.attrExists(this.owner.id, name)) throw new H5Error(`${where}: no attribute '${name}' on ${this.owner.description}`);
        native.attrDelete(this.owner.id, name);
      },
    );
  }
}
