/**
 * Errors from either bridge, in words for the page. Electron wraps a
 * handler's error as "Error invoking remote method 'burrow:x': Error: ...";
 * the person only needs the last part.
 */
import type { ConfigProblem } from '../../../shared/config-schema';

/** The readable message of anything thrown by a bridge call. */
export function errorMessage(err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  return raw.replace(/^Error invoking remote method '[^']*': (?:[A-Za-z]*Error: )?/, '');
}

/** Config problems carried by a thrown error (the HTTP bridge attaches them), if any. */
export function errorProblems(err: unknown): ConfigProblem[] {
  const problems = typeof err === 'object' && err !== null ? (err as { problems?: unknown }).problems : undefined;
  return Array.isArray(problems) ? (problems as ConfigProblem[]) : [];
}
