"use client";
import { useEffect, useState } from "react";
import { Alert } from "@/components/ui/alert";

/** Where the wizard goes after a save: the connection's page, told to confirm the save once. */
export function savedConnectionUrl(connectionId: string): string {
  return `/admin/directory/${connectionId}?saved=1`;
}

/**
 * "Connection saved" on the connection page right after the wizard. The `saved` flag is then dropped from the
 * address (history.replaceState, which Next's router follows without a new request), so a reload or a bookmark
 * does not confirm the save again; the notice itself stays until the admin leaves the page, or until the
 * connection stops being healthy.
 */
export function SavedConnectionNotice({ justSaved, healthy = true, organizations }: { justSaved: boolean; healthy?: boolean; organizations: string[] }) {
  const [show] = useState(justSaved);
  useEffect(() => {
    if (!justSaved) return;
    const url = new URL(window.location.href);
    url.searchParams.delete("saved");
    window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
  }, [justSaved]);
  // "Verified" would no longer be true once a later check on the same page fails.
  if (!show || !healthy) return null;
  return (
    <Alert tone="success">
      Connection saved and verified. Editors of {organizations.join(", ")} can now sync its groups from a series: Audience → Manage
      recipients → Manage from directory.
    </Alert>
  );
}
