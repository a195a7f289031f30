/**
 * Expected failures are values, not exceptions (STYLE §9): a message key under `errors.` in
 * locales/ plus the variables the text needs. Only bot/ turns them into words.
 */
export interface Failure {
  ok: false;
  code: string;
  vars?: Record<string, string | number>;
}
export type Result<T> = ({ ok: true } & T) | Failure;

export function fail(code: string, vars?: Record<string, string | number>): Failure {
  return { ok: false, code, vars };
}
