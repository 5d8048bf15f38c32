import type { GraphPage, GraphSession } from "./types";

/**
 * Every page of a Graph collection, following `@odata.nextLink` whole. Pages may be empty and still carry a
 * next link, so the walk ends only when the link is absent. Headers are re-sent on every page: Graph does not
 * carry ConsistencyLevel over to the next link.
 */
export async function* graphPages<T>(graph: GraphSession, firstPath: string, headers?: Record<string, string>): AsyncGenerator<GraphPage<T>> {
  let next: string | undefined = firstPath;
  while (next) {
    const page: GraphPage<T> = await graph.get<GraphPage<T>>(next, headers ? { headers } : undefined);
    yield { ...page, value: page.value ?? [] };
    next = page["@odata.nextLink"];
  }
}

export async function* graphItems<T>(graph: GraphSession, firstPath: string, headers?: Record<string, string>): AsyncGenerator<T> {
  for await (const page of graphPages<T>(graph, firstPath, headers)) yield* page.value;
}

/** Headers for Graph's "advanced queries" (OData casts on member lists, $count, $filter on members). */
export const ADVANCED_QUERY_HEADERS = { ConsistencyLevel: "eventual" } as const;
