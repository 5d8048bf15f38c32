"use client";
import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import { useState } from "react";
import { ManageFromDirectory } from "@/components/directory/manage-from-directory";
import { buttonClasses } from "@/components/ui/button";
import { AddRecipientDialog } from "./add-recipient-dialog";
import { ExcludeDialog } from "./exclude-dialog";
import { UploadCsvDialog } from "./upload-csv-dialog";

type OpenDialog = "add" | "upload" | "directory" | "exclude" | null;

const itemClasses =
  "flex cursor-default select-none items-start gap-3 rounded-md px-3 py-2 text-sm text-slate-800 outline-none data-[highlighted]:bg-blue-50 data-[highlighted]:text-blue-900";

/**
 * "Manage recipients": the three ways into an audience, and exclusions, the way to keep people out. The menu is non-modal so that the dialog it opens
 * owns focus and pointer events cleanly once the menu has closed.
 */
export function ManageRecipientsMenu({ seriesId }: { seriesId: string }) {
  const [open, setOpen] = useState<OpenDialog>(null);
  const onOpenChange = (which: Exclude<OpenDialog, null>) => (next: boolean) => setOpen(next ? which : null);

  return (
    <>
      <DropdownMenu.Root modal={false}>
        <DropdownMenu.Trigger className={buttonClasses("primary")}>
          Manage recipients
          <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="h-4 w-4">
            <path d="M5.23 7.21a.75.75 0 0 1 1.06.02L10 11.17l3.71-3.94a.75.75 0 1 1 1.08 1.04l-4.25 4.5a.75.75 0 0 1-1.08 0l-4.25-4.5a.75.75 0 0 1 .02-1.06Z" />
          </svg>
        </DropdownMenu.Trigger>
        <DropdownMenu.Portal>
          <DropdownMenu.Content align="end" sideOffset={6} className="z-30 w-72 rounded-lg border border-slate-200 bg-white p-1.5 shadow-lg">
            <DropdownMenu.Item className={itemClasses} onSelect={() => setOpen("add")}>
              <span>
                <span className="block font-medium">Add recipient</span>
                <span className="block text-xs text-slate-500">One address, typed in</span>
              </span>
            </DropdownMenu.Item>
            <DropdownMenu.Item className={itemClasses} onSelect={() => setOpen("upload")}>
              <span>
                <span className="block font-medium">Upload CSV</span>
                <span className="block text-xs text-slate-500">Email and name columns, up to 50,000 rows</span>
              </span>
            </DropdownMenu.Item>
            <DropdownMenu.Item className={itemClasses} onSelect={() => setOpen("exclude")}>
              <span>
                <span className="block font-medium">Exclude addresses</span>
                <span className="block text-xs text-slate-500">Keep people out whatever source holds them</span>
              </span>
            </DropdownMenu.Item>
            <DropdownMenu.Separator className="my-1 h-px bg-slate-100" />
            <DropdownMenu.Item className={itemClasses} onSelect={() => setOpen("directory")}>
              <span>
                <span className="block font-medium">Manage from directory</span>
                <span className="block text-xs text-slate-500">Sync Microsoft Entra ID groups</span>
              </span>
            </DropdownMenu.Item>
          </DropdownMenu.Content>
        </DropdownMenu.Portal>
      </DropdownMenu.Root>
      <AddRecipientDialog seriesId={seriesId} open={open === "add"} onOpenChange={onOpenChange("add")} />
      <UploadCsvDialog seriesId={seriesId} open={open === "upload"} onOpenChange={onOpenChange("upload")} />
      <ExcludeDialog seriesId={seriesId} open={open === "exclude"} onOpenChange={onOpenChange("exclude")} />
      <ManageFromDirectory seriesId={seriesId} open={open === "directory"} onOpenChange={onOpenChange("directory")} />
    </>
  );
}
