/**
 * Config problems, arranged so each input can find its own. The schema names
 * a field as a dotted path (`jobs[0].schedule`, `hosts.test.port`); the
 * settings page asks by that same path.
 */
import type { ConfigProblem } from '../../../shared/config-schema';
import { fieldName } from '../../../shared/config-words';

/** Problems per field path: the schema's messages as sentences ("Port must be ..."), and the value they are about. */
export type ProblemMap = ReadonlyMap<string, { messages: readonly string[]; value?: string | undefined; labelled?: boolean }>;

/**
 * Groups problems by field. A problem naming several fields at once
 * (`jobs[0].foo, jobs[0].bar`: unknown keys) is filed under each of them.
 */
export function problemsByField(problems: readonly ConfigProblem[]): ProblemMap {
  const map = new Map<string, { messages: string[]; value?: string | undefined; labelled?: boolean }>();
  for (const p of problems) {
    for (const field of p.field.split(', ')) {
      const entry = map.get(field) ?? { messages: [], value: p.value };
      // A labelled field's name starts the sentence: "Port must be between 1 and 65535".
      entry.messages.push(p.label ? `${fieldName(p.label, field)} ${p.message}` : p.message);
      if (p.label) entry.labelled = true;
      map.set(field, entry);
    }
  }
  return map;
}

/** One line for a field: its messages, then once what was there (unless it was blank or missing). */
function fieldLine(entry: { messages: readonly string[]; value?: string | undefined }): string {
  const text = entry.messages.join('; ');
  const shown = entry.value !== undefined && entry.value !== 'missing' && entry.value !== '""';
  return shown ? `${text} (it is ${entry.value})` : text;
}

/**
 * The lines for one field, and with `nested` also those of its elements
 * and members (`jobs[0].paths` collects `jobs[0].paths[1]`).
 */
export function problemsFor(map: ProblemMap, field: string, nested = false): string[] {
  const own = map.get(field);
  const out = own ? [fieldLine(own)] : [];
  if (nested) {
    for (const [key, entry] of map) {
      if (key !== field && (key.startsWith(`${field}[`) || key.startsWith(`${field}.`))) {
        out.push(entry.labelled ? fieldLine(entry) : `${key.slice(field.length).replace(/^\./, '')}: ${fieldLine(entry)}`);
      }
    }
  }
  return out;
}
