import type { NextRequest } from "next/server";
import { z } from "zod";
import { invalidInput } from "@/lib/errors";
import { listDirectoryGroups, GROUP_PAGE_MAX } from "@/lib/dialog/group-list";
import { groupKinds, syncStates } from "@/lib/dialog/types";
import { respondJson } from "../respond";

const querySchema = z.object({
  connectionId: z.string().min(1, "Choose a directory."),
  q: z.string().max(200, "Search for at most 200 characters.").optional(),
  kind: z.enum(groupKinds).optional(),
  state: z.enum(syncStates).optional(),
  offset: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(GROUP_PAGE_MAX).optional(),
});

/** One page of the group catalog with this series' states, searched and filtered on the server. */
export async function GET(request: NextRequest, { params }: { params: Promise<{ seriesId: string }> }) {
  const { seriesId } = await params;
  return respondJson(({ db, actor }) => {
    const raw = Object.fromEntries([...request.nextUrl.searchParams].filter(([, v]) => v !== ""));
    const parsed = querySchema.safeParse(raw);
    if (!parsed.success) throw invalidInput(parsed.error.issues[0]?.message ?? "The group query is not valid.");
    const { q, ...rest } = parsed.data;
    return listDirectoryGroups(db, actor, { seriesId, search: q, ...rest });
  });
}
