/**
 * Writes northwind.json, the demo tenant. Deterministic (seeded), so re-running it reproduces the file and
 * every documented id; edit this script rather than the JSON. Run: `npx tsx sandbox/scenarios/build-northwind.ts`.
 *
 * What the tenant holds, and why:
 * - ~290 users in departments, with the cases a newsletter sync must handle: disabled accounts, members without
 *   a mailbox (mail null, UPN valid), guests with `#EXT#` UPNs (some without mail), mixed-case addresses.
 * - All-Staff nests the department groups; Engineering nests sub-teams, and Platform ↔ Platform On-Call form a
 *   nesting cycle (Entra allows it). Management is mail-enabled security (with an org contact), Outreach a
 *   Microsoft 365 group, Partners Newsletter a distribution list, Engineers a dynamic group, Former
 *   Contractors is empty. Added later: Leadership Circle, a dynamic Microsoft 365 group, and Board Confidential, a
 *   Microsoft 365 group with hidden membership.
 * - App registrations: the main one, one whose secret expires in 10 days, one with delegated permissions
 *   only (its token has no `roles`), and one without User.Read.All (members come back as bare ids); added later,
 *   one with Directory.Read.All only, one with Group.Read.All + User.Read.All, and one with Member.Read.Hidden.
 */
import fs from "node:fs";
import path from "node:path";
import { guidFrom } from "../directory/ids";
import { FIRST_NAMES, LAST_NAMES } from "../directory/names";
import { mulberry32, seedFromString } from "../directory/prng";
import type { ContactRecord, UserRecord } from "../directory/records";
import type { AppSpec, ScenarioFile } from "./scenario-file";

const rand = mulberry32(seedFromString("northwind-traders-v1"));
const guid = () => guidFrom(rand);
const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)];
const DOMAIN = "northwind.example";
const INITIAL = "northwindtraders.onmicrosoft.com";

// Ids that documentation and the product's dev button rely on come first, so adding people never moves them.
const TENANT_ID = guid();
const SECRET_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.~";
function secretValue(): string {
  // Entra's current secret format: 3 characters, "8Q~", 34 more (40 in all).
  let s = "";
  for (let i = 0; i < 37; i++) s += SECRET_CHARS[Math.floor(rand() * (i < 3 ? 62 : SECRET_CHARS.length))];
  return `${s.slice(0, 3)}8Q~${s.slice(3)}`;
}
function app(name: string, roles: string[], delegated: string[], secrets: Array<[string, number, number]>): AppSpec {
  return {
    name,
    clientId: guid(),
    servicePrincipalId: guid(),
    roles,
    delegated,
    secrets: secrets.map(([displayName, startsDaysAgo, expiresInDays]) => ({ secretId: guid(), displayName, value: secretValue(), startsDaysAgo, expiresInDays })),
  };
}
const READ = ["Group.Read.All", "GroupMember.Read.All", "User.Read.All"];
const apps: AppSpec[] = [
  app("Roster Directory Sync", [...READ, "OrgContact.Read.All"], [], [
    ["roster-current", 10, 540],
    ["roster-previous", 400, -30],
  ]),
  app("Roster Directory Sync (expiring secret)", READ, [], [["roster-expiring", 355, 10]]),
  app("Roster Directory Sync (delegated only)", [], ["User.Read", ...READ], [["roster-delegated", 10, 365]]),
  app("Roster Directory Sync (no User.Read.All)", ["GroupMember.Read.All"], [], [["roster-limited", 10, 365]]),
];
const groupIds = new Map<string, string>();
const GROUP_NAMES = [
  "All-Staff", "Engineering", "Platform", "Platform On-Call", "Mobile", "Data", "Sales", "Marketing", "Support",
  "Finance", "HR", "Operations", "Management", "Outreach", "Partners Newsletter", "Engineers", "Former Contractors",
  "Contractors", "Service Accounts",
];
for (const n of GROUP_NAMES) groupIds.set(n, guid());

const usedNames = new Set<string>();
const users: UserRecord[] = [];
const day = (from: number, to: number) => {
  const t = Date.UTC(from, 0, 1) + Math.floor(rand() * (to - from) * 365) * 86_400_000;
  return new Date(t).toISOString().replace(".000Z", "Z");
};

interface PersonOpts {
  title?: string | null;
  disabled?: boolean;
  noMail?: boolean;
  mixedCase?: boolean;
  name?: [string, string];
  company?: string | null;
}
function person(department: string, o: PersonOpts = {}): UserRecord {
  let first: string;
  let last: string;
  do {
    [first, last] = o.name ?? [pick(FIRST_NAMES), pick(LAST_NAMES)];
  } while (usedNames.has(`${first} ${last}`) && !o.name);
  usedNames.add(`${first} ${last}`);
  const local = `${first}.${last}`.toLowerCase();
  const upn = `${local}@${DOMAIN}`;
  const u: UserRecord = {
    id: guid(),
    displayName: `${first} ${last}`,
    givenName: first,
    surname: last,
    mail: o.noMail ? null : o.mixedCase ? `${first}.${last}@${DOMAIN}` : upn,
    userPrincipalName: upn,
    mailNickname: local,
    accountEnabled: !o.disabled,
    userType: "Member",
    jobTitle: o.title === undefined ? pick(["Specialist", "Associate", "Analyst", "Coordinator", "Senior Specialist"]) : o.title,
    department,
    officeLocation: pick(["Seattle", "London", "Remote"]),
    companyName: o.company === undefined ? "Northwind Traders" : o.company,
    mobilePhone: null,
    businessPhones: rand() < 0.5 ? [`+1 425 555 0${String(100 + users.length).slice(-3)}`] : [],
    preferredLanguage: "en-US",
    usageLocation: "US",
    employeeId: `NW${String(1000 + users.length)}`,
    createdDateTime: day(2017, 2025),
    externalUserState: null,
    creationType: null,
  };
  users.push(u);
  return u;
}
function guest(ext: string, o: { noMail?: boolean; disabled?: boolean } = {}): UserRecord {
  let first: string;
  let last: string;
  do {
    [first, last] = [pick(FIRST_NAMES), pick(LAST_NAMES)];
  } while (usedNames.has(`${first} ${last}`));
  usedNames.add(`${first} ${last}`);
  const external = `${first}.${last}@${ext}`.toLowerCase();
  const u: UserRecord = {
    id: guid(),
    displayName: `${first} ${last} (${ext.split(".")[0]})`,
    givenName: first,
    surname: last,
    mail: o.noMail ? null : external,
    userPrincipalName: `${external.replace("@", "_")}#EXT#@${INITIAL}`,
    mailNickname: `${external.replace("@", "_")}#EXT#`,
    accountEnabled: !o.disabled,
    userType: "Guest",
    jobTitle: null,
    department: null,
    officeLocation: null,
    companyName: ext.split(".")[0],
    mobilePhone: null,
    businessPhones: [],
    preferredLanguage: null,
    usageLocation: null,
    employeeId: null,
    createdDateTime: day(2021, 2025),
    externalUserState: o.noMail ? "PendingAcceptance" : "Accepted",
    creationType: "Invitation",
  };
  users.push(u);
  return u;
}
/** n people in a department; `flags` maps a position to its special case. */
function team(department: string, n: number, flags: Record<number, PersonOpts> = {}): UserRecord[] {
  return Array.from({ length: n }, (_, k) => person(department, flags[k] ?? {}));
}

// Executives and department heads (all in Management).
const execs = [
  person("Executive", { title: "Chief Executive Officer", name: ["Maria", "Anders"], mixedCase: true }),
  person("Executive", { title: "Chief Financial Officer" }),
  person("Executive", { title: "Chief Operating Officer" }),
  person("Executive", { title: "Chief Technology Officer", mixedCase: true }),
  person("Executive", { title: "VP Sales" }),
  person("Executive", { title: "VP Marketing" }),
  person("Executive", { title: "VP Engineering" }),
  person("Executive", { title: "Chief People Officer" }),
];
const engDirector = person("Engineering", { title: "Director of Engineering" });
const salesDirector = person("Sales", { title: "Sales Director" });
const marketingDirector = person("Marketing", { title: "Marketing Director", mixedCase: true });
const supportManager = person("Support", { title: "Support Manager" });
const financeManager = person("Finance", { title: "Finance Manager" });
const opsManager = person("Operations", { title: "Operations Manager" });
const heads = [engDirector, salesDirector, marketingDirector, supportManager, financeManager, opsManager];

const engLeads = team("Engineering", 5, { 0: { title: "Engineering Lead" }, 1: { title: "Engineering Lead" }, 2: { title: "Staff Engineer" }, 3: { title: "Staff Engineer" }, 4: { title: "Principal Engineer" } });
const platform = team("Engineering", 28, { 3: { disabled: true }, 17: { disabled: true }, 9: { mixedCase: true } });
const mobile = team("Engineering", 24, { 5: { disabled: true } });
const data = team("Engineering", 22, { 11: { disabled: true } });
const qa = team("Engineering", 10, { 7: { noMail: true } });
const sales = [salesDirector, ...team("Sales", 39, { 4: { disabled: true }, 22: { disabled: true } })];
const marketing = [marketingDirector, ...team("Marketing", 24, { 13: { disabled: true } })];
const support = [supportManager, ...team("Support", 34, { 2: { disabled: true }, 19: { disabled: true }, 25: { noMail: true }, 30: { noMail: true } })];
const finance = [financeManager, ...team("Finance", 14, { 6: { disabled: true } })];
const hr = team("HR", 10, { 3: { disabled: true } });
// Frontline operations staff have no mailbox: mail is null, the UPN is a valid address. One has also left.
const opsFlags: Record<number, PersonOpts> = { 20: { disabled: true } };
for (let k = 0; k < 10; k++) opsFlags[k] = { noMail: true, title: "Warehouse Associate", disabled: k === 9 };
const operations = [opsManager, ...team("Operations", 29, opsFlags)];
const contractors = team("Contractors", 20, {
  1: { disabled: true, company: "Northwind Services Ltd" },
  8: { disabled: true, company: "Northwind Services Ltd" },
  15: { disabled: true, company: "Northwind Services Ltd" },
  4: { noMail: true, company: "Northwind Services Ltd" },
  11: { noMail: true, company: "Northwind Services Ltd" },
  18: { noMail: true, company: "Northwind Services Ltd" },
});
const service = [
  ["Reception", "Desk"], ["Conference", "Seattle"], ["Conference", "London"], ["Scanner", "Seattle"],
  ["Build", "Service"], ["Backup", "Service"], ["Kiosk", "Warehouse"], ["Shared", "Inbox"],
].map(([a, b]) => person("IT", { name: [a, b], noMail: true, title: null, company: null }));

const outreachGuests = [guest("fabrikam.example"), guest("fabrikam.example"), guest("adatum.example"), guest("adatum.example", { noMail: true })];
const partnerGuests = [guest("contoso.example"), guest("litware.example"), guest("litware.example", { disabled: true })];
const engGuests = [guest("tailspin.example"), guest("tailspin.example", { noMail: true })];
guest("wingtip.example");
guest("proseware.example");
guest("lucerne.example", { noMail: true });

function contact(first: string, last: string, company: string, o: { noMail?: boolean; title?: string } = {}): Omit<ContactRecord, "deleted"> {
  const ext = `${company.toLowerCase()}.example`;
  return {
    id: guid(),
    displayName: `${first} ${last}`,
    givenName: first,
    surname: last,
    mail: o.noMail ? null : `${first}.${last}@${ext}`.toLowerCase(),
    mailNickname: `${first}${last}`,
    companyName: company,
    jobTitle: o.title ?? "Partner Manager",
    department: null,
    createdDateTime: day(2019, 2025),
  };
}
const boardAdvisor = contact("Helen", "Okafor", "Adatum", { title: "Board Advisor" });
const partnerContacts = [
  contact("Jonas", "Berg", "Contoso"),
  contact("Priya", "Shah", "Fabrikam"),
  contact("Lucas", "Moreau", "Litware"),
  contact("Mei", "Tanaka", "Tailspin"),
  contact("Omar", "Haddad", "Wingtip"),
  contact("Rosa", "Delgado", "Proseware", { noMail: true }),
];
const vendor = contact("Sven", "Larsen", "Lucerne", { title: "Account Executive" });
const contacts = [boardAdvisor, ...partnerContacts, vendor];

const ids = (xs: Array<{ id: string }>) => xs.map((x) => x.id);
const gid = (n: string) => groupIds.get(n)!;
function group(
  displayName: string,
  kind: "security" | "mailEnabledSecurity" | "microsoft365" | "distribution" | "dynamic",
  description: string,
  members: string[],
  extra: { mailNickname?: string; membershipRule?: string; groupTypes?: string[]; visibility?: "Public" | "Private" | "HiddenMembership"; id?: string } = {},
) {
  const nick = extra.mailNickname ?? displayName.toLowerCase().replace(/[^a-z0-9]/g, "");
  const mailEnabled = kind === "mailEnabledSecurity" || kind === "microsoft365" || kind === "distribution";
  return {
    id: extra.id ?? gid(displayName),
    displayName,
    description,
    mail: mailEnabled ? `${nick}@${DOMAIN}` : null,
    mailEnabled,
    mailNickname: nick,
    securityEnabled: kind === "security" || kind === "mailEnabledSecurity" || kind === "dynamic",
    groupTypes: extra.groupTypes ?? (kind === "microsoft365" ? ["Unified"] : kind === "dynamic" ? ["DynamicMembership"] : []),
    membershipRule: extra.membershipRule ?? null,
    membershipRuleProcessingState: kind === "dynamic" || extra.groupTypes?.includes("DynamicMembership") ? ("On" as const) : null,
    visibility: extra.visibility ?? (kind === "microsoft365" ? ("Private" as const) : null),
    createdDateTime: day(2018, 2024),
    members,
  };
}
const groups = [
  group("All-Staff", "security", "Every employee: the department groups, nested", [
    "Engineering", "Sales", "Marketing", "Support", "Finance", "HR", "Operations", "Management",
  ].map(gid)),
  group("Engineering", "security", "Engineering department (sub-teams nested)", [
    ...ids([engDirector, ...engLeads, ...qa, ...engGuests]), gid("Platform"), gid("Mobile"), gid("Data"),
  ]),
  group("Platform", "security", "Platform team", [...ids(platform), gid("Platform On-Call")]),
  // Contains its parent: a nesting cycle.
  group("Platform On-Call", "security", "On-call rotation (nests Platform back: a cycle)", [
    ...ids(platform.slice(0, 6)), ...ids(data.slice(0, 2)), gid("Platform"),
  ]),
  group("Mobile", "security", "Mobile team", ids(mobile)),
  group("Data", "security", "Data team", ids(data)),
  group("Sales", "security", "Sales department", ids(sales)),
  group("Marketing", "security", "Marketing department", ids(marketing)),
  group("Support", "security", "Customer support", ids(support)),
  group("Finance", "security", "Finance department", ids(finance)),
  group("HR", "security", "People team", ids(hr)),
  group("Operations", "security", "Warehouse and logistics", ids(operations)),
  group("Management", "mailEnabledSecurity", "Leadership team and board advisor", [...ids(execs), ...ids(heads), boardAdvisor.id]),
  group("Outreach", "microsoft365", "Sales and Marketing with agency guests", ids([...sales, ...marketing, ...outreachGuests])),
  group("Partners Newsletter", "distribution", "Partner contacts and their account managers", [
    ...ids(partnerContacts), ...ids(sales.slice(0, 5)), ...ids(partnerGuests),
  ], { mailNickname: "partners" }),
  group("Engineers", "dynamic", "Everyone whose department is Engineering (dynamic rule)",
    ids(users.filter((u) => u.department === "Engineering")), { membershipRule: '(user.department -eq "Engineering")' }),
  group("Former Contractors", "security", "Kept for audit; no members", []),
  group("Contractors", "security", "External contractors", ids(contractors)),
  group("Service Accounts", "security", "Rooms, devices and services (no mailboxes)", ids(service)),
];

// Added later, so drawn after everything above: the earlier ids and dates stay what they were.
// A dynamic Microsoft 365 group (both group types; members are users only, kept by rule), and a Microsoft 365
// group whose membership is hidden (HiddenMembership can be set only on Microsoft 365 groups, at creation:
// https://learn.microsoft.com/en-us/graph/api/resources/group#properties).
groups.push(
  group("Leadership Circle", "microsoft365", "Executives and department heads (dynamic Microsoft 365 group)",
    ids([...execs, ...heads]), { id: guid(), groupTypes: ["DynamicMembership", "Unified"], membershipRule: '(user.jobTitle -contains "Chief") or (user.jobTitle -contains "Director")' }),
  group("Board Confidential", "microsoft365", "Board papers; membership hidden", ids(execs.slice(0, 4)),
    { id: guid(), visibility: "HiddenMembership" }),
);
apps.push(
  // Graph's higher-privileged permissions in place of the guide's least-privileged ones.
  app("Roster Directory Sync (Directory.Read.All)", ["Directory.Read.All"], [], [["roster-directory", 10, 365]]),
  app("Roster Directory Sync (Group.Read.All + User.Read.All)", ["Group.Read.All", "User.Read.All"], [], [["roster-group-user", 10, 365]]),
  app("Roster Directory Sync (Member.Read.Hidden)", [...READ, "OrgContact.Read.All", "Member.Read.Hidden"], [], [["roster-hidden", 10, 365]]),
);

// What a user's memberOf lists besides groups: an activated directory role and an administrative unit.
const rolesAndUnits: ScenarioFile["rolesAndUnits"] = [
  { type: "directoryRole", id: guid(), displayName: "User Administrator", description: "Can manage all aspects of users and groups.",
    roleTemplateId: "fe930be7-5e62-47db-91af-98c3a49a38b1", memberIds: ids([execs[3], engDirector]) },
  { type: "administrativeUnit", id: guid(), displayName: "Seattle Office", description: "People based in Seattle", roleTemplateId: null,
    memberIds: ids([...execs, ...heads].filter((u) => u.officeLocation === "Seattle")) },
];

const scenario: ScenarioFile = {
  schema: "roster-sandbox-scenario/1",
  tenant: {
    id: TENANT_ID,
    displayName: "Northwind Traders",
    domain: DOMAIN,
    initialDomain: INITIAL,
    countryLetterCode: "US",
    createdDateTime: "2017-03-14T09:30:00Z",
    cloud: "global",
  },
  apps,
  users,
  contacts,
  groups,
  rolesAndUnits,
};

const out = path.join(path.dirname(process.argv[1]), "northwind.json");
fs.writeFileSync(out, JSON.stringify(scenario, null, 1) + "\n");
console.log(`wrote ${out}: ${users.length} users, ${groups.length} groups, ${contacts.length} contacts`);
