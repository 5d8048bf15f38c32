/** Microsoft Graph's error shape: { error: { code, message, innerError: { date, request-id, client-request-id } } }. */

export class GraphError extends Error {
  /** The injected fault behind this error, if any (for the request log). */
  fault?: string;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string | number> = {},
  ) {
    super(message);
  }
}

export function graphErrorBody(code: string, message: string, requestId: string, clientRequestId: string): string {
  return JSON.stringify({
    error: {
      code,
      message,
      innerError: { date: new Date().toISOString().replace(/\.\d+Z$/, ""), "request-id": requestId, "client-request-id": clientRequestId },
    },
  });
}

export const badRequest = (message: string, code = "Request_BadRequest") => new GraphError(400, code, message);
export const unsupportedQuery = (message: string) => new GraphError(400, "Request_UnsupportedQuery", message);
export const notFound = (id: string) =>
  new GraphError(404, "Request_ResourceNotFound", `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
export const forbidden = () => new GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
export const unauthorized = (message: string) => new GraphError(401, "InvalidAuthenticationToken", message);
export const advancedRequired = (what: string) =>
  unsupportedQuery(
    `${what} is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information`,
  );
