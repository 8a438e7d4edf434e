/**
 * Generates TypeScript types from the .avsc files so code and contracts cannot drift:
 * `npm run contracts:generate` writes types.generated.ts; a unit test fails when the
 * committed file differs from what the schemas generate.
 */
import { writeFileSync } from 'fs';
import { join } from 'path';
import { loadSchemaFiles, SCHEMAS_DIR } from './schemas';

type Avro = string | Avro[] | { type: string; [k: string]: unknown };

export function generateTypes(dir = SCHEMAS_DIR): string {
  const declared = new Map<string, string>(); // short name -> declaration
  const fullNames = new Map<string, string>(); // short name -> full name (to catch clashes)
  const topLevel: string[] = [];

  const declare = (fullName: string, text: string) => {
    const short = fullName.slice(fullName.lastIndexOf('.') + 1);
    const prev = declared.get(short);
    if (prev !== undefined && (prev !== text || fullNames.get(short) !== fullName)) {
      throw new Error(`type ${fullName} is declared twice with different shapes (or clashes with ${fullNames.get(short)})`);
    }
    declared.set(short, text);
    fullNames.set(short, fullName);
    return short;
  };

  const tsOf = (t: Avro, ns: string): string => {
    if (Array.isArray(t)) return t.map((m) => tsOf(m, ns)).join(' | ');
    if (typeof t === 'string') {
      switch (t) {
        case 'null': return 'null';
        case 'boolean': return 'boolean';
        case 'int': case 'long': case 'float': case 'double': return 'number';
        case 'string': return 'string';
        case 'bytes': return 'Buffer';
        default: return t.slice(t.lastIndexOf('.') + 1); // a named type declared elsewhere
      }
    }
    switch (t.type) {
      case 'array': return `Array<${tsOf(t.items as Avro, ns)}>`;
      case 'map': return `Record<string, ${tsOf(t.values as Avro, ns)}>`;
      case 'enum': {
        const full = `${(t.namespace as string) ?? ns}.${t.name as string}`;
        return declare(full, `export type ${t.name as string} = ${(t.symbols as string[]).map((s) => `'${s}'`).join(' | ')};`);
      }
      case 'record': {
        const recNs = (t.namespace as string) ?? ns;
        const full = `${recNs}.${t.name as string}`;
        const fields = (t.fields as { name: string; type: Avro; doc?: string }[])
          .map((f) => `${f.doc ? `  /** ${f.doc} */\n` : ''}  ${f.name}: ${tsOf(f.type, recNs)};`)
          .join('\n');
        return declare(full, `export interface ${t.name as string} {\n${fields}\n}`);
      }
      default: return tsOf(t.type as Avro, ns); // primitive with a logicalType
    }
  };

  for (const f of loadSchemaFiles(dir)) {
    tsOf(f.schema as unknown as Avro, f.schema.namespace);
    topLevel.push(f.fullName);
  }
  const short = (n: string) => n.slice(n.lastIndexOf('.') + 1);
  return [
    '// Generated from schemas/*.avsc by shared/contracts/codegen.ts. Do not edit: run `npm run contracts:generate`.',
    '/* eslint-disable */',
    '',
    ...[...declared.keys()].sort().map((k) => declared.get(k) + '\n'),
    '/** Every top-level record, by its Avro full name. */',
    'export interface RecordTypes {',
    ...topLevel.map((n) => `  '${n}': ${short(n)};`),
    '}',
    '',
  ].join('\n');
}

export const GENERATED_FILE = join(__dirname, 'types.generated.ts');

if (require.main === module) {
  writeFileSync(GENERATED_FILE, generateTypes());
  console.log(`wrote ${GENERATED_FILE}`);
}
