/** The sign-in route's answer when hashing had no room: next-auth's own body, as 429 with Retry-After. */
export async function busyResponse(original: Response, retryAfterSeconds: number): Promise<Response> {
  const headers = new Headers(original.headers);
  headers.delete("location");
  headers.set("retry-after", String(retryAfterSeconds));
  headers.set("cache-control", "no-store");
  return new Response(await original.text(), { status: 429, headers });
}
