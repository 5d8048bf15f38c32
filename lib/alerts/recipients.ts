import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import { isValidEmail, normalizeEmail } from "@/lib/email";

/**
 * Who hears about a connection: its setup owner and the admins of every organization it serves, each address
 * once (compared lower-cased), in a stable order.
 */
export async function alertRecipients(db: Executor, connectionId: string): Promise<string[]> {
  const rows = await queryRows<{ email: string }>(
    db,
    sql`SELECT owner_email AS email FROM directory_connections WHERE id = ${connectionId}::uuid
        UNION ALL
        SELECT u.email FROM connection_organizations co
        JOIN memberships m ON m.organization_id = co.organization_id AND m.role = 'admin'
        JOIN users u ON u.id = m.user_id
        WHERE co.connection_id = ${connectionId}::uuid`,
  );
  const seen = new Map<string, string>();
  for (const { email } of rows) if (isValidEmail(email) && !seen.has(normalizeEmail(email))) seen.set(normalizeEmail(email), email.trim());
  return [...seen.values()].sort((a, b) => a.localeCompare(b));
}
