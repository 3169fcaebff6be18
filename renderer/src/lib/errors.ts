/**
 * Errors from either bridge, in words for the page: the message of the
 * engine's reply (or of a transport failure), and the problems it named by
 * field path, for a form to put each next to its field.
 */
import type { ApiProblem } from '../../../shared/api-reply';
import type { ConfigProblem } from '../../../shared/config-schema';

/** The readable message of anything a bridge call threw. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The problems an error reply named, by field path; none for other errors. */
export function errorProblems(err: unknown): ApiProblem[] {
  const problems = typeof err === 'object' && err !== null ? (err as { problems?: unknown }).problems : undefined;
  return Array.isArray(problems) ? (problems as ApiProblem[]) : [];
}

/** The same problems in the config schema's shape (`field` for `path`), for the config forms. */
export function errorConfigProblems(err: unknown): ConfigProblem[] {
  return errorProblems(err).map((p) => ({
    field: p.path,
    message: p.message,
    ...(p.value !== undefined ? { value: p.value } : {}),
    ...(p.label !== undefined ? { label: p.label } : {}),
  }));
}

/**
 * An error addressed to one of a form's fields (a problem whose path is one
 * of `fields`): the field and its message; undefined for any other error,
 * which the form shows as a whole.
 */
export function fieldOfError(err: unknown, fields: readonly string[]): { field: string; message: string } | undefined {
  const p = errorProblems(err).find((x) => fields.includes(x.path));
  return p ? { field: p.path, message: p.message } : undefined;
}
