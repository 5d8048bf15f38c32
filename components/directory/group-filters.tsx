"use client";
import { kindLabel, stateLabel } from "@/lib/dialog/labels";
import { groupKinds, syncStates, type GroupKind, type SyncState } from "@/lib/dialog/types";

export interface GroupFilterValues {
  search: string;
  kind: GroupKind | "";
  state: SyncState | "";
}

const field = "rounded border border-slate-300 bg-white px-2 py-1.5 text-sm";

/** Search by name or mail, filter by kind and by state. */
export function GroupFilters({
  value,
  onChange,
  searchRef,
}: {
  value: GroupFilterValues;
  onChange(next: GroupFilterValues): void;
  searchRef?: React.Ref<HTMLInputElement>;
}) {
  return (
    <div role="search" className="flex flex-col gap-2 sm:flex-row sm:items-end">
      <div className="flex min-w-0 flex-1 flex-col text-sm font-medium">
        <label htmlFor="directory-group-search">Search groups</label>
        <input
          id="directory-group-search"
          ref={searchRef}
          type="search"
          className={field}
          placeholder="Name or mail"
          value={value.search}
          onChange={(e) => onChange({ ...value, search: e.target.value })}
        />
      </div>
      <div className="flex gap-2">
        <div className="flex flex-1 flex-col text-sm font-medium">
          <label htmlFor="directory-group-kind">Kind</label>
          <select id="directory-group-kind" className={field} value={value.kind} onChange={(e) => onChange({ ...value, kind: e.target.value as GroupKind | "" })}>
            <option value="">All kinds</option>
            {groupKinds.map((k) => (
              <option key={k} value={k}>
                {kindLabel[k]}
              </option>
            ))}
          </select>
        </div>
        <div className="flex flex-1 flex-col text-sm font-medium">
          <label htmlFor="directory-group-state">State</label>
          <select id="directory-group-state" className={field} value={value.state} onChange={(e) => onChange({ ...value, state: e.target.value as SyncState | "" })}>
            <option value="">All states</option>
            {syncStates.map((s) => (
              <option key={s} value={s}>
                {stateLabel[s]}
              </option>
            ))}
          </select>
        </div>
      </div>
    </div>
  );
}
