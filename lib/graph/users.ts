import { ADVANCED_QUERY_HEADERS, graphItems } from "./paging";
import type { GraphSession } from "./types";

/** The guide's user attributes: id, displayName, mail, userPrincipalName, accountEnabled. */
export const USER_SELECT = "id,displayName,mail,userPrincipalName,accountEnabled";
/** Org contacts carry no sign-in state: id, displayName, mail. */
export const CONTACT_SELECT = "id,displayName,mail";

export interface DirectoryUserRecord {
  id: string;
  displayName: string | null;
  mail: string | null;
  userPrincipalName: string | null;
  accountEnabled: boolean | null;
}

export interface DirectoryContactRecord {
  id: string;
  displayName: string | null;
  mail: string | null;
}

export function iterateUsers(graph: GraphSession, pageSize = 999): AsyncGenerator<DirectoryUserRecord> {
  return graphItems<DirectoryUserRecord>(graph, `/users?$top=${pageSize}&$select=${USER_SELECT}`);
}

/** A group's users with nesting flattened (the OData cast is an advanced query: ConsistencyLevel + $count). */
export function groupTransitiveUsersPath(groupObjectId: string, pageSize = 999): string {
  return `/groups/${encodeURIComponent(groupObjectId)}/transitiveMembers/microsoft.graph.user?$count=true&$top=${pageSize}&$select=${USER_SELECT}`;
}

export function groupTransitiveContactsPath(groupObjectId: string, pageSize = 999): string {
  return `/groups/${encodeURIComponent(groupObjectId)}/transitiveMembers/microsoft.graph.orgContact?$count=true&$top=${pageSize}&$select=${CONTACT_SELECT}`;
}

export function iterateGroupTransitiveUsers(graph: GraphSession, groupObjectId: string, pageSize = 999): AsyncGenerator<DirectoryUserRecord> {
  return graphItems<DirectoryUserRecord>(graph, groupTransitiveUsersPath(groupObjectId, pageSize), { ...ADVANCED_QUERY_HEADERS });
}

export function iterateGroupTransitiveContacts(graph: GraphSession, groupObjectId: string, pageSize = 999): AsyncGenerator<DirectoryContactRecord> {
  return graphItems<DirectoryContactRecord>(graph, groupTransitiveContactsPath(groupObjectId, pageSize), { ...ADVANCED_QUERY_HEADERS });
}
