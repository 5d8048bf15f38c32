import { currentActor } from "@/lib/auth/session";
import { describeSecretExpiry } from "@/lib/connections/secret-expiry";
import { secretExpiryAlerts } from "@/lib/connections/queries";
import { getDb } from "@/lib/db";
import { SecretExpiryBannerList } from "./secret-expiry-banner-list";

/**
 * On every admin page: connections whose client secret expires within 14 days or has expired. An expired
 * secret stops every sync silently otherwise (peers' most common support thread).
 */
export async function SecretExpiryBanner() {
  const db = await getDb();
  const alerts = await secretExpiryAlerts(db, await currentActor(db));
  if (alerts.length === 0) return null;
  const items = alerts.map((a) => ({
    id: a.id,
    // Connection names default to "Microsoft Entra ID", so the app's ID (as Azure shows it) says which one.
    name: `${a.name} (app ${a.clientId.slice(0, 8)}…)`,
    text: describeSecretExpiry(a.secretExpiresOn, a.expiry),
  }));
  return <SecretExpiryBannerList items={items} />;
}
