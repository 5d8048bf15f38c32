/**
 * A real SMTP server in this process (the `smtp-server` package), keeping every message it receives, parsed.
 * Tests and E2E fixtures read what Roster sent from it; `npm run dev` starts one beside the sandbox so the
 * demo's emails can be read with no setup. It listens on port 0 and reports the port the kernel gave it, so two
 * catchers never race for a port. Local use only: it accepts any sender and recipient, without authentication.
 */
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface CaughtMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  receivedAt: Date;
}

export interface MailCatcher {
  /** smtp://127.0.0.1:<port>, for SMTP_URL. */
  url: string;
  port: number;
  messages: CaughtMail[];
  /** Called with each message once it is stored (before the sender hears 250). */
  onMessage(listener: (mail: CaughtMail) => void): void;
  /**
   * While set, every recipient is refused with this SMTP reply code (e.g. 451: try again later; 550: refused for
   * good), so tests can see how Roster treats a server that is up but will not take the message. null accepts.
   */
  refuseWith: number | null;
  close(): Promise<void>;
}

export async function startMailCatcher(host = "127.0.0.1"): Promise<MailCatcher> {
  const messages: CaughtMail[] = [];
  const listeners: ((mail: CaughtMail) => void)[] = [];
  const catcher: MailCatcher = {
    url: "",
    port: 0,
    messages,
    onMessage: (listener) => void listeners.push(listener),
    refuseWith: null,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    // Plain SMTP on loopback: no certificate to trust, and nodemailer does not try STARTTLS when it is not offered.
    disabledCommands: ["STARTTLS", "AUTH"],
    authOptional: true,
    logger: false,
    onRcptTo(_address, _session, callback) {
      if (catcher.refuseWith === null) return callback();
      const refusal = Object.assign(new Error(catcher.refuseWith >= 500 ? "Mailbox unavailable" : "Try again later"), { responseCode: catcher.refuseWith });
      callback(refusal);
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          // The envelope is who the message was really sent to (Bcc included); the headers can say anything.
          const mail: CaughtMail = {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: parsed.subject ?? "",
            text: parsed.text ?? "",
            receivedAt: new Date(),
          };
          messages.push(mail);
          for (const listener of listeners) listener(mail);
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve((server.server.address() as { port: number }).port));
  });
  catcher.url = `smtp://${host}:${port}`;
  catcher.port = port;
  return catcher;
}
