/**
 * A pasted value without the whitespace and quotes that copying from a portal, a chat or a JSON file brings
 * along: "  “0a1b…”\n" is 0a1b…. Its own module so the forms clean a field as it is left without taking the
 * validation layer (and zod) into the browser's bundle.
 */
export function cleanPasted(value: string): string {
  return value.trim().replace(/^["'`\u201c\u201d\u2018\u2019]+|["'`\u201c\u201d\u2018\u2019]+$/g, "").trim();
}
