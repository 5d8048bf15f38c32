/**
 * Builds a tenant from a request: a copy of a scenario (Northwind, or an empty directory) or a generated
 * directory, in a cloud, with optional faults. Every new tenant gets a fresh random tenant id and fresh app
 * credentials unless told otherwise; only the demo tenant keeps Northwind's documented ids.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { Directory } from "../directory/directory";
import { UserTable } from "../directory/user-table";
import { FaultsSchema } from "../faults/faults";
import { generateDirectory, GENERATE_DEFAULTS } from "../scenarios/generate";
import { NORTHWIND_SCENARIO } from "../scenarios/northwind";
import { loadScenario } from "../scenarios/scenario-file";
import { instantiateApps } from "./apps";
import { Tenant } from "./tenant";

const pct = z.number().min(0).max(100);
export const GenerateSchema = z
  .object({
    users: z.number().int().min(0).max(5_000_000).default(GENERATE_DEFAULTS.users),
    groups: z.number().int().min(1).max(100_000).default(GENERATE_DEFAULTS.groups),
    depth: z.number().int().min(1).max(50).default(GENERATE_DEFAULTS.depth),
    overlap: pct.default(GENERATE_DEFAULTS.overlap),
    disabledPct: pct.default(GENERATE_DEFAULTS.disabledPct),
    noMailPct: pct.default(GENERATE_DEFAULTS.noMailPct),
    guestPct: pct.default(GENERATE_DEFAULTS.guestPct),
    contacts: z.number().int().min(0).max(1_000_000).default(GENERATE_DEFAULTS.contacts),
    seed: z.number().int().min(0).max(0xffffffff).default(GENERATE_DEFAULTS.seed),
    cycles: z.number().int().min(0).max(1000).default(GENERATE_DEFAULTS.cycles),
  })
  .strict();

export const TenantSpecSchema = z
  .object({
    scenario: z.enum(["northwind", "empty"]).optional(),
    generate: GenerateSchema.optional(),
    /** usgovdod: US Government L5 (DoD), whose Graph is dod-graph.microsoft.us (auth/clouds.ts). */
    cloud: z.enum(["global", "usgov", "usgovdod"]).default("global"),
    /** Choose the tenant id (default: a fresh random one). */
    tenantId: z.guid().optional(),
    displayName: z.string().min(1).max(256).optional(),
    /** Keep the scenario's documented client ids and secrets instead of fresh ones. */
    keepAppIds: z.boolean().default(false),
    tokenLifetimeSeconds: z.number().int().min(1).max(86_400).default(3599),
    faults: FaultsSchema.optional(),
  })
  .strict()
  .refine((s) => !(s.scenario && s.generate), { message: "give either scenario or generate, not both" });

export type TenantSpec = z.output<typeof TenantSpecSchema>;
export type TenantSpecInput = z.input<typeof TenantSpecSchema>;

export function createTenant(input: TenantSpecInput): Tenant {
  const spec = TenantSpecSchema.parse(input);
  const now = Date.now();
  let directory: Directory;
  const source: { scenario?: string; generate?: z.output<typeof GenerateSchema> } = {};
  if (spec.generate) {
    directory = generateDirectory(spec.generate);
    source.generate = spec.generate;
  } else if (spec.scenario === "empty") {
    directory = new Directory(
      { displayName: "Empty Tenant", domain: "empty.example", initialDomain: "emptytenant.onmicrosoft.com", countryLetterCode: "US", createdDateTime: new Date(now).toISOString() },
      new UserTable(),
      [],
      [],
    );
    source.scenario = "empty";
  } else {
    directory = loadScenario(NORTHWIND_SCENARIO);
    source.scenario = "northwind";
  }
  if (spec.displayName) directory.org.displayName = spec.displayName;
  const tenantId = spec.tenantId ?? randomUUID();
  if (spec.cloud !== "global") directory.org.initialDomain = directory.org.initialDomain.replace(/\.onmicrosoft\.com$/, ".onmicrosoft.us");
  const apps = instantiateApps(NORTHWIND_SCENARIO.apps, !spec.keepAppIds, now);
  const tenant = new Tenant(tenantId, spec.cloud, directory, apps, source, spec.tokenLifetimeSeconds);
  if (spec.faults) tenant.faults.set(spec.faults);
  return tenant;
}

/** The documented demo tenant: Northwind with its fixed tenant id, client ids and secrets. */
export function createDemoTenant(faults?: z.input<typeof FaultsSchema>): Tenant {
  return createTenant({ scenario: "northwind", tenantId: NORTHWIND_SCENARIO.tenant.id, keepAppIds: true, faults });
}
