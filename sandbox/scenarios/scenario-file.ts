/**
 * The JSON shape of a scenario (see northwind.json): a tenant, its app registrations and an explicit
 * directory whose group members are listed by object id. Loading resolves those ids into member refs.
 */
import { Directory } from "../directory/directory";
import { CONTACT, GROUP, USER, ref, type ContactRecord, type GroupRecord, type RoleOrUnitRecord, type UserRecord } from "../directory/records";
import { UserTable } from "../directory/user-table";

export type Cloud = "global" | "usgov" | "usgovdod";

export interface AppSpec {
  name: string;
  clientId: string;
  /** The service principal's object id in this tenant (the token's `oid`). */
  servicePrincipalId: string;
  /** Application permissions with admin consent: the token's `roles`. */
  roles: string[];
  /** Delegated permissions: never in an app-only token. */
  delegated: string[];
  secrets: Array<{ secretId: string; displayName: string; value: string; startsDaysAgo: number; expiresInDays: number }>;
}

export interface ScenarioFile {
  schema: "roster-sandbox-scenario/1";
  tenant: {
    id: string;
    displayName: string;
    domain: string;
    initialDomain: string;
    countryLetterCode: string;
    createdDateTime: string;
    cloud: Cloud;
  };
  apps: AppSpec[];
  users: UserRecord[];
  contacts: Array<Omit<ContactRecord, "deleted">>;
  groups: Array<Omit<GroupRecord, "members" | "deleted"> & { members: string[] }>;
  /** Directory roles and administrative units, with their members' object ids. */
  rolesAndUnits?: RoleOrUnitRecord[];
}

export function loadScenario(file: ScenarioFile): Directory {
  const users = new UserTable();
  for (const u of file.users) users.add({ ...u, businessPhones: [...u.businessPhones] });
  const contacts: ContactRecord[] = file.contacts.map((c) => ({ ...c, deleted: false }));
  const groups: GroupRecord[] = file.groups.map((g) => ({ ...g, groupTypes: [...g.groupTypes], members: [], deleted: false }));
  const dir = new Directory(
    {
      displayName: file.tenant.displayName,
      domain: file.tenant.domain,
      initialDomain: file.tenant.initialDomain,
      countryLetterCode: file.tenant.countryLetterCode,
      createdDateTime: file.tenant.createdDateTime,
    },
    users,
    groups,
    contacts,
  );
  file.groups.forEach((g, gi) => {
    groups[gi].members = g.members.map((id) => {
      const u = users.indexOf(id);
      if (u >= 0) return ref(USER, u);
      const sub = dir.findGroup(id);
      if (sub >= 0) return ref(GROUP, sub);
      const c = dir.findContact(id);
      if (c >= 0) return ref(CONTACT, c);
      throw new Error(`scenario ${file.tenant.displayName}: group ${g.displayName} lists unknown member ${id}`);
    });
  });
  dir.rolesAndUnits = (file.rolesAndUnits ?? []).map((x) => ({ ...x, memberIds: [...x.memberIds] }));
  return dir;
}
