import { Badge, type BadgeTone } from "@/components/ui/badge";
import type { SourceRef } from "@/lib/audience/recipients";

const toneByKind: Record<SourceRef["kind"], BadgeTone> = {
  manual: "slate",
  csv: "emerald",
  directory_group: "blue",
  directory_all: "violet",
};

const kindWord: Record<SourceRef["kind"], string> = {
  manual: "Added by hand",
  csv: "CSV import",
  directory_group: "Directory group",
  directory_all: "Entire directory",
};

export function SourceBadge({ source, times = 1 }: { source: SourceRef; times?: number }) {
  const label = times > 1 ? `${source.label} ×${times}` : source.label;
  const title = times > 1 ? `${kindWord[source.kind]}: ${source.label}, in ${times} imports` : `${kindWord[source.kind]}: ${source.label}`;
  return (
    <Badge tone={toneByKind[source.kind]} title={title}>
      <span className="sr-only">{kindWord[source.kind]}: </span>
      {label}
      {times > 1 && <span className="sr-only"> ({times} imports)</span>}
    </Badge>
  );
}

export function sourceKindWord(kind: SourceRef["kind"]): string {
  return kindWord[kind];
}
