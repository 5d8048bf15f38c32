import { SecretExpiryBannerList } from "@/components/connections/secret-expiry-banner-list";
import type { Actor } from "@/lib/auth/actor";
import { describeCredentialExpiry } from "@/lib/connections/secret-expiry";
import { secretExpiryAlerts } from "@/lib/connections/queries";
import { getDb } from "@/lib/db";

/**
 * On every admin page: connections whose client secret or certificate expires within 14 days or has expired. An expired
 * secret stops every sync silently otherwise (peers' most common support thread). The query lives here, in
 * app/, and the banners receive what to say: components never query (docs/design.md, "Which way dependencies
 * point").
 */
export async function SecretExpiryBanner({ actor }: { actor: Actor }) {
  const alerts = await secretExpiryAlerts(await getDb(), actor);
  if (alerts.length === 0) return null;
  const items = alerts.map((a) => ({
    id: a.id,
    // Connection names default to "Microsoft Entra ID", so the app's ID (as Azure shows it) says which one.
    name: `${a.name} (app ${a.clientId.slice(0, 8)}…)`,
    text: describeCredentialExpiry(a.expiry),
    action: a.expiry.kind === "certificate" ? "Renew the certificate" : "Rotate the secret",
  }));
  return <SecretExpiryBannerList items={items} />;
}
