/** Placeholders in the shape of what is loading, so the dialog does not jump when it arrives. */
export function SkeletonBar({ className = "" }: { className?: string }) {
  return <span aria-hidden className={`block animate-pulse rounded bg-slate-200 ${className}`} />;
}

/** One group row while its page loads. */
export function GroupRowSkeleton() {
  return (
    <div className="flex h-16 gap-3 border-b border-slate-200 px-3 py-2" data-testid="group-row-skeleton">
      <SkeletonBar className="mt-0.5 size-5" />
      <div className="flex-1 space-y-2 pt-0.5">
        <SkeletonBar className="h-4 w-2/5" />
        <SkeletonBar className="h-3 w-3/5" />
      </div>
    </div>
  );
}

/** The dialog's body while the directory's overview loads. */
export function DirectorySkeleton() {
  return (
    <div role="status" aria-label="Loading the directory" className="flex flex-col gap-3" data-testid="directory-skeleton">
      <span className="sr-only">Loading the directory…</span>
      <SkeletonBar className="h-4 w-64 max-w-full" />
      <SkeletonBar className="h-9 w-full" />
      <div className="rounded border border-slate-200">
        <GroupRowSkeleton />
        <GroupRowSkeleton />
        <GroupRowSkeleton />
      </div>
    </div>
  );
}
