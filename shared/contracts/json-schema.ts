import { schemaByRecordName } from './schemas';

/**
 * JSON Schema of an Avro record, for validating JSON that becomes that record (the HTTP API's
 * request bodies), so API and Avro contract cannot drift. Fields with an Avro default are
 * optional; `omit` drops fields the server fills in (the envelope).
 */
type Avro = string | Avro[] | { type: string; [k: string]: unknown };
type Json = Record<string, unknown>;

const LONG_MAX = Number.MAX_SAFE_INTEGER;

function convert(t: Avro, named: Map<string, Json>, ns: string): Json {
  if (Array.isArray(t)) return { anyOf: t.map((m) => convert(m, named, ns)) };
  if (typeof t === 'string') {
    switch (t) {
      case 'null': return { type: 'null' };
      case 'boolean': return { type: 'boolean' };
      case 'int': return { type: 'integer', minimum: -(2 ** 31), maximum: 2 ** 31 - 1 };
      case 'long': return { type: 'integer', minimum: -LONG_MAX, maximum: LONG_MAX };
      case 'float': case 'double': return { type: 'number' };
      case 'string': return { type: 'string', maxLength: 10000 };
      default: {
        const full = t.includes('.') ? t : `${ns}.${t}`;
        const found = named.get(full);
        if (!found) throw new Error(`unknown Avro type ${t}`);
        return found;
      }
    }
  }
  switch (t.type) {
    case 'array': return { type: 'array', items: convert(t.items as Avro, named, ns), maxItems: 1000 };
    case 'map': return { type: 'object', additionalProperties: convert(t.values as Avro, named, ns) };
    case 'enum': {
      const s = { type: 'string', enum: t.symbols };
      named.set(`${(t.namespace as string) ?? ns}.${t.name as string}`, s);
      return s;
    }
    case 'record': {
      const recNs = (t.namespace as string) ?? ns;
      const fields = t.fields as { name: string; type: Avro; default?: unknown; doc?: string }[];
      const s: Json = {
        type: 'object',
        additionalProperties: false,
        required: fields.filter((f) => f.default === undefined).map((f) => f.name),
        properties: Object.fromEntries(fields.map((f) => [f.name, { ...convert(f.type, named, recNs), ...(f.doc ? { description: f.doc } : {}) }])),
      };
      named.set(`${recNs}.${t.name as string}`, s);
      return s;
    }
    default: return convert(t.type as Avro, named, ns);
  }
}

export function jsonSchemaOf(recordName: string, omit: readonly string[] = []): Json {
  const { schema } = schemaByRecordName(recordName);
  const full = convert(schema as unknown as Avro, new Map(), schema.namespace);
  const properties = { ...(full.properties as Json) };
  for (const f of omit) delete properties[f];
  return { ...full, properties, required: (full.required as string[]).filter((f) => !omit.includes(f)) };
}
