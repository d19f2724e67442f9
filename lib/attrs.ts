// Attributes, as h5py's `obj.attrs`: small named values on files, groups and datasets.
import { describeArgument } from './collective';
import type { FileContext } from './context';
import { arrayTypeOf, dtypeOfArray, dtypeOfCode, DTYPE_CODES, NumericArray } from './dtype';
import { H5Error } from './errors';
import type { NativeLocation } from './native';
import { checkInt64, checkName, checkNoNul, describeValue } from './validate';

/** What an attribute holds: scalars, strings, typed arrays (1-D) and string arrays. */
export type AttributeValue = number | bigint | string | NumericArray | string[] | number[];

interface Packed {
  dtype: number;
  shape: number[] | null;
  data: ArrayBufferView | string[];
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

function pack(value: unknown, where: string): Packed {
  if (typeof value === 'number') return { dtype: DTYPE_CODES.float64, shape: null, data: new Float64Array([value]), text: `${value}` };
  if (typeof value === 'bigint') {
    checkInt64(value, where);
    return { dtype: DTYPE_CODES.int64, shape: null, data: new BigInt64Array([value]), text: `${value}n` };
  }
  if (typeof value === 'string') checkNoNul([value], where, 'string');
  if (typeof value === 'string') return { dtype: DTYPE_CODES.string, shape: null, data: [value], text: JSON.stringify(value) };
  if (ArrayBuffer.isView(value)) {
    const dt = dtypeOfArray(value);
    if (dt === undefined) throw new TypeError(`${where}: ${value.constructor.name} is not a supported attribute type`);
    const a = value as NumericArray;
    return { dtype: DTYPE_CODES[dt], shape: [a.length], data: a, text: `${dt}[${Array.from(a as ArrayLike<unknown>).map(String).join(',')}]` };
  }
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'string')) {
      checkNoNul(value, where, 'string');
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
  readonly #owner: AttributeOwner;

  private constructor(owner: AttributeOwner) {
    this.#owner = owner;
  }

  /** @internal The attributes of `owner`. */
  static _for(owner: AttributeOwner): Attributes {
    return new Attributes(owner);
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

  /** Creates or replaces attribute `name`. Collective in parallel: every rank passes the same value. */
  set(name: string, value: AttributeValue): void {
    const where = this.where('set', name);
    const owner = this.#owner;
    let packed!: Packed;
    owner.ctx.collective(
      where,
      () => {
        this.checkName(name, 'set');
        owner.ctx.checkWritable(where);
        owner._checkOpen();
        packed = pack(value, where);
        // The stored value, exactly and briefly (long arrays as a preview and a digest), so any difference shows.
        const stored = packed.shape === null ? (packed.data as ArrayLike<unknown>)[0] : packed.data;
        return `attrs.set('${name}' on '${owner.name}', ${describeArgument(stored)})`;
      },
      () => owner._location().attrWrite(name, packed.dtype, 0, packed.shape, packed.data),
    );
  }

  /** The value of attribute `name`: a number/bigint/string for scalars, a typed array or string[] otherwise. */
  get(name: string): AttributeValue {
    const where = this.where('get', name);
    const owner = this.#owner;
    const r = owner.ctx.metadataRead(
      where,
      () => `attrs.get('${this.checkName(name, 'get')}' on '${this.live()}')`,
      () => {
        const location = owner._location();
        if (!location.attrExists(name)) {
          throw new H5Error(`${where}: no attribute '${name}' on ${owner.description} (it has: ${location.attrNames().join(', ') || 'none'})`, 'NOT_FOUND');
        }
        return location.attrRead(name);
      },
    );
    if (r.shape !== null && r.shape.length === 0) {
      throw new H5Error(`${where}: attribute '${name}' is empty (a null dataspace, as h5py.Empty writes): it has no value to read`, 'UNSUPPORTED_TYPE');
    }
    if (r.type.dtype < 0 || r.data === undefined) {
      throw new H5Error(`${where}: attribute '${name}' has an HDF5 ${r.type.className} type, which h5mpi cannot read`, 'UNSUPPORTED_TYPE');
    }
    const dt = dtypeOfCode(r.type.dtype);
    if (dt === 'string') {
      const strings = r.data as string[];
      return r.shape === null ? strings[0] : strings;
    }
    const arr = new (arrayTypeOf(dt))(r.data as ArrayBuffer);
    return r.shape === null ? (arr[0]) : arr;
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
        location.attrDelete(name);
      },
    );
  }
}
