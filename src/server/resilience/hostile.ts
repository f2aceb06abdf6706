import fc from 'fast-check';
import { type ZodType, z } from 'zod';

/**
 * Hostile inputs for the fuzz tests: generators of plausible values from a route's own zod schema
 * (through its JSON Schema, as the OpenAPI document reads it), and mutations that break them.
 */

/** Strings an attacker (or an unlucky keyboard) sends. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  '1; select pg_sleep(10)--',
  "Robert'); DELETE FROM speak_up_reports; --",
  '$1',
  '%s%s%s%n',
  '<script>window.__xss=1</script>',
  '<img src=x onerror="window.__xss=1">',
  'javascript:window.__xss=1',
  '"><svg onload=alert(1)>',
  '{{constructor.constructor("return 1")()}}',
  '__proto__',
  'constructor',
  'prototype',
  '\u0000',
  'a\u0000b',
  '\uD800',
  'x\uDFFFy',
  '\u202Eevil\u202C',
  'שלום مرحبا',
  '\u200B\u200C\u200D\uFEFF',
  'e\u0301\u0301\u0301\u0301',
  '👩🏽‍⚕️👨🏿‍🎓',
  '\r\n\r\nSet-Cookie: x=1',
  '../../../../etc/passwd',
  '%2e%2e%2f',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  '0000-0000-0000-0000-0000',
  '00000000-0000-0000-0000-000000000000',
  'not-a-uuid',
  'x'.repeat(10_001),
  '𝔘'.repeat(3_000),
];

/** Values of the wrong type, or absurd sizes and shapes. */
export const HOSTILE_VALUES: readonly unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  -0,
  2 ** 53 + 1,
  1e308,
  -1e308,
  [],
  {},
  [null],
  ['x'.repeat(1000)],
  { $ne: null },
  { $gt: '' },
  { toString: 'x' },
  nested(60),
  Array.from({ length: 2_000 }, (_, i) => i),
];

function nested(depth: number): unknown {
  let value: unknown = 'deep';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

/** Keys that pollute prototypes if a server merges objects carelessly. */
export const POLLUTING_KEYS = ['__proto__', 'constructor', 'prototype', 'isAdmin', 'role'] as const;

export const hostileString = fc.constantFrom(...HOSTILE_STRINGS);
export const hostileValue = fc.oneof(
  { weight: 2, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_VALUES) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
);

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  format?: string;
  pattern?: string;
  additionalProperties?: JsonSchema | boolean;
};

export function jsonSchemaOf(schema: ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

/**
 * Strings the generators may use where the schema wants a known identifier, code or token: the
 * fixture's real ids (so some requests reach records and deeper code) and random ones.
 */
export type ValuePools = { ids: string[]; tokens: string[] };

/** A plausible value for a JSON Schema: often valid, so requests get past the first check. */
export function arbitraryFor(schema: JsonSchema, pools: ValuePools, depth = 0): fc.Arbitrary<unknown> {
  if (depth > 6) return fc.constant(null);
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const union = schema.anyOf ?? schema.oneOf;
  if (union?.length) return fc.oneof(...union.map((s) => arbitraryFor(s, pools, depth + 1)));
  if (schema.allOf?.length) return arbitraryFor(schema.allOf[0]!, pools, depth + 1);
  const types = [schema.type ?? []].flat();
  if (types.length > 1) {
    return fc.oneof(...types.map((type) => arbitraryFor({ ...schema, type }, pools, depth + 1)));
  }
  switch (types[0]) {
    case 'string':
      return stringFor(schema, pools);
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? (schema.exclusiveMinimum ?? -1_000_001) + 1;
      const max = schema.maximum ?? (schema.exclusiveMaximum ?? 1_000_001) - 1;
      return fc.integer({ min: Math.max(min, -1_000_000), max: Math.min(max, 1_000_000) });
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const items = schema.items ? arbitraryFor(schema.items, pools, depth + 1) : fc.string();
      const minLength = schema.minItems ?? 0;
      return fc.array(items, {
        minLength,
        maxLength: Math.max(minLength, Math.min(schema.maxItems ?? 4, 4)),
      });
    }
    case 'object': {
      const properties = schema.properties ?? {};
      if (Object.keys(properties).length === 0) return fc.constant({});
      const model = Object.fromEntries(
        Object.entries(properties).map(([key, s]) => [key, arbitraryFor(s, pools, depth + 1)]),
      );
      return fc.record(model, { requiredKeys: (schema.required ?? []).filter((k) => k in properties) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function stringFor(schema: JsonSchema, pools: ValuePools): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = Math.max(min, Math.min(schema.maxLength ?? 60, 60));
  switch (schema.format) {
    case 'uuid':
      return pools.ids.length ? fc.oneof(fc.constantFrom(...pools.ids), fc.uuid()) : fc.uuid();
    case 'email':
      return fc.oneof(
        fc.emailAddress(),
        fc.nat().map((n) => `fuzz-${n}@example.ac.uk`),
      );
    case 'date':
      return fc
        .date({ min: new Date('2020-01-01'), max: new Date('2030-12-31'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10));
    case 'date-time':
      return fc
        .date({ min: new Date('2020-01-01'), max: new Date('2030-12-31'), noInvalidDate: true })
        .map((d) => d.toISOString());
    case 'uri':
      return fc.oneof(fc.webUrl(), fc.constant('https://example.ac.uk/page'));
  }
  const text = fc.string({ minLength: min, maxLength: max, unit: 'grapheme' });
  return pools.tokens.length && (schema.pattern || min >= 20)
    ? fc.oneof(fc.constantFrom(...pools.tokens), text)
    : text;
}

/** One change that makes a valid value hostile: at the n-th place in it, or to it as a whole. */
export type Mutation =
  | { kind: 'poison-strings'; value: string }
  | { kind: 'replace'; at: number; value: unknown }
  | { kind: 'add-key'; at: number; key: string; value: unknown }
  | { kind: 'whole'; value: unknown };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: hostileValue }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('add-key' as const),
      at: fc.nat(),
      key: fc.oneof(fc.constantFrom(...POLLUTING_KEYS), hostileString),
      value: fc.oneof(hostileValue, fc.constant({ isAdmin: true, polluted: true })),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('whole' as const), value: hostileValue }) },
  {
    // Every string of an otherwise valid value gets a character the database or Unicode rejects,
    // so the value passes validation and reaches the database.
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('poison-strings' as const),
      value: fc.constantFrom('\u0000', '\uD800', '\uDFFF', '\u202E', '\u200B', '\uFEFF'),
    }),
  },
);

function poisonStrings(value: unknown, poison: string, depth = 0): unknown {
  if (typeof value === 'string')
    return value.length > 1 ? `${value.slice(0, -1)}${poison}` : `${value}${poison}`;
  if (!value || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => poisonStrings(v, poison, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, poisonStrings(v, poison, depth + 1)]));
}

/** Every object and array inside a value (the value itself first), for choosing where to mutate. */
function containers(value: unknown, out: (Record<string, unknown> | unknown[])[] = [], depth = 0) {
  if (value && typeof value === 'object' && depth < 8) {
    out.push(value as Record<string, unknown>);
    for (const child of Object.values(value)) containers(child, out, depth + 1);
  }
  return out;
}

/** Sets a key as an own, enumerable property (so `__proto__` becomes a key, not the prototype). */
function defineKey(target: object, key: string, value: unknown) {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Applies mutations to a (deep-copied) value. */
export function mutate(value: unknown, mutations: Mutation[]): unknown {
  let result = value === undefined ? undefined : structuredClone(value);
  for (const original of mutations) {
    // A copy: the hostile values are shared constants, and later mutations write into objects.
    const m = { ...original, value: structuredClone(original.value) };
    if (m.kind === 'poison-strings') {
      result = poisonStrings(result, m.value as string);
      continue;
    }
    if (m.kind === 'whole') {
      result = m.value;
      continue;
    }
    const places = containers(result);
    if (places.length === 0) {
      result = m.value;
      continue;
    }
    const place = places[m.at % places.length]!;
    if (m.kind === 'add-key' && !Array.isArray(place)) {
      defineKey(place, m.key, m.value);
      continue;
    }
    const keys = Object.keys(place);
    if (keys.length === 0) continue;
    const key = keys[m.at % keys.length]!;
    defineKey(place, key, m.value);
  }
  return result;
}

/**
 * The same JSON object with one of its keys written twice: the second (hostile) value is the one
 * a parser that keeps the last key sees. As raw text, since JSON.stringify cannot say it.
 */
export function withDuplicatedKey(json: string, replacement: unknown): string | null {
  const match = /^\{"((?:[^"\\]|\\.)*)":/.exec(json);
  if (!match) return null;
  return `${json.slice(0, -1)},"${match[1]}":${JSON.stringify(replacement) ?? 'null'}}`;
}
