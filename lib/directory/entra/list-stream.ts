/**
 * Reading a Graph collection page as it streams in. Graph writes a page's control fields first
 * (`{"@odata.context":…,"@odata.count":…,"@odata.nextLink":…,"value":[…]}`), so the link to the next page is
 * in the first bytes of a body that is a few hundred kilobytes long for 999 users. A nextLink chain cannot be
 * parallelized, but it need not wait for the rest of the body to arrive and be parsed before requesting the
 * next page: that wait, once per page, is most of what a sync spends beyond Graph's own latency.
 *
 * The head is read only when it is certain: the text before the top-level "value" key, parsed as JSON. When a
 * response puts @odata.nextLink after "value" (or has none, on the last page), the link is taken from the
 * whole page instead, so it is never guessed.
 */
import { GraphRequestError, supportIds } from "./errors";
import type { ListPageRead } from "./types";

/**
 * Where the top-level "value" array begins, if the text so far reaches it. Inside a JSON string every quote is
 * escaped, so `"value":[` can only be a key followed by an array; a nested object before it (Graph sends none
 * in a list head) would make the prefix fail to parse, and the head then waits for the whole page.
 */
const VALUE_KEY = /"value"\s*:\s*\[/g;

/** The control fields before "value", or null when the prefix is not a complete object head. */
export function parseListHead(prefix: string): Record<string, unknown> | null {
  const head = prefix.replace(/[\s,]*$/, "");
  if (!head.startsWith("{")) return null;
  try {
    const parsed = JSON.parse(head === "{" ? "{}" : `${head}}`) as unknown;
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const linkOf = (o: Record<string, unknown> | null | undefined): string | null => {
  const v = o?.["@odata.nextLink"];
  return typeof v === "string" && v.length > 0 ? v : null;
};

async function* chunksOf(body: unknown): AsyncGenerator<Uint8Array> {
  if (body && typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === "function") {
    yield* body as AsyncIterable<Uint8Array>;
    return;
  }
  const reader = (body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    yield value;
  }
}

/**
 * Reads a 2xx response's body as a list page: see ListPageRead. `onChunk` hears of every piece of the body
 * as it arrives (the session's idle timer). A body that breaks off or is not JSON rejects both promises with a
 * GraphRequestError that keeps the response's request-id and date.
 */
export function readListPage<T>(response: Response, path: string, opts: { onChunk?: () => void } = {}): ListPageRead<T> {
  const ids = supportIds(response.headers);
  let settle!: { resolve: (link: string | null) => void; reject: (error: unknown) => void };
  const nextLink = new Promise<string | null>((resolve, reject) => (settle = { resolve, reject }));
  nextLink.catch(() => undefined); // a caller may await only the page; its rejection carries the same error
  let announced = false;
  let headRead = false;

  const page = (async () => {
    const decoder = new TextDecoder();
    let text = "";
    let searched = 0;
    if (response.body) {
      try {
      for await (const chunk of chunksOf(response.body)) {
        text += decoder.decode(chunk, { stream: true });
        opts.onChunk?.();
        if (headRead) continue;
        // Search only the new text (less the key's length, which a chunk boundary may have split).
        VALUE_KEY.lastIndex = Math.max(0, searched - 16);
        const match = VALUE_KEY.exec(text);
        searched = text.length;
        if (!match) continue;
        headRead = true;
        // Only a link seen in the head is final; without one, the whole page decides (it may come after "value").
        const link = linkOf(parseListHead(text.slice(0, match.index)));
        if (link) {
          announced = true;
          settle.resolve(link);
        }
      }
      } catch (error) {
        const cause = error instanceof Error ? error.message : String(error);
        throw new GraphRequestError({ status: 0, code: "network_error", message: `Microsoft Graph's answer broke off: ${cause}`, path, ...ids });
      }
    }
    text += decoder.decode();
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new GraphRequestError({ status: response.status, code: "invalid_response", message: "Microsoft Graph sent a page that is not valid JSON.", path, ...ids });
    }
  })();

  page.then(
    (p) => announced || settle.resolve(linkOf(p as Record<string, unknown>)),
    (error: unknown) => announced || settle.reject(error),
  );
  return { nextLink, page };
}
