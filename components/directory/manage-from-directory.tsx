"use client";
/**
 * The "Manage from directory" dialog. Owned by the editors'-dialog work (issue 6); until it lands, the menu
 * entry explains that it is coming. Props are the contract the Audience page relies on.
 */
export interface ManageFromDirectoryProps {
  seriesId: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}

export function ManageFromDirectory({ open, onOpenChange }: ManageFromDirectoryProps) {
  if (!open) return null;
  return (
    <div role="dialog" aria-label="Manage from directory" className="rounded border bg-white p-4">
      <p>Directory sync is not available yet.</p>
      <button type="button" onClick={() => onOpenChange(false)}>Close</button>
    </div>
  );
}
