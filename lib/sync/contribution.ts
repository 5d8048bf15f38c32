/**
 * A group's contribution to an audience, member by member (DESIGN.md, "The sync, precisely"): enabled users
 * and, when the connection syncs them, org contacts; addressed by `mail`, else by the user principal name
 * when the username fallback is on and the name is a real address. Duplicates collapse later, in staging,
 * where every page of the enumeration meets.
 */
import type { DirectoryMember } from "@/lib/graph/members";
import { isValidEmail, normalizeEmail } from "@/lib/email";
import { cleanName } from "@/lib/text/sanitize";

export type SkipReason = "disabled" | "noAddress";

export interface ContributionRules {
  useUsernameFallback: boolean;
}

export interface ContributedAddress {
  emailNormalized: string;
  email: string;
  name: string | null;
  objectId: string;
}

export type MemberVerdict = { address: ContributedAddress } | { skip: SkipReason };

/**
 * A guest's user principal name (`jane_contoso.com#EXT#@tenant.onmicrosoft.com`) routes nowhere: mail sent
 * there bounces, so it never stands in for a missing `mail`.
 */
function usableUsername(upn: string | null): string | null {
  if (!upn || upn.includes("#")) return null;
  return isValidEmail(upn) ? upn.trim() : null;
}

export function memberVerdict(member: DirectoryMember, rules: ContributionRules): MemberVerdict {
  // Only an account Graph reports as enabled counts; an unknown state (property missing) is not assumed enabled.
  if (member.objectType === "user" && member.accountEnabled !== true) return { skip: "disabled" };
  const mail = member.mail?.trim();
  let email = mail && isValidEmail(mail) ? mail : null;
  if (!email && member.objectType === "user" && rules.useUsernameFallback) email = usableUsername(member.userPrincipalName);
  if (!email) return { skip: "noAddress" };
  // Graph returns display names as typed: a NUL or a control character in one must not fail the staging
  // insert (PostgreSQL's text refuses U+0000), and a name longer than Graph documents is cut for display.
  return { address: { emailNormalized: normalizeEmail(email), email, name: cleanName(member.displayName), objectId: member.id } };
}

/** One page's addresses as parallel arrays (what `unnest` takes), and its skipped members by reason. */
export interface PageContribution {
  keys: string[];
  emails: string[];
  names: (string | null)[];
  objectIds: string[];
  disabled: number;
  noAddress: number;
}

export function pageContribution(members: DirectoryMember[], rules: ContributionRules): PageContribution {
  const out: PageContribution = { keys: [], emails: [], names: [], objectIds: [], disabled: 0, noAddress: 0 };
  for (const member of members) {
    const verdict = memberVerdict(member, rules);
    if ("skip" in verdict) {
      out[verdict.skip]++;
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
 * Graph answers with ids only when the app lacks User.Read.All (DESIGN.md: "groups have no users"). Such a page
 * would read as "everyone disabled" and, applied, would empty the audience; the run fails with a diagnosis instead.
 */
export function looksLikeMissingUserRead(members: DirectoryMember[]): boolean {
  const users = members.filter((m) => m.objectType === "user");
  return users.length > 0 && users.every((m) => m.accountEnabled === null && !m.mail && !m.userPrincipalName);
}
