/**
 * A group's contribution to an audience, page by page, by the one eligibility rule (lib/audience/eligibility.ts,
 * which the preview and the "why" lookup apply too). Duplicates collapse later, in staging, where every page of
 * the enumeration meets.
 */
import { memberVerdict, type ContributionRules } from "@/lib/audience/eligibility";
import type { DirectoryMember } from "@/lib/directory/types";

export { memberVerdict, type ContributedAddress, type ContributionRules, type MemberVerdict, type SkipReason } from "@/lib/audience/eligibility";

/** One page's addresses as parallel arrays (what `unnest` takes), and its skipped members by reason. */
export interface PageContribution {
  keys: string[];
  emails: string[];
  names: (string | null)[];
  objectIds: string[];
  disabled: number;
  /** Object ids of the disabled users among them (the change log says why their addresses left). */
  disabledIds: string[];
  noAddress: number;
  /** Org contacts Graph listed that were not read because "Sync contacts" is off. */
  contactsOff: number;
}

export function pageContribution(members: DirectoryMember[], rules: ContributionRules): PageContribution {
  const out: PageContribution = { keys: [], emails: [], names: [], objectIds: [], disabled: 0, disabledIds: [], noAddress: 0, contactsOff: 0 };
  for (const member of members) {
    const verdict = memberVerdict(member, rules);
    if ("skip" in verdict) {
      out[verdict.skip]++;
      if (verdict.skip === "disabled") out.disabledIds.push(member.id);
      continue;
    }
    out.keys.push(verdict.address.emailNormalized);
    out.emails.push(verdict.address.email);
    out.names.push(verdict.address.name);
    out.objectIds.push(verdict.address.objectId);
  }
  return out;
}

/**
 * Graph answers with ids only when the app lacks User.Read.All (docs/design.md, "Diagnoses": "groups have no users"). Such a page
 * would read as "everyone disabled" and, applied, would empty the audience; the run fails with a diagnosis instead.
 */
export function looksLikeMissingUserRead(members: DirectoryMember[]): boolean {
  const users = members.filter((m) => m.objectType === "user");
  // With User.Read.All (or Directory.Read.All) Graph always returns accountEnabled when it is selected; with
  // User.ReadBasic.All it is null, and with no user permission every property but id and @odata.type is.
  // https://learn.microsoft.com/en-us/graph/permissions-overview#limited-information-returned-for-inaccessible-member-objects
  return users.length > 0 && users.every((m) => m.accountEnabled === null);
}
