import NextAuth from "next-auth";
import { authOptions } from "@/lib/auth/options";
import { busySignIns, type BusyError } from "@/lib/auth/hash-limiter";
import { busyResponse } from "@/lib/auth/busy-response";

const handler = NextAuth(authOptions);

/**
 * next-auth answers every failed sign-in alike; a sign-in refused because the server is already hashing as many
 * passwords as it will becomes 429 with Retry-After, keeping next-auth's body so the form still shows the message.
 */
async function POST(request: Request, context: { params: Promise<{ nextauth: string[] }> }): Promise<Response> {
  let busy: BusyError | undefined;
  const response: Response = await busySignIns.run({ refused: (error) => (busy = error) }, () => handler(request, context));
  return busy ? busyResponse(response, busy.retryAfterSeconds) : response;
}

export { handler as GET, POST };
