"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { Alert } from "@/components/ui/alert";

export interface SecretExpiryBannerItem {
  id: string;
  name: string;
  text: string;
  /** What the link does: rotate the secret, or make the next certificate. */
  action: string;
}

/**
 * The banners themselves. A connection's own page already says the same thing next to “Rotate secret”, so its
 * banner is left out there (two alerts with one message read as two problems).
 */
export function SecretExpiryBannerList({ items }: { items: SecretExpiryBannerItem[] }) {
  const pathname = usePathname();
  const shown = items.filter((item) => pathname !== `/admin/directory/${item.id}`);
  if (shown.length === 0) return null;
  return (
    <div className="mb-6 space-y-2">
      {shown.map((item) => (
        <Alert key={item.id} tone="error">
          <span className="font-medium">{item.name}:</span> {item.text}{" "}
          <Link href={`/admin/directory/${item.id}`} className="font-medium underline">
            {item.action}
          </Link>
        </Alert>
      ))}
    </div>
  );
}
