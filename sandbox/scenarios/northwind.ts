/**
 * The Northwind demo tenant's fixed ids, for code that fills them in (the product's dev-mode "Use the sandbox
 * tenant" button, tests, docs). northwind.json is the source; build-northwind.ts regenerates it. Secret expiry
 * dates are relative to when the sandbox starts: read them from GET /_sandbox/tenants/{tenantId}.
 */
import data from "./northwind.json";
import type { AppSpec, ScenarioFile } from "./scenario-file";

export const NORTHWIND_SCENARIO = data as unknown as ScenarioFile;

const byName = (name: string): AppSpec => {
  const app = NORTHWIND_SCENARIO.apps.find((a) => a.name === name);
  if (!app) throw new Error(`northwind.json has no app ${name}`);
  return app;
};
const creds = (app: AppSpec) => ({
  name: app.name,
  clientId: app.clientId,
  secretId: app.secrets[0].secretId,
  secretValue: app.secrets[0].value,
  roles: app.roles,
});
const group = (displayName: string): string => {
  const g = NORTHWIND_SCENARIO.groups.find((x) => x.displayName === displayName);
  if (!g) throw new Error(`northwind.json has no group ${displayName}`);
  return g.id;
};

const main = byName("Roster Directory Sync");

export const NORTHWIND = {
  tenantId: NORTHWIND_SCENARIO.tenant.id,
  displayName: NORTHWIND_SCENARIO.tenant.displayName,
  domain: NORTHWIND_SCENARIO.tenant.domain,
  cloud: NORTHWIND_SCENARIO.tenant.cloud,
  /** The app to use: all read permissions granted, a current secret. */
  app: creds(main),
  /** The same app's previous secret, expired 30 days ago (AADSTS7000222). */
  expiredSecret: { secretId: main.secrets[1].secretId, secretValue: main.secrets[1].value },
  apps: {
    main: creds(main),
    /** Secret expires 10 days after the sandbox starts. */
    expiringSecret: creds(byName("Roster Directory Sync (expiring secret)")),
    /** Delegated permissions only: its app token has no roles, every read is 403. */
    delegatedOnly: creds(byName("Roster Directory Sync (delegated only)")),
    /** GroupMember.Read.All only: members come back as bare ids. */
    noUserRead: creds(byName("Roster Directory Sync (no User.Read.All)")),
    /** Directory.Read.All only: Graph's higher-privileged permission, enough for every read. */
    directoryRead: creds(byName("Roster Directory Sync (Directory.Read.All)")),
    /** Group.Read.All + User.Read.All: higher-privileged for member reads, no GroupMember.Read.All. */
    groupAndUserRead: creds(byName("Roster Directory Sync (Group.Read.All + User.Read.All)")),
    /** The main app's permissions plus Member.Read.Hidden: may list hidden-membership groups. */
    hiddenMembers: creds(byName("Roster Directory Sync (Member.Read.Hidden)")),
  },
  groups: {
    allStaff: group("All-Staff"),
    engineering: group("Engineering"),
    platform: group("Platform"),
    platformOnCall: group("Platform On-Call"),
    mobile: group("Mobile"),
    data: group("Data"),
    sales: group("Sales"),
    marketing: group("Marketing"),
    support: group("Support"),
    finance: group("Finance"),
    hr: group("HR"),
    operations: group("Operations"),
    management: group("Management"),
    outreach: group("Outreach"),
    partnersNewsletter: group("Partners Newsletter"),
    engineers: group("Engineers"),
    formerContractors: group("Former Contractors"),
    contractors: group("Contractors"),
    serviceAccounts: group("Service Accounts"),
    /** Dynamic Microsoft 365 group (groupTypes DynamicMembership + Unified). */
    leadershipCircle: group("Leadership Circle"),
    /** Microsoft 365 group with visibility HiddenMembership: members need Member.Read.Hidden. */
    boardConfidential: group("Board Confidential"),
  },
} as const;
