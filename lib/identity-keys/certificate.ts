import "server-only";
import { createHash, webcrypto, X509Certificate } from "node:crypto";
import * as x509 from "@peculiar/x509";

/**
 * A connection's own certificate credential: an RSA-2048 key pair made here and a self-signed X.509 certificate
 * over its public key, which the admin uploads under "Certificates & secrets". Entra accepts self-signed
 * certificates for client credentials and takes the validity from the certificate itself
 * (https://learn.microsoft.com/en-us/entra/identity-platform/howto-create-self-signed-certificate). node:crypto
 * reads certificates but cannot write one, so @peculiar/x509 builds it on WebCrypto (docs/adr/0009).
 */
export interface GeneratedCertificate {
  certificatePem: string;
  /** PKCS#8 PEM. Sealed at once by the caller; never logged, shown or returned from an action. */
  privateKeyPem: string;
  /** Upper-case hex, as the portal shows it. */
  thumbprint: string;
  thumbprintSha256: string;
  notBefore: Date;
  notAfter: Date;
}

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;
const DAY = 86_400_000;

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "");
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

export async function generateCertificate(commonName: string, validDays: number, now = Date.now()): Promise<GeneratedCertificate> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ["sign", "verify"])) as CryptoKeyPair;
  const notBefore = new Date(Math.floor((now - 5 * 60_000) / 1000) * 1000); // a little back: clocks differ
  const notAfter = new Date(Math.floor((now + validDays * DAY) / 1000) * 1000);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString("hex").replace(/^[89a-f]/, "1"),
    name: `CN=${commonName.replace(/[,=+<>#;\\"]/g, " ")}`,
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
    ],
  });
  const privateKeyPem = pem("PRIVATE KEY", await webcrypto.subtle.exportKey("pkcs8", keys.privateKey));
  const certificatePem = cert.toString("pem").replace(/\r\n/g, "\n") + "\n";
  return { certificatePem, privateKeyPem, ...certificateFacts(certificatePem) };
}

/** Thumbprints and validity of a PEM certificate, read with node:crypto. */
export function certificateFacts(certificatePem: string): Pick<GeneratedCertificate, "thumbprint" | "thumbprintSha256" | "notBefore" | "notAfter"> {
  const c = new X509Certificate(certificatePem);
  return {
    thumbprint: createHash("sha1").update(c.raw).digest("hex").toUpperCase(),
    thumbprintSha256: createHash("sha256").update(c.raw).digest("hex").toUpperCase(),
    notBefore: new Date(c.validFrom),
    notAfter: new Date(c.validTo),
  };
}

/** The certificate as a .cer file: base64 DER, which the portal's upload accepts as it does .pem and .crt. */
export function certificateAsCer(certificatePem: string): Buffer {
  return Buffer.from(new X509Certificate(certificatePem).raw);
}
