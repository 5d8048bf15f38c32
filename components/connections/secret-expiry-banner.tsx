import Link from "next/link";
import { Alert } from "@/components/ui/alert";
import { currentActor } from "@/lib/auth/session";
import { describeSecretExpiry } from "@/lib/connections/secret-expiry";
import { secretExpiryAlerts } from "@/lib/connections/queries";
import { getDb } from "@/lib/db";

/**
 * On every admin page: connections whose client secret expires within 14 days or has expired. An expired
 * secret stops every sync silently otherwise (peers' most common support thread).
 */
export async function SecretExpiryBanner() {
  const db = await getDb();
  const alerts = await secretExpiryAlerts(db, await currentActor(db));
  if (alerts.length === 0) return null;
  return (
    <div className="mb-6 space-y-2">
      {alerts.map((a) => (
        <Alert key={a.id} tone="error">
          <span className="font-medium">{a.name}:</span> {describeSecretExpiry(a.secretExpiresOn, a.expiry)}{" "}
          <Link href={`/admin/directory/${a.id}`} className="font-medium underline">
            Rotate the secret
          </Link>
        </Alert>
      ))}
    </div>
  );
}
