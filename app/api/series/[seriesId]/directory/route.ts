import type { NextRequest } from "next/server";
import { directoryOverview } from "@/lib/dialog/overview";
import { respondJson } from "./respond";

/**
 * The dialog's live view: connections, every directory source's state and progress, the audience's size.
 * A GET starts no work; while work is in flight the dialog also POSTs to ./work, which starts a worker when a
 * job is due or its lease expired.
 */
export async function GET(request: NextRequest, { params }: { params: Promise<{ seriesId: string }> }) {
  const { seriesId } = await params;
  const connectionId = request.nextUrl.searchParams.get("connectionId");
  return respondJson(({ db, actor }) => directoryOverview(db, actor, { seriesId, connectionId }));
}
