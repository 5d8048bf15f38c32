/**
 * "Why is or isn't this person here?", decided from facts already gathered: the sources of the series that
 * hold the address, the directory sources the series syncs, and what the directory says about the person.
 * Pure, so every branch is tested without a database or Graph.
 */
import type { DirectoryPerson } from "@/lib/directory/types";
import { memberVerdict, missingAddressReason, type EligibilityInput } from "@/lib/audience/eligibility";
import { normalizeEmail } from "@/lib/email";
import { stateLabel } from "@/lib/dialog/labels";
import type { SyncState } from "@/lib/dialog/types";
import type { SourceKind } from "@/db/schema";

export type WhyReasonCode =
  | "held"
  | "excluded"
  | "leaves_next_sync"
  | "no_directory_sources"
  | "not_in_directory"
  | "not_member"
  | "group_not_synced"
  | "disabled"
  | "no_address"
  | "different_address"
  | "contacts_not_synced"
  | "sync_pending"
  | "lookup_failed";

export interface WhyReason {
  code: WhyReasonCode;
  message: string;
}

export interface HoldingSource {
  label: string;
  kind: SourceKind;
  /** Directory sources: the connection they sync from. */
  connectionId: string | null;
}

/** A directory source the series has ticked. */
export interface SyncedDirectorySource {
  label: string;
  kind: "directory_group" | "directory_all";
  connectionId: string;
  /** The group's object id in Entra ID; null for the entire directory. */
  groupObjectId: string | null;
  state: SyncState;
  lastGoodSyncAt: string | null;
}

export interface ConnectionFacts {
  connectionId: string;
  name: string;
  useUsernameFallback: boolean;
  syncContacts: boolean;
  /** undefined: not looked up (no synced source on it); null: nobody with that address. */
  person?: DirectoryPerson | null;
  /** The lookup failed: what to tell the editor (a diagnosis title, never a raw error). */
  lookupError?: string;
}

/** The series excludes the address (lib/audience/exclusions.ts). */
export interface ExclusionFacts {
  excludedBy: string;
  createdAt: Date;
  reason: string | null;
}

export interface WhyInput {
  email: string;
  /** Set when the series excludes the address: it is out whatever holds it. */
  exclusion?: ExclusionFacts | null;
  /** For dates: the year is left out when it is this one. */
  now?: Date;
  holders: HoldingSource[];
  synced: SyncedDirectorySource[];
  connections: ConnectionFacts[];
}

export interface WhyAnswer {
  email: string;
  inAudience: boolean;
  holders: HoldingSource[];
  reasons: WhyReason[];
}

const kindWords: Record<HoldingSource["kind"], string> = {
  manual: "added by hand",
  csv: "CSV import",
  directory_group: "directory group",
  directory_all: "entire directory",
};

const list = (names: string[]) => names.map((n) => `“${n}”`).join(", ");

/** The person as the eligibility rule reads a member. */
function asMember(person: DirectoryPerson): EligibilityInput {
  return {
    objectType: person.kind,
    id: person.objectId,
    displayName: person.displayName,
    mail: person.mail,
    userPrincipalName: person.userPrincipalName,
    accountEnabled: person.kind === "contact" ? true : person.accountEnabled,
  };
}

/**
 * The address a sync would give this person, or why it has none: the sync's own rule (memberVerdict), so the
 * answer and the audience never disagree.
 */
export function syncAddress(person: DirectoryPerson, useUsernameFallback: boolean): { address: string } | { missing: string } {
  const member = { ...asMember(person), accountEnabled: true };
  const verdict = memberVerdict(member, { useUsernameFallback });
  if ("address" in verdict) return { address: verdict.address.emailNormalized };
  return { missing: missingAddressReason(member, { useUsernameFallback }) };
}

/**
 * What one connection's directory says. When the address is held only by a list or an import, the directory
 * has nothing to explain; when a directory source of this connection holds it, only an anomaly (the person
 * would not be brought by the next sync) is worth saying.
 */
function explainConnection(email: string, facts: ConnectionFacts, input: WhyInput): WhyReason[] {
  const mine = input.synced.filter((s) => s.connectionId === facts.connectionId);
  const held = input.holders.some((h) => h.connectionId === facts.connectionId);
  if (input.holders.length > 0 && !held) return [];
  if (facts.lookupError) {
    return [{ code: "lookup_failed", message: `Could not look the address up in ${facts.name}: ${facts.lookupError}` }];
  }
  const person = facts.person;
  if (person === undefined) return [];
  if (person === null) {
    return held
      ? [{ code: "leaves_next_sync", message: `No user or contact in ${facts.name} has the address ${email} any more. It leaves the audience with the next sync.` }]
      : [{ code: "not_in_directory", message: `No user or contact in ${facts.name} has the address ${email}.` }];
  }
  const who = person.displayName;
  const groupIds = new Set(person.groups.map((g) => g.objectId));
  const entire = mine.find((s) => s.kind === "directory_all");
  const through = mine.filter((s) => s.kind === "directory_group" && s.groupObjectId && groupIds.has(s.groupObjectId));
  const bringing = entire ? [entire, ...through] : through;

  if (bringing.length === 0 && held) {
    return [{ code: "leaves_next_sync", message: `${who} is no longer in any group synced to this audience. They leave the audience with the next sync.` }];
  }
  if (bringing.length === 0) {
    const names = person.groups.map((g) => g.displayName).sort((a, b) => a.localeCompare(b));
    const synced = mine.map((s) => s.label);
    if (names.length > 0) {
      return [
        {
          code: "group_not_synced",
          message: `${who} is in ${list(names)}, but none of those groups is synced to this audience (synced: ${list(synced) || "none"}). Tick one of them to bring ${who} in.`,
        },
      ];
    }
    return [{ code: "not_member", message: `${who} is not a member of any group in ${facts.name}, so no synced group brings them.` }];
  }

  const groupNames = list(bringing.map((s) => s.label));
  const problems: WhyReason[] = [];
  if (person.kind === "contact" && !facts.syncContacts) {
    problems.push({
      code: "contacts_not_synced",
      message: `${who} is an organizational contact in ${groupNames}, and this connection does not sync contacts. An admin can turn on “Sync contacts”.`,
    });
  }
  const verdict = memberVerdict(asMember(person), { useUsernameFallback: facts.useUsernameFallback });
  if ("skip" in verdict && verdict.skip === "disabled") {
    problems.push(
      person.accountEnabled === false
        ? { code: "disabled", message: `${who} is in ${groupNames}, but the account is disabled in Azure. Roster does not sync disabled accounts.` }
        : {
            code: "disabled",
            message: `${who} is in ${groupNames}, but Graph did not say whether the account is enabled (the app lacks User.Read.All), so a sync does not include them. An admin can grant User.Read.All.`,
          },
    );
  }
  const resolved = syncAddress(person, facts.useUsernameFallback);
  if ("missing" in resolved) {
    problems.push({ code: "no_address", message: `${who} is in ${groupNames} but ${resolved.missing}.` });
  } else if (resolved.address !== normalizeEmail(email)) {
    problems.push({
      code: "different_address",
      message: `${who} is in ${groupNames}; the audience receives them at ${resolved.address}, not ${email}.`,
    });
  }
  if (problems.length > 0) {
    if (held) {
      return problems.map((p) => ({ code: "leaves_next_sync", message: `${p.message} They leave the audience with the next sync.` }));
    }
    return problems;
  }
  if (held) return [];
  const waiting = bringing
    .map((s) => `“${s.label}” is ${stateLabel[s.state]}${s.lastGoodSyncAt ? ` (last good sync ${s.lastGoodSyncAt})` : ""}`)
    .join("; ");
  return [
    {
      code: "sync_pending",
      message: `${who} is in ${groupNames} and would be included, but no sync has brought them in yet: ${waiting}. Press “Sync now” on the group.`,
    },
  ];
}

/** "3 Dec", or "3 Dec 2025" in another year; UTC, like every time Roster stores. */
export function shortDate(at: Date, now: Date = new Date()): string {
  const sameYear = at.getUTCFullYear() === now.getUTCFullYear();
  return at.toLocaleDateString("en-GB", { day: "numeric", month: "short", ...(sameYear ? {} : { year: "numeric" }), timeZone: "UTC" });
}

export function explainPresence(input: WhyInput): WhyAnswer {
  if (input.exclusion) {
    const x = input.exclusion;
    const sources = input.holders.map((h) => `“${h.label}” (${kindWords[h.kind]})`).join(", ");
    const message =
      `${input.email} is not in the audience: excluded by ${x.excludedBy} on ${shortDate(x.createdAt, input.now)}${x.reason ? `: ${x.reason}` : ""}.` +
      (sources ? ` Without the exclusion it would be there through ${sources}.` : " No source holds it now either.");
    return { email: input.email, inAudience: false, holders: input.holders, reasons: [{ code: "excluded", message }] };
  }
  const held = input.holders.length > 0;
  const reasons: WhyReason[] = [];
  if (held) {
    reasons.push({
      code: "held",
      message: `${input.email} is in the audience through ${input.holders.map((h) => `“${h.label}” (${kindWords[h.kind]})`).join(", ")}.`,
    });
  }
  if (input.synced.length === 0) {
    if (!held) reasons.push({ code: "no_directory_sources", message: "No directory group is synced to this audience, and no list or import holds this address." });
  } else {
    for (const facts of input.connections) reasons.push(...explainConnection(input.email, facts, input));
  }
  return { email: input.email, inAudience: held, holders: input.holders, reasons };
}
