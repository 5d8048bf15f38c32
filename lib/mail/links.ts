import { readEnv } from "@/lib/env";

/** The public origin links in emails point at (NEXTAUTH_URL, as next-auth uses it). */
export function appOrigin(): string {
  return readEnv().NEXTAUTH_URL ?? "http://localhost:3000";
}

/** An absolute link to a path on this site, for an email. */
export function absoluteLink(path: string): string {
  return new URL(path, appOrigin()).toString();
}
