/**
 * `npm run dev`'s mailbox: a real SMTP server in the dev script's process (scripts/mail-catcher.ts) that prints
 * each email's recipients, subject and links, and keeps the whole text in .data/mail/, so a setup link or an
 * alert can be read and followed with no mail account. Development only: the dev script starts it when
 * SMTP_URL is unset.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startMailCatcher } from "./mail-catcher";

export async function startDevMailbox(dataDirectory: string): Promise<{ url: string; folder: string }> {
  const folder = path.join(dataDirectory, "mail");
  mkdirSync(folder, { recursive: true });
  const catcher = await startMailCatcher();
  catcher.onMessage((mail) => {
    const stamp = mail.receivedAt.toISOString().replace(/[:.]/g, "-");
    const file = path.join(folder, `${stamp}.txt`);
    writeFileSync(file, `From: ${mail.from}\nTo: ${mail.to.join(", ")}\nSubject: ${mail.subject}\n\n${mail.text}`);
    const links = mail.text.match(/https?:\/\/\S+/g) ?? [];
    console.log(`[mail] to ${mail.to.join(", ")}: ${mail.subject}${links.map((l) => `\n[mail]   ${l}`).join("")}\n[mail]   (saved in ${file})`);
  });
  return { url: catcher.url, folder };
}
