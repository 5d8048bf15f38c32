import { redirect } from "next/navigation";

/** A series opens on its audience, the only series page so far. */
export default async function SeriesHome({ params }: { params: Promise<{ seriesId: string }> }) {
  const { seriesId } = await params;
  redirect(`/series/${encodeURIComponent(seriesId)}/audience`);
}
