import { redirect } from "next/navigation";

/** The admin area is the directory settings for now. */
export default function AdminHome() {
  redirect("/admin/directory");
}
