import { RosterError } from "@/lib/errors";

/** Multipart boundaries and part headers around the file. */
export const MULTIPART_SLACK = 64 * 1024;

const tooLarge = (maxBytes: number) =>
  new RosterError("too_large", `The file is larger than the limit of ${Math.round(maxBytes / (1024 * 1024))} MB. Split it into smaller files.`);

/**
 * The request's body, read with a byte counter and abandoned the moment it passes `maxBytes`: a body without
 * Content-Length (chunked), or one that lies about it, is never held in memory beyond the limit. Only then is it
 * parsed as multipart form data, from the bounded copy.
 */
export async function readLimitedFormData(request: Request, maxBytes: number): Promise<FormData> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > maxBytes) {
    throw new RosterError("too_large", `The file is about ${(declared / (1024 * 1024)).toFixed(1)} MB; the limit is 5 MB. Split it into smaller files.`);
  }
  const chunks: Uint8Array[] = [];
  let received = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
      if (received > maxBytes) {
        // Stop reading: the rest of the body is never pulled, and the connection is not kept for it.
        await reader.cancel().catch(() => {});
        throw tooLarge(maxBytes - MULTIPART_SLACK);
      }
      chunks.push(value);
    }
  }
  const body = new Uint8Array(received);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return await new Response(body, { headers: { "content-type": request.headers.get("content-type") ?? "" } }).formData();
  } catch {
    throw new RosterError("invalid_input", "The upload could not be read. Choose a CSV file and try again.");
  }
}
