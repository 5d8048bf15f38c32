/**
 * The one UUID check. Roster's own ids are UUIDs, and so are the GUIDs Azure shows (tenant, client, object and
 * secret ids): 8-4-4-4-12 hexadecimal digits, either case. Ids are checked before they reach a query, so a
 * made-up id is "not found" rather than a database error.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}
