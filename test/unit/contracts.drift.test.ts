import { readFileSync } from 'fs';
import { Type } from 'avsc';
import { GENERATED_FILE, generateTypes } from '../../shared/contracts/codegen';
import { loadSchemaFiles } from '../../shared/contracts/schemas';
import { ENVELOPE_FIELDS } from '../../shared/runner/handler';
import { TOPICS } from '../../shared/topics';

describe('Avro contracts', () => {
  const files = loadSchemaFiles();

  it('when the schemas are generated into TypeScript, then the committed types are identical (no drift)', () => {
    expect(readFileSync(GENERATED_FILE, 'utf8')).toBe(generateTypes());
  });

  it.each(files.map((f) => [f.fullName, f]))('%s parses as Avro and carries the envelope', (_name, f) => {
    const type = Type.forSchema(f.schema as never);
    expect(type.name).toBe(f.fullName);
    const fields = f.schema.fields.map((x) => x.name);
    expect(fields.slice(0, ENVELOPE_FIELDS.length)).toEqual([...ENVELOPE_FIELDS]);
  });

  it('when money appears in a schema, then it is a long of minor units, never a float', () => {
    const text = files.map((f) => f.text).join('\n');
    expect(text).not.toMatch(/"(float|double)"/);
    for (const f of files) {
      const walk = (fields: { name: string; type: unknown }[]) => {
        for (const field of fields) {
          if (/Minor$/.test(field.name)) expect({ field: field.name, type: field.type }).toEqual({ field: field.name, type: 'long' });
        }
      };
      walk(f.schema.fields);
    }
  });

  it('when the topic registry names a record, then exactly that schema file exists, and every file is on a topic', () => {
    const onTopics = Object.values(TOPICS).flatMap((t) => [...t.records]).sort();
    expect(files.map((f) => f.fullName).sort()).toEqual(onTopics);
  });
});
