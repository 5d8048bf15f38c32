/**
 * Who an audience receives from the directory, and at which address: the one rule the sync, the preview and
 * the "why is or isn't this person here?" lookup all apply (docs/design.md, "The sync, precisely"). Enabled
 * users and, when the connection syncs them, org contacts; addressed by `mail` when it is a real address, else
 * by the user principal name when the username fallback is on and the name is a real address (never a guest's
 * `#EXT#` name). An account whose state Graph did not return is not assumed enabled.
 */
import type { DirectoryMember } from "@/lib/directory/types";
import { isValidEmail, normalizeEmail } from "@/lib/email";
import { cleanName } from "@/lib/text/sanitize";

/** A directory object as the rule reads it (the directory's own member shape, so the two cannot drift apart). */
export type EligibilityInput = DirectoryMember;

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

export function memberVerdict(member: EligibilityInput, rules: ContributionRules): MemberVerdict {
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

/**
 * Why a member the rule gives no address has none, in words for the "why" answer: the same conditions
 * memberVerdict tests, in its order.
 */
export function missingAddressReason(member: EligibilityInput, rules: ContributionRules): string {
  const mail = member.mail?.trim();
  const none = mail ? `has a mail value (${mail}) that is not a valid address` : "has no mail address";
  if (member.objectType === "contact") return mail ? none : `${none} in Azure`;
  if (!rules.useUsernameFallback) return `${mail ? none : `${none} in Azure`}, and this connection does not use the username as a fallback`;
  const upn = member.userPrincipalName?.trim() ?? "";
  if (upn.includes("#")) return `${none}, and a guest's username (#EXT#) is not an address`;
  return `${none}, and the username is not a valid address`;
}
