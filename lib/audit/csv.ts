import { csvCell } from "@/lib/audience/change-log";
import { describeDetails, type AuditRow } from "./list";

export function auditCsv(rows: AuditRow[]): string {
  const lines = ["at,organization,actor,action,target_type,target_id,details"];
  for (const r of rows) {
    lines.push([r.createdAt.toISOString(), r.organizationName, r.actor, r.action, r.targetType, r.targetId, describeDetails(r.details)].map(csvCell).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}
