/**
 * Upload CSV's template: the header the importer reads and two example rows. The same for every series (it
 * holds no data), so it needs no session; the series in the path only keeps the link beside its dialog.
 */
const TEMPLATE = "email,name\r\nada.lovelace@example.com,Ada Lovelace\r\ngrace.hopper@example.com,Grace Hopper\r\n";

export function GET() {
  return new Response(TEMPLATE, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": 'attachment; filename="roster-recipients-template.csv"',
      "cache-control": "public, max-age=3600",
    },
  });
}
