/**
 * The numbers a test needs to check a sync of a group: who the group holds, split by the reasons the
 * product keeps or skips someone (disabled, no address, guest UPN, contact). Counts come from the per-user
 * bits, so they are cheap even for a million members; distinct addresses are exact but cost a set.
 */
import type { Directory } from "./directory";
import type { Flat } from "./flatten";
import { refIndex } from "./records";
import { DISABLED, GUEST, NO_MAIL, UPN_INVALID } from "./user-table";

export interface MemberCounts {
  /** Distinct users (any state). */
  users: number;
  enabled: number;
  disabled: number;
  /** Enabled users with a mail address: what a sync without fallback delivers to. */
  enabledWithMail: number;
  /** Enabled users without mail whose UPN is a usable address (kept with the username fallback). */
  enabledUpnOnly: number;
  /** Enabled users with neither (no mail, guest `#EXT#` UPN): always skipped. */
  enabledNoAddress: number;
  guests: number;
  enabledGuests: number;
  /** Nested groups (distinct). */
  groups: number;
  contacts: number;
  contactsWithMail: number;
}

export interface AddressCounts {
  /** Distinct lower-cased addresses: enabled users' mail. */
  mail: number;
  /** … plus the UPN of enabled users without mail when it is a usable address. */
  mailOrUpn: number;
  /** `mail` plus org contacts' mail. */
  mailWithContacts: number;
  /** `mailOrUpn` plus org contacts' mail. */
  mailOrUpnWithContacts: number;
}

export function countMembers(dir: Directory, flat: Flat): MemberCounts {
  const c: MemberCounts = {
    users: flat.users.length,
    enabled: 0,
    disabled: 0,
    enabledWithMail: 0,
    enabledUpnOnly: 0,
    enabledNoAddress: 0,
    guests: 0,
    enabledGuests: 0,
    groups: flat.groups.length,
    contacts: flat.contacts.length,
    contactsWithMail: 0,
  };
  for (let k = 0; k < flat.users.length; k++) {
    const b = dir.users.bits(refIndex(flat.users[k]));
    if (b & GUEST) c.guests++;
    if (b & DISABLED) {
      c.disabled++;
      continue;
    }
    c.enabled++;
    if (b & GUEST) c.enabledGuests++;
    if (!(b & NO_MAIL)) c.enabledWithMail++;
    else if (!(b & UPN_INVALID)) c.enabledUpnOnly++;
    else c.enabledNoAddress++;
  }
  for (let k = 0; k < flat.contacts.length; k++) if (dir.contacts[refIndex(flat.contacts[k])].mail) c.contactsWithMail++;
  return c;
}

export function countAddresses(dir: Directory, flat: Flat): AddressCounts {
  const mail = new Set<string>();
  const upn = new Set<string>();
  const contacts = new Set<string>();
  for (let k = 0; k < flat.users.length; k++) {
    const i = refIndex(flat.users[k]);
    const b = dir.users.bits(i);
    if (b & DISABLED) continue;
    if (!(b & NO_MAIL)) mail.add(dir.users.get(i).mail!.toLowerCase());
    else if (!(b & UPN_INVALID)) upn.add(dir.users.get(i).userPrincipalName.toLowerCase());
  }
  for (let k = 0; k < flat.contacts.length; k++) {
    const m = dir.contacts[refIndex(flat.contacts[k])].mail;
    if (m) contacts.add(m.toLowerCase());
  }
  const union = (...sets: Set<string>[]) => new Set(sets.flatMap((s) => [...s])).size;
  return {
    mail: mail.size,
    mailOrUpn: union(mail, upn),
    mailWithContacts: union(mail, contacts),
    mailOrUpnWithContacts: union(mail, upn, contacts),
  };
}
