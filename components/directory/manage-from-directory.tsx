"use client";
/**
 * The "Manage from directory" dialog (the guide's section 11, done properly): find groups, tick "Sync to
 * audience", press "Update audience", and watch each group's state live, with what each sync did and why
 * members were skipped. Props are the contract the Audience page relies on.
 */
import * as Dialog from "@radix-ui/react-dialog";
import { useRouter } from "next/navigation";
import { useRef } from "react";
import { DirectoryManager } from "./directory-manager";

export interface ManageFromDirectoryProps {
  seriesId: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}

/**
 * Where focus goes when the dialog closes. Opened from a menu item, Radix would return focus to that item,
 * which the closed menu has removed (focus would fall to the page); the menu's trigger is the right place.
 * Radix labels a menu by its trigger, which is how the trigger is found.
 */
function focusReturnTarget(): HTMLElement | null {
  const opener = document.activeElement as HTMLElement | null;
  const menu = opener?.closest('[role="menu"]');
  const triggerId = menu?.getAttribute("aria-labelledby");
  return (triggerId ? document.getElementById(triggerId) : null) ?? opener;
}

export function ManageFromDirectory({ seriesId, open, onOpenChange }: ManageFromDirectoryProps) {
  const searchRef = useRef<HTMLInputElement>(null);
  const returnFocusTo = useRef<HTMLElement | null>(null);
  const router = useRouter();
  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        // The page behind shows the audience's count and sources, rendered on the server: bring it up to date.
        if (!next) router.refresh();
        onOpenChange(next);
      }}
    >
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-slate-900/40" />
        <Dialog.Content
          onOpenAutoFocus={(event) => {
            returnFocusTo.current = focusReturnTarget();
            // Start where editors start: finding a group. Until the list has loaded, hold focus on the dialog
            // itself (Radix would put it on the Close button); the manager moves it to the search box.
            event.preventDefault();
            (searchRef.current ?? (event.target as HTMLElement | null))?.focus();
          }}
          onCloseAutoFocus={(event) => {
            const target = returnFocusTo.current;
            if (target?.isConnected) {
              event.preventDefault();
              target.focus();
            }
          }}
          className="fixed inset-0 z-50 flex flex-col gap-3 bg-white p-3 shadow-xl focus:outline-none sm:inset-auto sm:left-1/2 sm:top-1/2 sm:max-h-[min(92vh,56rem)] sm:w-[min(64rem,calc(100vw-2rem))] sm:-translate-x-1/2 sm:-translate-y-1/2 sm:rounded-lg sm:p-5"
        >
          <div className="flex items-start justify-between gap-4">
            <div>
              <Dialog.Title className="text-lg font-semibold text-slate-900">Manage from directory</Dialog.Title>
              <Dialog.Description className="text-sm text-slate-600">
                Tick the groups whose members should receive this series, then press Update audience. Synced groups refresh on
                the directory&rsquo;s schedule, or at once with Sync now.
              </Dialog.Description>
            </div>
            <Dialog.Close className="rounded-md p-1 text-slate-500 hover:bg-slate-100 hover:text-slate-800" aria-label="Close">
              <svg aria-hidden="true" viewBox="0 0 20 20" className="h-5 w-5" fill="currentColor">
                <path d="M6.28 5.22a.75.75 0 0 0-1.06 1.06L8.94 10l-3.72 3.72a.75.75 0 1 0 1.06 1.06L10 11.06l3.72 3.72a.75.75 0 1 0 1.06-1.06L11.06 10l3.72-3.72a.75.75 0 0 0-1.06-1.06L10 8.94 6.28 5.22Z" />
              </svg>
            </Dialog.Close>
          </div>
          {open ? <DirectoryManager seriesId={seriesId} searchRef={searchRef} /> : null}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
