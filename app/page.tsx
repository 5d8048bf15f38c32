import { redirect } from "next/navigation";
import { currentActor } from "@/lib/auth/session";
import { getDb } from "@/lib/db";

export default async function Home() {
  const actor = await currentActor(await getDb());
  redirect(actor ? "/series" : "/login");
}
