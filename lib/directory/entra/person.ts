/**
 * Looks one person up in the directory for "why is or isn't this person here?": the user (by mail or user
 * principal name) or org contact (by mail) with that address, whether the account is enabled, and every group
 * it belongs to, nesting flattened. Reads only; knows nothing of storage (docs/design.md, "Which way dependencies point").
 */
import type { DirectoryPerson } from "@/lib/directory/types";

/** The one thing this module needs from a Graph session: an authenticated GET of a v1.0 path or nextLink. */
export interface GraphReader {
  get<T = unknown>(path: string, options?: { headers?: Record<string, string> }): Promise<T>;
}

export type { DirectoryPerson } from "@/lib/directory/types";

interface Page<T> {
  value?: T[];
  "@odata.nextLink"?: string;
}

/** OData string literal: single quotes are doubled, the only escape OData defines. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Safety stop for a person in an absurd number of groups; 999 per page makes 50 pages ~50,000 groups. */
const MAX_PAGES = 50;

async function* pages<T>(graph: GraphReader, first: string): AsyncGenerator<T[]> {
  let next: string | undefined = first;
  for (let i = 0; next && i < MAX_PAGES; i++) {
    const page: Page<T> = await graph.get<Page<T>>(next);
    yield page.value ?? [];
    next = page["@odata.nextLink"];
  }
}

async function transitiveGroups(graph: GraphReader, collection: "users" | "contacts", id: string) {
  const groups: DirectoryPerson["groups"] = [];
  // Without an OData cast this is a standard query (no ConsistencyLevel header). Graph returns directory roles
  // and administrative units in the same collection, each with its @odata.type; only groups are kept, and an
  // item whose type is not stated is not taken for one.
  // https://learn.microsoft.com/en-us/graph/api/user-list-transitivememberof
  const path = `/${collection}/${encodeURIComponent(id)}/transitiveMemberOf?$select=id,displayName&$top=999`;
  for await (const page of pages<{ id: string; displayName?: string; "@odata.type"?: string }>(graph, path)) {
    for (const item of page) {
      if (item["@odata.type"] !== "#microsoft.graph.group") continue;
      groups.push({ objectId: item.id, displayName: item.displayName ?? item.id });
    }
  }
  return groups;
}

interface UserRow {
  id: string;
  displayName?: string | null;
  mail?: string | null;
  userPrincipalName?: string | null;
  accountEnabled?: boolean | null;
}

/**
 * The user or contact with this address, or null when the directory has none. When a mail match and a
 * different user's user principal name match both exist, the mail match wins: that is the address a sync
 * would use for it.
 */
export async function findDirectoryPerson(graph: GraphReader, address: string): Promise<DirectoryPerson | null> {
  const wanted = address.trim().toLowerCase();
  const literal = odataString(address.trim());
  const users = await graph.get<Page<UserRow>>(
    `/users?$filter=${encodeURIComponent(`mail eq ${literal} or userPrincipalName eq ${literal}`)}` +
      `&$select=id,displayName,mail,userPrincipalName,accountEnabled&$top=10`,
  );
  const candidates = users.value ?? [];
  const user =
    candidates.find((u) => u.mail?.toLowerCase() === wanted) ??
    candidates.find((u) => u.userPrincipalName?.toLowerCase() === wanted) ??
    candidates[0];
  if (user) {
    return {
      kind: "user",
      objectId: user.id,
      displayName: user.displayName ?? user.userPrincipalName ?? user.id,
      mail: user.mail ?? null,
      userPrincipalName: user.userPrincipalName ?? null,
      // The sync's rule: only a state Graph returned counts (lib/audience/eligibility.ts).
      accountEnabled: typeof user.accountEnabled === "boolean" ? user.accountEnabled : null,
      groups: await transitiveGroups(graph, "users", user.id),
    };
  }
  const contacts = await graph.get<Page<UserRow>>(
    `/contacts?$filter=${encodeURIComponent(`mail eq ${literal}`)}&$select=id,displayName,mail&$top=10`,
  );
  const contact = contacts.value?.[0];
  if (!contact) return null;
  return {
    kind: "contact",
    objectId: contact.id,
    displayName: contact.displayName ?? contact.mail ?? contact.id,
    mail: contact.mail ?? null,
    userPrincipalName: null,
    accountEnabled: true,
    groups: await transitiveGroups(graph, "contacts", contact.id),
  };
}
