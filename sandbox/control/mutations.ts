/**
 * Directory and app-registration changes a test makes while the product runs: membership, user state,
 * deletions, secrets, certificates, federated credentials and permissions. They change the tenant as an admin in the portal would; tokens already
 * issued keep their roles until they expire, as with real Entra.
 */
import { randomUUID, X509Certificate } from "node:crypto";
import { z } from "zod";
import { CONTACT, GROUP, USER, groupKind, ref, refKind, type GroupRecord, type UserRecord } from "../directory/records";
import { thumbprints } from "../auth/client-assertion";
import { newSecret } from "../tenants/apps";
import type { AppRegistration } from "../tenants/apps";
import type { Tenant } from "../tenants/tenant";
import { journalOf } from "../directory/change-journal";

export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const id = z.string().min(1);
const userFields = {
  displayName: z.string().min(1).optional(),
  givenName: z.string().nullable().optional(),
  surname: z.string().nullable().optional(),
  mail: z.string().nullable().optional(),
  userPrincipalName: z.string().min(3).optional(),
  jobTitle: z.string().nullable().optional(),
  department: z.string().nullable().optional(),
  userType: z.enum(["Member", "Guest"]).optional(),
};

export const MutationSchema = z.discriminatedUnion("op", [
  z.object({ op: z.literal("addMember"), groupId: id, memberId: id }).strict(),
  z.object({ op: z.literal("removeMember"), groupId: id, memberId: id }).strict(),
  z.object({ op: z.literal("disableUser"), userId: id }).strict(),
  z.object({ op: z.literal("enableUser"), userId: id }).strict(),
  z.object({ op: z.literal("deleteUser"), userId: id }).strict(),
  z.object({ op: z.literal("updateUser"), userId: id, changes: z.object(userFields).strict() }).strict(),
  z
    .object({
      op: z.literal("addUser"),
      user: z.object({ id: z.guid().optional(), accountEnabled: z.boolean().optional(), ...userFields, displayName: z.string().min(1) }).strict(),
      groupIds: z.array(id).optional(),
    })
    .strict(),
  z.object({ op: z.literal("deleteGroup"), groupId: id }).strict(),
  z
    .object({
      op: z.literal("addGroup"),
      group: z
        .object({
          id: z.guid().optional(),
          displayName: z.string().min(1),
          kind: z.enum(["security", "mailEnabledSecurity", "microsoft365", "distribution", "dynamic"]).default("security"),
          description: z.string().nullable().optional(),
          membershipRule: z.string().optional(),
        })
        .strict(),
      memberIds: z.array(id).optional(),
      /** The new group's first N GETs and member listings answer 404, as a group still replicating does. */
      replicationDelayRequests: z.number().int().min(0).max(100).optional(),
    })
    .strict(),
  z
    .object({
      op: z.literal("addContact"),
      contact: z.object({ id: z.guid().optional(), displayName: z.string().min(1), mail: z.string().nullable().optional(), companyName: z.string().nullable().optional() }).strict(),
      groupIds: z.array(id).optional(),
    })
    .strict(),
  z.object({ op: z.literal("expireSecret"), clientId: id, secretId: id.optional() }).strict(),
  z
    .object({
      op: z.literal("rotateSecret"),
      clientId: id,
      expiresInDays: z.number().min(-3650).max(3650).default(180),
      displayName: z.string().default("rotated"),
      /** Remove the app's other secrets (default: keep them valid, as adding a secret in the portal does). */
      removeOld: z.boolean().default(false),
    })
    .strict(),
  z.object({ op: z.literal("removeSecret"), clientId: id, secretId: id }).strict(),
  /** Upload a public certificate (PEM or base64 DER, as the portal's .cer/.pem/.crt upload takes). */
  z.object({ op: z.literal("addCertificate"), clientId: id, certificate: z.string().min(1).max(20_000), displayName: z.string().max(200).optional() }).strict(),
  z.object({ op: z.literal("removeCertificate"), clientId: id, thumbprint: z.string().min(1) }).strict(),
  z
    .object({
      op: z.literal("addFederatedCredential"),
      clientId: id,
      name: z.string().min(1).max(120),
      issuer: z.string().min(1).max(600),
      subject: z.string().min(1).max(600),
      audiences: z.array(z.string().min(1).max(600)).length(1).default(["api://AzureADTokenExchange"]),
    })
    .strict(),
  z.object({ op: z.literal("removeFederatedCredential"), clientId: id, name: z.string().min(1) }).strict(),
  z.object({ op: z.literal("revokePermission"), clientId: id, permission: z.string().min(1) }).strict(),
  z.object({ op: z.literal("grantPermission"), clientId: id, permission: z.string().min(1) }).strict(),
  z.object({ op: z.literal("deleteApp"), clientId: id }).strict(),
  // Delta query behaviour (sandbox/graph/delta.ts): replays, token age, and Graph's synchronization reset.
  z.object({ op: z.literal("setDeltaReplay"), enabled: z.boolean() }).strict(),
  z.object({ op: z.literal("advanceDeltaClock"), days: z.number().min(0).max(3650) }).strict(),
  z.object({ op: z.literal("resetDeltaSync") }).strict(),
  z
    .object({
      op: z.literal("setAppFlags"),
      clientId: id,
      /** Only the flags named change; see AppFlags (tenants/apps.ts) for what each makes Entra answer. */
      flags: z
        .object({ disabled: z.boolean(), noServicePrincipal: z.boolean(), blockedByConditionalAccess: z.boolean(), crossCloud: z.boolean() })
        .partial()
        .strict(),
    })
    .strict(),
]);
export type Mutation = z.output<typeof MutationSchema>;

/** A certificate as the portal accepts it: PEM, or base64 DER (.cer). Anything else is a 400 with the reason. */
function parseCertificate(text: string): X509Certificate {
  const pem = text.includes("-----BEGIN CERTIFICATE-----") ? text : `-----BEGIN CERTIFICATE-----\n${text.replace(/\s+/g, "")}\n-----END CERTIFICATE-----\n`;
  try {
    return new X509Certificate(pem);
  } catch {
    throw new ControlError(400, "certificate is not a PEM or base64 DER X.509 certificate");
  }
}

function userIndex(t: Tenant, userId: string): number {
  const i = t.directory.users.indexOf(userId);
  if (i < 0) throw new ControlError(404, `no user ${userId}`);
  return i;
}
function groupIndex(t: Tenant, groupId: string): number {
  const g = t.directory.findGroup(groupId);
  if (g < 0) throw new ControlError(404, `no group ${groupId}`);
  return g;
}
function app(t: Tenant, clientId: string): AppRegistration {
  const a = t.findApp(clientId);
  if (!a) throw new ControlError(404, `no app ${clientId}`);
  return a;
}
/** Member lists may be shared typed arrays: copy before changing. */
function editableMembers(g: GroupRecord): number[] {
  if (!Array.isArray(g.members)) g.members = Array.from(g.members);
  return g.members as number[];
}
function addMemberRef(t: Tenant, g: number, r: number): void {
  const list = editableMembers(t.directory.groups[g]);
  if (list.includes(r)) throw new ControlError(400, "One or more added object references already exist for the following modified properties: 'members'.");
  list.push(r);
  journalOf(t).link(g, r);
}
/** An object leaves the directory: journal it and the member links it had (its groups' members@delta show it). */
function journalRemoval(t: Tenant, r: number): void {
  const j = journalOf(t);
  j.object(r);
  t.directory.groups.forEach((g, gi) => {
    if (!g.deleted && Array.from(g.members).includes(r)) j.link(gi, r);
  });
}

export function applyMutation(t: Tenant, m: Mutation): Record<string, unknown> {
  const dir = t.directory;
  const now = Date.now();
  switch (m.op) {
    case "addMember": {
      const g = groupIndex(t, m.groupId);
      const r = dir.resolve(m.memberId);
      if (r < 0) throw new ControlError(404, `no object ${m.memberId}`);
      if (refKind(r) === GROUP && r === ref(GROUP, g)) throw new ControlError(400, "a group cannot be its own member");
      addMemberRef(t, g, r);
      break;
    }
    case "removeMember": {
      const g = groupIndex(t, m.groupId);
      const r = dir.resolve(m.memberId);
      const list = editableMembers(dir.groups[g]);
      const k = list.indexOf(r);
      if (r < 0 || k < 0) throw new ControlError(404, `${m.memberId} is not a direct member of ${m.groupId}`);
      list.splice(k, 1);
      journalOf(t).link(g, r);
      break;
    }
    case "disableUser":
    case "enableUser": {
      const i = userIndex(t, m.userId);
      dir.users.setEnabled(i, m.op === "enableUser");
      journalOf(t).object(ref(USER, i));
      break;
    }
    case "deleteUser": {
      const i = userIndex(t, m.userId);
      journalRemoval(t, ref(USER, i));
      dir.users.remove(i);
      break;
    }
    case "updateUser": {
      const i = userIndex(t, m.userId);
      // A user's userPrincipalName is unique in the directory, on a change as on a create: Graph answers 400
      // Request_BadRequest "Another object with the same value for property userPrincipalName already exists."
      // (ObjectConflict), as observed in https://github.com/microsoftgraph/microsoft-graph-docs/issues/1508. The
      // property: https://learn.microsoft.com/en-us/graph/api/resources/user (userPrincipalName), changed through
      // https://learn.microsoft.com/en-us/graph/api/user-update; neither page words the refusal itself.
      const upn = (m.changes as Partial<UserRecord>).userPrincipalName;
      if (typeof upn === "string" && dir.users.indexOf(upn) >= 0 && dir.users.indexOf(upn) !== i) {
        throw new ControlError(400, "Another object with the same value for property userPrincipalName already exists.");
      }
      dir.users.update(i, m.changes as Partial<UserRecord>);
      journalOf(t).object(ref(USER, i));
      break;
    }
    case "addUser": {
      const nick = m.user.displayName.toLowerCase().replace(/[^a-z0-9]+/g, ".").replace(/^\.|\.$/g, "");
      const upn = m.user.userPrincipalName ?? `${nick}.${Math.floor(now % 1e6)}@${dir.org.domain}`;
      const rec: UserRecord = {
        id: m.user.id ?? randomUUID(),
        displayName: m.user.displayName,
        givenName: m.user.givenName ?? null,
        surname: m.user.surname ?? null,
        mail: m.user.mail === undefined ? upn : m.user.mail,
        userPrincipalName: upn,
        mailNickname: upn.split("@")[0],
        accountEnabled: m.user.accountEnabled ?? true,
        userType: m.user.userType ?? "Member",
        jobTitle: m.user.jobTitle ?? null,
        department: m.user.department ?? null,
        officeLocation: null,
        companyName: null,
        mobilePhone: null,
        businessPhones: [],
        preferredLanguage: null,
        usageLocation: null,
        employeeId: null,
        createdDateTime: new Date(now).toISOString().replace(/\.\d+Z$/, "Z"),
        externalUserState: m.user.userType === "Guest" ? "Accepted" : null,
        creationType: m.user.userType === "Guest" ? "Invitation" : null,
      };
      if (dir.resolve(rec.id) >= 0 || dir.users.indexOf(upn) >= 0) throw new ControlError(400, "Another object with the same value for property userPrincipalName or id already exists.");
      const i = dir.users.add(rec);
      journalOf(t).object(ref(USER, i));
      for (const gid of m.groupIds ?? []) addMemberRef(t, groupIndex(t, gid), ref(USER, i));
      dir.touch();
      return { op: m.op, id: rec.id, userPrincipalName: upn, mail: rec.mail };
    }
    case "deleteGroup": {
      const g = groupIndex(t, m.groupId);
      journalRemoval(t, ref(GROUP, g));
      dir.groups[g].deleted = true;
      break;
    }
    case "addGroup": {
      const kind = m.group.kind;
      const nick = m.group.displayName.toLowerCase().replace(/[^a-z0-9]/g, "");
      const mailEnabled = kind === "mailEnabledSecurity" || kind === "microsoft365" || kind === "distribution";
      const g: GroupRecord = {
        id: m.group.id ?? randomUUID(),
        displayName: m.group.displayName,
        description: m.group.description ?? null,
        mail: mailEnabled ? `${nick}@${dir.org.domain}` : null,
        mailEnabled,
        mailNickname: nick,
        securityEnabled: kind === "security" || kind === "mailEnabledSecurity" || kind === "dynamic",
        groupTypes: kind === "microsoft365" ? ["Unified"] : kind === "dynamic" ? ["DynamicMembership"] : [],
        membershipRule: kind === "dynamic" ? (m.group.membershipRule ?? "(user.accountEnabled -eq true)") : null,
        membershipRuleProcessingState: kind === "dynamic" ? "On" : null,
        visibility: kind === "microsoft365" ? "Private" : null,
        createdDateTime: new Date(now).toISOString().replace(/\.\d+Z$/, "Z"),
        members: [],
        deleted: false,
        replicationPending: m.replicationDelayRequests ?? 0,
      };
      if (dir.resolve(g.id) >= 0) throw new ControlError(400, `object ${g.id} already exists`);
      const gi = dir.addGroup(g);
      journalOf(t).object(ref(GROUP, gi));
      for (const mid of m.memberIds ?? []) {
        const r = dir.resolve(mid);
        if (r < 0) throw new ControlError(404, `no object ${mid}`);
        addMemberRef(t, gi, r);
      }
      dir.touch();
      return { op: m.op, id: g.id, mail: g.mail, kind: groupKind(g) };
    }
    case "addContact": {
      const c = {
        id: m.contact.id ?? randomUUID(),
        displayName: m.contact.displayName,
        givenName: null,
        surname: null,
        mail: m.contact.mail ?? null,
        mailNickname: m.contact.displayName.replace(/[^A-Za-z0-9]/g, ""),
        companyName: m.contact.companyName ?? null,
        jobTitle: null,
        department: null,
        createdDateTime: new Date(now).toISOString().replace(/\.\d+Z$/, "Z"),
        deleted: false,
      };
      if (dir.resolve(c.id) >= 0) throw new ControlError(400, `object ${c.id} already exists`);
      const ci = dir.addContact(c);
      journalOf(t).object(ref(CONTACT, ci));
      for (const gid of m.groupIds ?? []) addMemberRef(t, groupIndex(t, gid), ref(CONTACT, ci));
      dir.touch();
      return { op: m.op, id: c.id };
    }
    case "expireSecret": {
      const a = app(t, m.clientId);
      const targets = m.secretId ? a.secrets.filter((s) => s.secretId.toLowerCase() === m.secretId!.toLowerCase()) : a.secrets;
      if (targets.length === 0) throw new ControlError(404, `no secret ${m.secretId} on app ${m.clientId}`);
      for (const s of targets) s.endDateTime = new Date(now - 1000);
      return { op: m.op, expired: targets.map((s) => s.secretId) };
    }
    case "rotateSecret": {
      const a = app(t, m.clientId);
      const s = newSecret(m.displayName, m.expiresInDays, now);
      if (m.removeOld) a.secrets = [];
      a.secrets.push(s);
      return { op: m.op, secretId: s.secretId, value: s.value, expiresAt: s.endDateTime.toISOString() };
    }
    case "removeSecret": {
      const a = app(t, m.clientId);
      const before = a.secrets.length;
      a.secrets = a.secrets.filter((s) => s.secretId.toLowerCase() !== m.secretId.toLowerCase());
      if (a.secrets.length === before) throw new ControlError(404, `no secret ${m.secretId} on app ${m.clientId}`);
      break;
    }
    case "addCertificate": {
      const a = app(t, m.clientId);
      const cert = parseCertificate(m.certificate);
      const tp = thumbprints(Buffer.from(cert.raw));
      if (a.certificates.some((c) => c.thumbprintSha1 === tp.sha1)) throw new ControlError(400, `certificate ${tp.sha1.toUpperCase()} is already registered on app ${m.clientId}`);
      const c = {
        keyId: randomUUID(),
        displayName: m.displayName ?? cert.subject.replace(/^CN=/, ""),
        thumbprintSha1: tp.sha1,
        thumbprintSha256: tp.sha256,
        publicKeyPem: cert.publicKey.export({ type: "spki", format: "pem" }).toString(),
        startDateTime: new Date(cert.validFrom),
        endDateTime: new Date(cert.validTo),
      };
      a.certificates.push(c);
      return { op: m.op, keyId: c.keyId, thumbprint: tp.sha1.toUpperCase(), expiresAt: c.endDateTime.toISOString() };
    }
    case "removeCertificate": {
      const a = app(t, m.clientId);
      const want = m.thumbprint.replace(/[^0-9a-f]/gi, "").toLowerCase();
      const before = a.certificates.length;
      a.certificates = a.certificates.filter((c) => c.thumbprintSha1 !== want && c.keyId.toLowerCase() !== m.thumbprint.toLowerCase());
      if (a.certificates.length === before) throw new ControlError(404, `no certificate ${m.thumbprint} on app ${m.clientId}`);
      return { op: m.op };
    }
    case "addFederatedCredential": {
      const a = app(t, m.clientId);
      // Limits from https://learn.microsoft.com/en-us/entra/workload-id/workload-identity-federation-considerations:
      // at most 20 federated credentials per app; names unique per app; issuer + subject unique per app.
      if (a.federatedCredentials.length >= 20) throw new ControlError(400, `app ${m.clientId} already has 20 federated identity credentials`);
      if (a.federatedCredentials.some((f) => f.name.toLowerCase() === m.name.toLowerCase())) throw new ControlError(400, `a federated credential named ${m.name} already exists`);
      if (a.federatedCredentials.some((f) => f.issuer === m.issuer && f.subject === m.subject)) throw new ControlError(400, "a federated credential with this issuer and subject already exists");
      const f = { id: randomUUID(), name: m.name, issuer: m.issuer, subject: m.subject, audiences: [...m.audiences] };
      a.federatedCredentials.push(f);
      return { op: m.op, id: f.id };
    }
    case "removeFederatedCredential": {
      const a = app(t, m.clientId);
      const before = a.federatedCredentials.length;
      a.federatedCredentials = a.federatedCredentials.filter((f) => f.name.toLowerCase() !== m.name.toLowerCase());
      if (a.federatedCredentials.length === before) throw new ControlError(404, `no federated credential ${m.name} on app ${m.clientId}`);
      return { op: m.op };
    }
    case "revokePermission": {
      const a = app(t, m.clientId);
      a.roles = a.roles.filter((r) => r !== m.permission);
      return { op: m.op, roles: [...a.roles] };
    }
    case "grantPermission": {
      const a = app(t, m.clientId);
      if (!a.roles.includes(m.permission)) a.roles.push(m.permission);
      return { op: m.op, roles: [...a.roles] };
    }
    case "setAppFlags": {
      const a = app(t, m.clientId);
      a.flags = { ...a.flags, ...m.flags };
      return { op: m.op, flags: { ...a.flags } };
    }
    case "setDeltaReplay":
      journalOf(t).replay = m.enabled;
      return { op: m.op, replay: m.enabled };
    case "advanceDeltaClock":
      journalOf(t).clockShiftMs += m.days * 86_400_000;
      return { op: m.op, clockShiftDays: journalOf(t).clockShiftMs / 86_400_000 };
    case "resetDeltaSync":
      journalOf(t).generation++;
      return { op: m.op, generation: journalOf(t).generation };
    case "deleteApp": {
      const k = t.apps.findIndex((a) => a.clientId.toLowerCase() === m.clientId.toLowerCase());
      if (k < 0) throw new ControlError(404, `no app ${m.clientId}`);
      t.apps.splice(k, 1);
      break;
    }
  }
  if (m.op !== "removeSecret" && m.op !== "deleteApp") dir.touch();
  return { op: m.op };
}
