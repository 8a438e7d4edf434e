import Table from 'cli-table3';

/** Human tables by default, JSON with --json (for scripts). */
export function print(json: boolean, data: unknown, rows?: () => { head: string[]; rows: (string | number | null)[][] }): void {
  if (json || !rows) {
    console.log(JSON.stringify(data, null, 2));
    return;
  }
  const { head, rows: body } = rows();
  const table = new Table({ head, style: { head: [], border: [] } });
  for (const r of body) table.push(r.map((c) => (c === null || c === undefined ? '' : String(c))));
  console.log(table.toString());
}
