import { type ReactNode } from "react";
import { EmptyState } from "./empty-state";

export interface Column<T> {
  /** The column header; also what a screen reader announces for each cell. */
  readonly header: ReactNode;
  readonly cell: (row: T) => ReactNode;
  /** Right-aligned figures (`num`). */
  readonly numeric?: boolean;
  /** Extra classes for a cell, e.g. a tone that depends on the value. */
  readonly tone?: (row: T) => string | undefined;
  /** A header only screen readers see (e.g. "Actions" above buttons). */
  readonly headerHidden?: boolean;
}

/**
 * The dashboard's table: a caption naming it (hidden unless `showCaption`, but
 * always its accessible name), one header row, and one row per item whose
 * first column is the row header (`<th scope="row">`), so rows are found by
 * name. With no rows it shows `empty` instead, when given.
 */
export function DataTable<T>({
  caption,
  showCaption = false,
  columns,
  rows,
  rowKey,
  rowProps,
  empty,
  compact = false,
}: {
  readonly caption: string;
  readonly showCaption?: boolean;
  /** Absent entries (`false`) are left out, for columns shown only sometimes. */
  readonly columns: readonly (Column<T> | false)[];
  readonly rows: readonly T[];
  readonly rowKey: (row: T) => string | number;
  /** Attributes for a row, e.g. `data-*` hooks. */
  readonly rowProps?: (row: T) => Record<string, string>;
  readonly empty?: ReactNode;
  readonly compact?: boolean;
}) {
  if (rows.length === 0 && empty !== undefined) return <EmptyState>{empty}</EmptyState>;
  const shown = columns.filter((c): c is Column<T> => c !== false);
  return (
    <table className={compact ? "table table-compact" : "table"}>
      <caption className={showCaption ? undefined : "visually-hidden"}>{caption}</caption>
      <thead>
        <tr>
          {shown.map((c, i) => (
            <th key={i} scope="col" className={c.numeric ? "num" : undefined}>
              {c.headerHidden ? <span className="visually-hidden">{c.header}</span> : c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)} {...rowProps?.(row)}>
            {shown.map((c, i) => {
              const className = [c.numeric && "num", c.tone?.(row)].filter(Boolean).join(" ");
              return i === 0 ? (
                <th key={i} scope="row" className={className || undefined}>
                  {c.cell(row)}
                </th>
              ) : (
                <td key={i} className={className || undefined}>
                  {c.cell(row)}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
