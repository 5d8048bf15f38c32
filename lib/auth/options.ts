import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import AzureADProvider from "next-auth/providers/azure-ad";
import { eq } from "drizzle-orm";
import { users } from "@/db/schema";
import { getDb } from "@/lib/db";
import { normalizeEmail } from "@/lib/email";
import { readEnv } from "@/lib/env";
import { RosterError } from "@/lib/errors";
import { revokeSessions } from "./actor";
import { clientAddress } from "./client-address";
import { BusyError, busySignIns } from "./hash-limiter";
import { authSecret } from "./secret";
import { authenticate } from "./sign-in";

/**
 * Single sign-on with Microsoft Entra ID, offered only when all three variables are set and the tenant is one
 * directory. SSO matches people by their email claim; with "common" or "organizations" any tenant's admin could
 * issue a token carrying a Roster user's address, so multi-tenant authorities are refused.
 */
export function entraSsoConfigured(): boolean {
  // lib/env.ts refuses a multi-tenant authority and a partial set of the three, naming the variable.
  const env = readEnv();
  return Boolean(env.AUTH_ENTRA_CLIENT_ID && env.AUTH_ENTRA_CLIENT_SECRET && env.AUTH_ENTRA_TENANT_ID);
}

export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt", maxAge: 8 * 60 * 60 },
  pages: { signIn: "/login", error: "/login" },
  get secret() {
    return authSecret();
  },
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, req) {
        if (!credentials?.email || !credentials.password) throw new Error("Enter your email and password.");
        try {
          return await authenticate(await getDb(), credentials.email, credentials.password, new Date(), {
            client: clientAddress(req?.headers),
          });
        } catch (error) {
          // The route answers 429 with Retry-After for this one (app/api/auth/[...nextauth]/route.ts).
          if (error instanceof BusyError) busySignIns.getStore()?.refused(error);
          // next-auth passes an Error's message to the sign-in page; only our own messages may go there.
          if (error instanceof RosterError) throw new Error(error.message);
          throw error;
        }
      },
    }),
    ...(entraSsoConfigured()
      ? [
          AzureADProvider({
            clientId: readEnv().AUTH_ENTRA_CLIENT_ID!,
            clientSecret: readEnv().AUTH_ENTRA_CLIENT_SECRET!,
            tenantId: readEnv().AUTH_ENTRA_TENANT_ID!,
            // The stock profile fetches the user's photo from Graph into the session cookie; Roster needs neither.
            profile: (profile) => ({
              id: profile.sub,
              name: profile.name,
              email: profile.email ?? profile.preferred_username ?? null,
            }),
          }),
        ]
      : []),
  ],
  callbacks: {
    // SSO signs in only people who already have a Roster account (created by an admin or the CLI).
    async signIn({ user, account }) {
      if (account?.provider === "credentials") return true;
      if (!user.email) return false;
      const db = await getDb();
      const [row] = await db.select({ id: users.id }).from(users).where(eq(users.emailNormalized, normalizeEmail(user.email)));
      return Boolean(row);
    },
    async jwt({ token, user, account }) {
      if (user && account?.provider === "credentials") {
        token.sub = user.id;
        token.sv = (user as { sessionVersion?: number }).sessionVersion;
      } else if (user?.email && account) {
        const db = await getDb();
        const [row] = await db
          .select({ id: users.id, sessionVersion: users.sessionVersion })
          .from(users)
          .where(eq(users.emailNormalized, normalizeEmail(user.email)));
        token.sub = row?.id;
        token.sv = row?.sessionVersion;
      }
      return token;
    },
    async session({ session, token }) {
      // Only the id and the session version travel; roles are read from the database for every request, and
      // the version must still match the user's (lib/auth/session.ts).
      if (session.user) Object.assign(session.user, { id: token.sub, sessionVersion: token.sv });
      return session;
    },
  },
  events: {
    // A JWT cannot be recalled, so signing out moves the user's session version on: this cookie, and any copy
    // of it, no longer names a current session.
    async signOut({ token }) {
      await revokeSessions(await getDb(), token?.sub);
    },
  },
};
