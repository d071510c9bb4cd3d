import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { type Column, DataTable } from "./data-table";

interface Row {
  readonly name: string;
  readonly n: number;
}

const columns: (Column<Row> | false)[] = [
  { header: "Name", cell: (r) => r.name },
  {
    header: "Count",
    numeric: true,
    cell: (r) => r.n,
    tone: (r) => (r.n > 1 ? "text-warn" : undefined),
  },
  false,
  { header: "Actions", headerHidden: true, cell: () => "…" },
];

const render = (props: Partial<Parameters<typeof DataTable<Row>>[0]>) =>
  renderToStaticMarkup(
    createElement(DataTable<Row>, {
      caption: "Things",
      columns,
      rows: [],
      rowKey: (r: Row) => r.name,
      ...props,
    }),
  );

describe(DataTable.name, () => {
  it("names the table by a hidden caption and heads each row with its first column", () => {
    const html = render({
      rows: [{ name: "a", n: 2 }],
      rowProps: (r) => ({ "data-name": r.name }),
    });
    expect(html).toContain('<caption class="visually-hidden">Things</caption>');
    expect(html).toContain('<th scope="col" class="num">Count</th>');
    expect(html).toContain('<th scope="col"><span class="visually-hidden">Actions</span></th>');
    expect(html).toContain(
      '<tr data-name="a"><th scope="row">a</th><td class="num text-warn">2</td><td>…</td></tr>',
    );
  });

  it("leaves out absent columns and can show its caption", () => {
    const html = render({ rows: [{ name: "b", n: 1 }], showCaption: true, compact: true });
    expect(html).toContain('<table class="table table-compact"><caption>Things</caption>');
    expect(html.match(/scope="col"/g)).toHaveLength(3);
    expect(html).toContain('<td class="num">1</td>');
  });

  it("says what the empty state says when there are no rows, or keeps an empty table", () => {
    expect(render({ empty: "Nothing yet." })).toBe(
      '<section class="empty" role="status">Nothing yet.</section>',
    );
    expect(render({})).toContain("<tbody></tbody>");
  });
});
