/**
 * A form field checked as it is typed, against the very schema the engine
 * checks the request with (shared/api-contract.ts ARG_SCHEMAS): the form
 * re-spells no rule, and says what the engine would say.
 */
import { ARG_SCHEMAS, type RequestName } from '../../../shared/api-contract';
import { issueWords } from '../../../shared/config-words';

type Shape = Record<string, { safeParse: (v: unknown, o?: object) => { success: boolean; error?: { issues: { message: string }[] } } }>;

/** The engine's objection to one argument of a request, as a sentence; undefined when it would take it. */
export function argProblem(request: RequestName, field: string, value: unknown): string | undefined {
  const shape = (ARG_SCHEMAS[request] as unknown as { shape: Shape }).shape;
  const schema = shape[field];
  if (!schema) throw new Error(`${request} has no argument ${field}`);
  const r = schema.safeParse(value, { error: issueWords });
  if (r.success) return undefined;
  const text = r.error?.issues[0]?.message ?? 'is not accepted';
  return text.charAt(0).toUpperCase() + text.slice(1);
}
