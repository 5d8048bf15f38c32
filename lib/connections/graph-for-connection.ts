import "server-only";
// Alias kept for callers that import by this name; the implementation (and the only unsealing) is graph-access.ts.
export { graphForConnection } from "./graph-access";
