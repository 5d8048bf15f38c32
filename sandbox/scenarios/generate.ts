/**
 * A deterministic generator for large directories. Every user, group and contact is a pure function of
 * (seed, index): users cost one byte of state each and member lists are Int32Arrays, so a million users fit
 * easily in memory, and the same options always give the same directory (ids included).
 *
 * Shape: group 0 ("All Company") is the root; the other groups form a tree `depth` levels deep under it.
 * Every user is a direct member of exactly one non-root group, `overlap` % also of a second one, so the
 * root's transitive users are the whole directory. `cycles` adds back-edges (a deep group containing its
 * level-1 ancestor), which Entra allows and a flattener must survive.
 */
import { Directory } from "../directory/directory";
import { idCodec } from "../directory/ids";
import { DEPARTMENTS, EXTERNAL_DOMAINS, FIRST_NAMES, JOB_TITLES, LAST_NAMES, OFFICES } from "../directory/names";
import { fmix32, hash32, unit } from "../directory/prng";
import { CONTACT, GROUP, USER, ref, type ContactRecord, type GroupRecord, type UserRecord } from "../directory/records";
import { DISABLED, GUEST, NO_MAIL, UPN_INVALID, UserTable, type GeneratedUsers } from "../directory/user-table";

export interface GenerateOptions {
  users: number;
  groups: number;
  /** Nesting levels under the root group. */
  depth: number;
  /** Percent of users who are also direct members of a second group. */
  overlap: number;
  disabledPct: number;
  noMailPct: number;
  guestPct: number;
  contacts: number;
  seed: number;
  /** Nesting cycles to add. */
  cycles: number;
}

export const GENERATE_DEFAULTS: GenerateOptions = {
  users: 1000,
  groups: 10,
  depth: 2,
  overlap: 10,
  disabledPct: 3,
  noMailPct: 5,
  guestPct: 2,
  contacts: 0,
  seed: 1,
  cycles: 0,
};

const DAY = 86_400_000;
const EPOCH = Date.UTC(2016, 0, 1);
// Formatting dates is the slowest part of making a user; there are only 3000 distinct days.
const DAYS = Array.from({ length: 3000 }, (_, d) => new Date(EPOCH + d * DAY).toISOString().replace(".000Z", "Z"));
const isoDay = (h: number) => DAYS[h % 3000];

export function generateDirectory(options: Partial<GenerateOptions> = {}): Directory {
  const o: GenerateOptions = { ...GENERATE_DEFAULTS, ...options };
  const seed = o.seed >>> 0;
  const codec = idCodec(seed);
  const domain = `gen${seed}.example`;
  const initialDomain = `gen${seed}.onmicrosoft.com`;
  const G = Math.max(1, Math.floor(o.groups));
  const N = Math.max(0, Math.floor(o.users));
  const depth = Math.max(1, Math.floor(o.depth));

  // Group tree: level and parent of each group.
  const level = new Int32Array(G);
  const parent = new Int32Array(G).fill(-1);
  const byLevel: number[][] = [[0]];
  for (let j = 1; j < G; j++) {
    const l = 1 + ((j - 1) % depth);
    const candidates = byLevel[l - 1] ?? [0];
    level[j] = l;
    parent[j] = candidates[hash32(seed, j, 7) % candidates.length];
    (byLevel[l] ??= []).push(j);
  }
  const hasChildren = new Uint8Array(G);
  for (let j = 1; j < G; j++) hasChildren[parent[j]] = 1;

  // Primary group of each user: contiguous index ranges over the non-root groups, weighted.
  const homes = G > 1 ? G - 1 : 1;
  const start = new Float64Array(homes + 1);
  let total = 0;
  const weights = Array.from({ length: homes }, (_, k) => 0.5 + unit(hash32(seed, k, 31)));
  const weightSum = weights.reduce((a, b) => a + b, 0);
  for (let k = 0; k < homes; k++) {
    start[k] = Math.round((total / weightSum) * N);
    total += weights[k];
  }
  start[homes] = N;
  const homeOf = (i: number): number => {
    let lo = 0;
    let hi = homes - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (start[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    return G > 1 ? lo + 1 : 0;
  };
  const secondOf = (i: number, home: number): number => {
    if (G < 3 || unit(hash32(seed, i, 41)) >= o.overlap / 100) return -1;
    const g = 1 + (hash32(seed, i, 42) % (G - 1));
    return g === home ? 1 + (g % (G - 1)) : g;
  };

  const kindOf = (j: number): string => {
    if (j === 0) return "security";
    const r = unit(hash32(seed, j, 51));
    if (hasChildren[j]) return r < 0.5 ? "security" : "mailEnabledSecurity";
    return r < 0.25 ? "microsoft365" : r < 0.45 ? "distribution" : r < 0.7 ? "mailEnabledSecurity" : "security";
  };
  const kinds = Array.from({ length: G }, (_, j) => kindOf(j));

  // Contacts go to groups that may hold them (not Microsoft 365 groups).
  const contactHomes = kinds.map((k, j) => (k === "microsoft365" ? -1 : j)).filter((j) => j >= 0);
  const contactHome = (c: number) => contactHomes[hash32(seed, c, 61) % contactHomes.length];

  // Cycle back-edges: a deepest non-M365 group gets its level-1 ancestor as a member.
  const cycleEdges: Array<[number, number]> = [];
  const deepest = (byLevel[depth] ?? []).filter((j) => kinds[j] !== "microsoft365");
  for (let k = 0; k < o.cycles && deepest.length > 0 && depth >= 2; k++) {
    const g = deepest[hash32(seed, k, 71) % deepest.length];
    let a = g;
    while (level[a] > 1) a = parent[a];
    if (a !== g && !cycleEdges.some(([x, y]) => x === g && y === a)) cycleEdges.push([g, a]);
  }

  // Member lists: count, allocate, fill.
  const sizes = new Int32Array(G);
  for (let j = 1; j < G; j++) sizes[parent[j]]++;
  for (let i = 0; i < N; i++) {
    const home = homeOf(i);
    sizes[home]++;
    const second = secondOf(i, home);
    if (second >= 0) sizes[second]++;
  }
  for (let c = 0; c < o.contacts; c++) sizes[contactHome(c)]++;
  for (const [g] of cycleEdges) sizes[g]++;
  const lists = Array.from({ length: G }, (_, j) => new Int32Array(sizes[j]));
  const fill = new Int32Array(G);
  for (let i = 0; i < N; i++) {
    const home = homeOf(i);
    lists[home][fill[home]++] = ref(USER, i);
    const second = secondOf(i, home);
    if (second >= 0) lists[second][fill[second]++] = ref(USER, i);
  }
  for (let j = 1; j < G; j++) lists[parent[j]][fill[parent[j]]++] = ref(GROUP, j);
  for (let c = 0; c < o.contacts; c++) {
    const g = contactHome(c);
    lists[g][fill[g]++] = ref(CONTACT, c);
  }
  for (const [g, a] of cycleEdges) lists[g][fill[g]++] = ref(GROUP, a);

  const groups: GroupRecord[] = lists.map((members, j) => {
    const kind = kinds[j];
    const name = j === 0 ? "All Company" : `${DEPARTMENTS[j % DEPARTMENTS.length]} ${String(j).padStart(2, "0")}`;
    const nick = name.toLowerCase().replace(/[^a-z0-9]/g, "");
    const mailEnabled = kind !== "security";
    return {
      id: codec.encode(GROUP, j),
      displayName: name,
      description: j === 0 ? "Everyone in the company" : `Level ${level[j]} team`,
      mail: mailEnabled ? `${nick}@${domain}` : null,
      mailEnabled,
      mailNickname: nick,
      securityEnabled: kind === "security" || kind === "mailEnabledSecurity",
      groupTypes: kind === "microsoft365" ? ["Unified"] : [],
      membershipRule: null,
      membershipRuleProcessingState: null,
      visibility: kind === "microsoft365" ? "Private" : null,
      createdDateTime: isoDay(hash32(seed, j, 52)),
      members,
      deleted: false,
    };
  });

  const contacts: ContactRecord[] = Array.from({ length: Math.max(0, Math.floor(o.contacts)) }, (_, c) => {
    const first = FIRST_NAMES[hash32(seed, c, 81) % FIRST_NAMES.length];
    const last = LAST_NAMES[hash32(seed, c, 82) % LAST_NAMES.length];
    const ext = EXTERNAL_DOMAINS[hash32(seed, c, 83) % EXTERNAL_DOMAINS.length];
    return {
      id: codec.encode(CONTACT, c),
      displayName: `${first} ${last} (${ext.split(".")[0]})`,
      givenName: first,
      surname: last,
      mail: c % 20 === 19 ? null : `${first}.${last}.c${c}@${ext}`.toLowerCase(),
      mailNickname: `${first}${last}c${c}`,
      companyName: ext.split(".")[0],
      jobTitle: null,
      department: null,
      createdDateTime: isoDay(hash32(seed, c, 84)),
      deleted: false,
    };
  });

  const users: GeneratedUsers = {
    count: N,
    bits(i) {
      let b = 0;
      if (unit(hash32(seed, i, 11)) < o.disabledPct / 100) b |= DISABLED;
      if (unit(hash32(seed, i, 12)) < o.noMailPct / 100) b |= NO_MAIL;
      if (unit(hash32(seed, i, 13)) < o.guestPct / 100) b |= GUEST | UPN_INVALID;
      return b;
    },
    materialize(i, bits): UserRecord {
      // One full hash per user, then cheap derived ones: this runs for every member on every page served.
      const h0 = hash32(seed, i, 21);
      const first = FIRST_NAMES[h0 % FIRST_NAMES.length];
      const last = LAST_NAMES[fmix32(h0 ^ 0x5bd1e995) % LAST_NAMES.length];
      const local = `${first}.${last}.${i}`.toLowerCase();
      const guest = (bits & GUEST) !== 0;
      const ext = EXTERNAL_DOMAINS[fmix32(h0 ^ 0x27d4eb2f) % EXTERNAL_DOMAINS.length];
      const upn = guest ? `${local}_${ext}#EXT#@${initialDomain}` : `${local}@${domain}`;
      // Some addresses keep capitals, as real ones do: the product must compare them lower-cased.
      const mail = bits & NO_MAIL ? null : guest ? `${local}@${ext}` : i % 97 === 5 ? `${first}.${last}.${i}@${domain}` : upn;
      const h = fmix32(h0 ^ 0x165667b1);
      return {
        id: codec.encode(USER, i),
        displayName: guest ? `${first} ${last} (${ext.split(".")[0]})` : `${first} ${last}`,
        givenName: first,
        surname: last,
        mail,
        userPrincipalName: upn,
        mailNickname: guest ? `${local}_${ext}#EXT#` : local,
        accountEnabled: (bits & DISABLED) === 0,
        userType: guest ? "Guest" : "Member",
        jobTitle: guest ? null : JOB_TITLES[h % JOB_TITLES.length],
        department: guest ? null : DEPARTMENTS[homeOf(i) % DEPARTMENTS.length],
        officeLocation: guest ? null : OFFICES[(h >>> 8) % OFFICES.length],
        companyName: guest ? ext.split(".")[0] : null,
        mobilePhone: null,
        businessPhones: [],
        preferredLanguage: "en-US",
        usageLocation: "US",
        employeeId: guest ? null : `E${100000 + i}`,
        createdDateTime: isoDay(h >>> 4),
        externalUserState: guest ? "Accepted" : null,
        creationType: guest ? "Invitation" : null,
      };
    },
    decodeId(id) {
      const i = codec.decode(USER, id);
      return i >= 0 && i < N ? i : -1;
    },
    decodeUpn(upn) {
      const m = /\.(\d+)(?:_[^@]*)?@/.exec(upn);
      if (!m) return -1;
      const i = Number(m[1]);
      return i < N ? i : -1;
    },
  };

  return new Directory(
    { displayName: `Generated Directory ${seed}`, domain, initialDomain, countryLetterCode: "US", createdDateTime: isoDay(seed) },
    new UserTable(users),
    groups,
    contacts,
  );
}
