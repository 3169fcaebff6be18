import type { ReactNode } from 'react';

interface DataTableProps {
  /** Extra class beside `history` (the shared table look). */
  className?: string;
  columns: string[];
  /** A last, unlabelled column of buttons (named for screen readers). */
  actions?: boolean;
  /** The `<tr>` rows. */
  children: ReactNode;
}

/** A scrollable table with a header row: the look the history, archives and keys tables share. */
export function DataTable({ className, columns, actions, children }: DataTableProps) {
  return (
    <div className="table-wrap">
      <table className={className ? `history ${className}` : 'history'}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
            {actions ? (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
