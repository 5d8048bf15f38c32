/**
 * The why-lookup's Graph read through the real credential and Graph client, over HTTPS to the sandbox tenant:
 * the user by mail or username, the contact by mail, every group through nesting, and accountEnabled.
 * Expected answers come from the sandbox's own manifest of the tenant.
 */
import { describe, expect, test } from "vitest";
import { openGraph } from "@/lib/directory/entra/client";
import { findDirectoryPerson } from "@/lib/directory/entra/person";
import { mainApp, startSandboxForFile, type TenantManifest } from "./graph-sandbox";

const sandbox = startSandboxForFile();

interface ManifestUser {
  id: string;
  mail: string | null;
  userPrincipalName: string;
  accountEnabled: boolean;
}

async function northwind() {
  const tenant: TenantManifest = await sandbox.createTenant({ scenario: "northwind" });
  const app = mainApp(tenant);
  const graph = openGraph({ tenantId: tenant.tenantId, clientId: app.clientId, clientSecret: app.secret, cloud: "global" });
  const group = (name: string) => tenant.groups.find((g: { displayName: string }) => g.displayName === name);
  return { tenant, graph, group, users: tenant.users as ManifestUser[] };
}

describe("findDirectoryPerson against the sandbox tenant", () => {
  test("a disabled member of All-Staff: found by mail, disabled, with All-Staff among its groups through nesting", async () => {
    const { tenant, graph, group, users } = await northwind();
    const staff = await sandbox.control("GET", `/tenants/${tenant.tenantId}/groups/${group("All-Staff").id}`);
    const disabled = users.find((u) => staff.skipped.disabled.includes(u.id) && u.mail)!;
    const person = await findDirectoryPerson(graph, disabled.mail!.toUpperCase());
    expect(person).toMatchObject({ kind: "user", objectId: disabled.id, accountEnabled: false });
    expect(person!.groups.map((g) => g.objectId)).toContain(group("All-Staff").id);
  });

  test("a member without mail is found by username, and its groups match the groups that list it", async () => {
    const { tenant, graph, group, users } = await northwind();
    const staff = await sandbox.control("GET", `/tenants/${tenant.tenantId}/groups/${group("All-Staff").id}`);
    const noMail = users.find((u) => staff.skipped.upnOnly.includes(u.id))!;
    const person = await findDirectoryPerson(graph, noMail.userPrincipalName);
    expect(person).toMatchObject({ kind: "user", objectId: noMail.id, mail: null });
    // Every group whose transitive members the sandbox lists with this user, and no other.
    const expected: string[] = [];
    for (const g of tenant.groups as { id: string }[]) {
      const detail = await sandbox.control("GET", `/tenants/${tenant.tenantId}/groups/${g.id}`);
      const ids = [...detail.skipped.disabled, ...detail.skipped.upnOnly, ...detail.skipped.noAddress];
      if (ids.includes(noMail.id)) expected.push(g.id);
    }
    expect(person!.groups.map((g) => g.objectId).sort()).toEqual(expected.sort());
  });

  test("nobody with the address answers null; an org contact is found by mail", async () => {
    const { tenant, graph } = await northwind();
    expect(await findDirectoryPerson(graph, "nobody@nowhere.example")).toBeNull();
    const contact = (tenant.contacts as { id: string; mail: string | null }[]).find((c) => c.mail);
    expect(contact, "Northwind has org contacts with mail").toBeTruthy();
    expect(await findDirectoryPerson(graph, contact!.mail!)).toMatchObject({ kind: "contact", objectId: contact!.id, accountEnabled: true });
  });
});
