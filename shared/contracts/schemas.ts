import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { dirname, join } from 'path';

/** schemas/ at the project root, found from here whether running from sources or from dist/. */
function findSchemasDir(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'schemas'))) return join(dir, 'schemas');
  }
  throw new Error(`no schemas/ folder above ${__dirname}`);
}

export const SCHEMAS_DIR = findSchemasDir();

export interface AvroRecordSchema {
  type: 'record';
  name: string;
  namespace: string;
  doc?: string;
  fields: { name: string; type: unknown; default?: unknown; doc?: string }[];
}

export interface SchemaFile {
  file: string;
  fullName: string;
  schema: AvroRecordSchema;
  text: string;
}

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const p = join(dir, entry);
      return statSync(p).isDirectory() ? walk(p) : p.endsWith('.avsc') ? [p] : [];
    });
}

/** Every .avsc under schemas/, one top-level record per file. */
export function loadSchemaFiles(dir = SCHEMAS_DIR): SchemaFile[] {
  return walk(dir).map((file) => {
    const text = readFileSync(file, 'utf8');
    const schema = JSON.parse(text) as AvroRecordSchema;
    if (schema.type !== 'record' || !schema.namespace) throw new Error(`${file}: must hold one namespaced record`);
    return { file, fullName: `${schema.namespace}.${schema.name}`, schema, text: JSON.stringify(schema) };
  });
}

let cache: Map<string, SchemaFile> | undefined;
/** The schema file of a record name; undefined when schemas/ has none. */
export function findSchemaByRecordName(recordName: string): SchemaFile | undefined {
  cache ??= new Map(loadSchemaFiles().map((s) => [s.fullName, s]));
  return cache.get(recordName);
}

export function schemaByRecordName(recordName: string): SchemaFile {
  const found = findSchemaByRecordName(recordName);
  if (!found) throw new Error(`no schema file for ${recordName}`);
  return found;
}
