/**
 * The JSON form of fitted models (mljs's convention): `model.toJSON()` gives a plain object that
 * `JSON.stringify` writes and `JSON.parse` reads back, naming its `kind` and format `version`; a
 * `load…(json)` function gives the model back, and it transforms, projects or predicts exactly as the
 * model that was saved (numbers survive the round trip bit for bit: JSON writes every double in the
 * shortest form that reads back as the same double).
 *
 * Typed arrays are written as plain arrays of numbers; NaN (a statistic of a column without values) is
 * written as `null`, since JSON has no NaN. `load…` checks the kind, the version and the shape of every
 * field and throws ParameterError (`json`) naming what is wrong, so a damaged or foreign file is a clear
 * refusal rather than wrong numbers.
 */
import { ParameterError } from '../errors.js';

/** The format version every model's JSON carries; `load…` refuses any other. */
export const MODEL_JSON_VERSION = 1;

/** What every saved model holds besides its own fields. */
export interface ModelJsonHeader {
  /** What model this is: `songscope/normalizer`, `songscope/reducer`, `songscope/kmeans`. */
  kind: string;
  /** {@link MODEL_JSON_VERSION}. */
  version: number;
}

/** A typed array as JSON numbers, NaN as `null`. */
export function encodeNumbers(values: ArrayLike<number>): (number | null)[] {
  return Array.from(values, (v) => (Number.isNaN(v) ? null : v));
}

/**
 * The object `json` as a model of `kind`, after checking the header.
 *
 * @throws ParameterError (`json`) for something that is not an object, another kind, or another version
 */
export function modelObject(json: unknown, kind: string): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ParameterError('json', json === null ? 'null' : Array.isArray(json) ? 'an array' : typeof json, `a saved ${kind} model (an object)`);
  }
  const o = json as Record<string, unknown>;
  if (o.kind !== kind) throw new ParameterError('json', `kind ${JSON.stringify(o.kind) ?? 'missing'}`, `kind "${kind}"`);
  if (o.version !== MODEL_JSON_VERSION) {
    throw new ParameterError('json', `version ${JSON.stringify(o.version) ?? 'missing'}`, `version ${MODEL_JSON_VERSION} of the ${kind} format`);
  }
  return o;
}

/**
 * Field `field` of a model object as a Float64Array of `length` numbers (`null` read as NaN when
 * `allowNaN`, else refused).
 *
 * @throws ParameterError (`json`) naming the field when it is not such an array
 */
export function numbersField(o: Record<string, unknown>, field: string, length: number, allowNaN = false): Float64Array {
  const v = o[field];
  if (!Array.isArray(v) || v.length !== length) {
    throw new ParameterError('json', `${field} ${Array.isArray(v) ? `with ${v.length} values` : 'missing'}`, `${field} with ${length} numbers`);
  }
  const out = new Float64Array(length);
  v.forEach((x, i) => {
    if (typeof x === 'number' && Number.isFinite(x)) out[i] = x;
    else if (x === null && allowNaN) out[i] = NaN;
    else throw new ParameterError('json', `${field}[${i}] is ${JSON.stringify(x) ?? String(x)}`, allowNaN ? 'finite numbers or null' : 'finite numbers');
  });
  return out;
}

/**
 * Field `field` of a model object as an integer in [`min`, `max`].
 *
 * @throws ParameterError (`json`) naming the field otherwise
 */
export function integerField(o: Record<string, unknown>, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = o[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ParameterError('json', `${field} ${JSON.stringify(v) ?? 'missing'}`, `${field}, an integer in [${min}, ${max}]`);
  }
  return v;
}

/**
 * Field `field` of a model object as a finite number.
 *
 * @throws ParameterError (`json`) naming the field otherwise
 */
export function numberField(o: Record<string, unknown>, field: string): number {
  const v = o[field];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ParameterError('json', `${field} ${JSON.stringify(v) ?? 'missing'}`, `${field}, a finite number`);
  return v;
}
