import { describe, expect, test } from "vitest";
import { GraphRequestError } from "./errors";
import { parseListHead, readListPage } from "./list-stream";

/** A response whose body arrives in the given pieces, each only when the previous one has been read. */
function streamed(pieces: string[], opts: { breakAfter?: number } = {}) {
  const encoder = new TextEncoder();
  let i = 0;
  const pulled: number[] = [];
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled.push(i);
      if (opts.breakAfter !== undefined && i === opts.breakAfter) {
        controller.error(new Error("socket hang up"));
        return;
      }
      if (i < pieces.length) controller.enqueue(encoder.encode(pieces[i++]));
      else controller.close();
    },
  });
  return { response: new Response(body, { status: 200 }), pulled };
}

/** Splits text into pieces of `size` characters (a multi-byte character may be cut at a byte boundary below). */
const pieces = (text: string, size: number) => Array.from({ length: Math.ceil(text.length / size) }, (_, k) => text.slice(k * size, (k + 1) * size));

const NEXT = "https://graph.microsoft.com/v1.0/groups/g/transitiveMembers/microsoft.graph.user?$skiptoken=abc%22value%22:[";
const members = Array.from({ length: 50 }, (_, k) => ({ id: `u${k}`, displayName: `Zoë "value":[ ${k}`, mail: `u${k}@contoso.example` }));
const graphPage = JSON.stringify({ "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users", "@odata.count": 120, "@odata.nextLink": NEXT, value: members });

describe("parseListHead", () => {
  test("reads the control fields before value", () => {
    expect(parseListHead('{"@odata.context":"x","@odata.nextLink":"https://n",')).toEqual({ "@odata.context": "x", "@odata.nextLink": "https://n" });
    expect(parseListHead("{")).toEqual({});
    expect(parseListHead('  {"a":1 , ')).toBeNull(); // not from the start of the body
    expect(parseListHead('{"a":{"b":')).toBeNull();
  });
});

describe("readListPage", () => {
  test("announces the nextLink from the first bytes, before the rest of the body is read", async () => {
    const { response, pulled } = streamed(pieces(graphPage, 400));
    const read = readListPage<{ value: unknown[] }>(response, "/groups/g");
    expect(await read.nextLink).toBe(NEXT);
    // The head and the start of "value" came in the first piece(s); far from all of the body has been read.
    expect(pulled.length).toBeLessThan(pieces(graphPage, 400).length / 2);
    const page = await read.page;
    expect(page).toEqual(JSON.parse(graphPage));
  });

  test("finds the head across piece boundaries that split the value key, and multi-byte characters", async () => {
    for (const size of [1, 3, 7, 64]) {
      const bytes = new TextEncoder().encode(graphPage);
      const chunks = Array.from({ length: Math.ceil(bytes.length / size) }, (_, k) => bytes.slice(k * size, (k + 1) * size));
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const c of chunks) controller.enqueue(c);
          controller.close();
        },
      });
      const read = readListPage<{ value: { displayName: string }[] }>(new Response(body), "/p");
      expect(await read.nextLink).toBe(NEXT);
      expect((await read.page).value[3].displayName).toBe('Zoë "value":[ 3');
    }
  });

  test("a nextLink after value, or none, is taken from the whole page, never guessed", async () => {
    const late = JSON.stringify({ value: members.slice(0, 3), "@odata.nextLink": NEXT });
    const a = readListPage(streamed(pieces(late, 10)).response, "/p");
    expect(await a.nextLink).toBe(NEXT);
    const last = JSON.stringify({ "@odata.context": "x", value: members.slice(0, 3) });
    const b = readListPage(streamed(pieces(last, 10)).response, "/p");
    expect(await b.nextLink).toBeNull();
    expect(await b.page).toEqual(JSON.parse(last));
  });

  test("a body that breaks off fails the page as a network error (and the link, when it was not yet known)", async () => {
    const early = readListPage(streamed(pieces(graphPage, 400), { breakAfter: 3 }).response, "/p");
    expect(await early.nextLink).toBe(NEXT);
    await expect(early.page).rejects.toMatchObject({ status: 0, code: "network_error" });

    const late = JSON.stringify({ value: members, "@odata.nextLink": NEXT });
    const broken = readListPage(streamed(pieces(late, 400), { breakAfter: 2 }).response, "/p");
    await expect(broken.nextLink).rejects.toBeInstanceOf(GraphRequestError);
    await expect(broken.page).rejects.toMatchObject({ code: "network_error" });
  });

  test("a body that is not JSON fails with a clear error", async () => {
    const read = readListPage(streamed(['{"@odata.nextLink":"https://n","value":[{"id":']).response, "/p");
    expect(await read.nextLink).toBe("https://n");
    await expect(read.page).rejects.toMatchObject({ code: "invalid_response", message: "Microsoft Graph sent a page that is not valid JSON." });
  });
});
