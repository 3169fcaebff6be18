/** Number formats and GFM tables for docs/performance.md. */

/** 10^6 bytes, two decimals below 10 MB. */
export const mb = (bytes: number) => (bytes / 1e6).toFixed(bytes < 10e6 ? 2 : 1);
/** Seconds, two decimals below 10 s. */
export const sec = (s: number) => s.toFixed(s < 10 ? 2 : 1);
/** A ratio, "1.23×". */
export const x = (r: number) => `${r.toFixed(r < 0.1 ? 3 : 2)}×`;
// A '|' inside a cell (even in a code span) would split it: escape it as GFM wants.
const row = (cells: (string | number)[]) => `| ${cells.map((c) => String(c).replaceAll('|', '\\|')).join(' | ')} |`;
/** A GFM table. */
export const table = (head: string[], rows: (string | number)[][]) => [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');
