import { readFileSync } from 'fs';
import type { z } from 'zod';

/** Reads a JSON rules file and validates it, listing every problem with its path. */
export function loadRulesFile<T>(path: string, schema: z.ZodType<T>, what: string): T {
  const parsed = schema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`${what} ${path} are invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
