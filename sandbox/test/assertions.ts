/**
 * Fixtures for client-assertion tests: JWTs signed with node:crypto, and a federated issuer served over HTTPS
 * with the sandbox's own certificate (trusted through NODE_EXTRA_CA_CERTS, like the sandbox itself), so the
 * sandbox fetches its discovery document and JWKS exactly as Entra fetches an issuer's.
 */
import { createHash, generateKeyPairSync, randomUUID, sign, webcrypto, X509Certificate, type KeyObject } from "node:crypto";
import https from "node:https";
import type { AddressInfo } from "node:net";
import * as x509 from "@peculiar/x509";
import { ensureCertificate } from "../cert";

x509.cryptoProvider.set(webcrypto as unknown as Crypto);
const RSA = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;

/** A self-signed client certificate as an admin would upload one (the sandbox shares no code with the product). */
export async function makeCertificate(commonName: string, validDays: number, now = Date.now()) {
  const keys = (await webcrypto.subtle.generateKey(RSA, true, ["sign", "verify"])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01" + Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString("hex"),
    name: `CN=${commonName}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + validDays * 86_400_000),
    keys,
    signingAlgorithm: RSA,
  });
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey));
  const privateKeyPem = `-----BEGIN PRIVATE KEY-----\n${der.toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "")}\n-----END PRIVATE KEY-----\n`;
  const certificatePem = cert.toString("pem").replace(/\r\n/g, "\n") + "\n";
  const raw = Buffer.from(new X509Certificate(certificatePem).raw);
  return { certificatePem, privateKeyPem, thumbprint: createHash("sha1").update(raw).digest("hex").toUpperCase() };
}

export function signJwt(key: KeyObject, header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const h = Buffer.from(JSON.stringify({ typ: "JWT", alg: "RS256", ...header })).toString("base64url");
  const p = Buffer.from(JSON.stringify(payload)).toString("base64url");
  return `${h}.${p}.${sign("sha256", Buffer.from(`${h}.${p}`), key).toString("base64url")}`;
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A certificate assertion as Learn's certificate-credentials page describes it, with `x5t` (SHA-1) and RS256. */
export function certificateAssertion(key: KeyObject, certDer: Buffer, clientId: string, aud: string, claims: Record<string, unknown> = {}): string {
  const t = nowSeconds();
  return signJwt(
    key,
    { x5t: createHash("sha1").update(certDer).digest("base64url") },
    { aud, iss: clientId, sub: clientId, jti: randomUUID(), nbf: t, iat: t, exp: t + 600, ...claims },
  );
}

export interface Issuer {
  url: string;
  /** Signs a token as this issuer with the key `kid` (the first key by default). */
  token(claims: Record<string, unknown>, kid?: string): string;
  /** Adds a signing key; both are published until one is removed. */
  addKey(kid: string): void;
  removeKey(kid: string): void;
  /** Requests for its documents so far. */
  hits: string[];
  close(): Promise<void>;
}

export async function startIssuer(): Promise<Issuer> {
  const { cert, key } = ensureCertificate();
  const keys = new Map<string, { priv: KeyObject; pub: KeyObject }>();
  const hits: string[] = [];
  let url = "";
  const addKey = (kid: string) => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    keys.set(kid, { priv: privateKey, pub: publicKey });
  };
  addKey("key-1");
  const server = https.createServer({ cert, key }, (req, res) => {
    hits.push(req.url ?? "");
    let body: unknown = null;
    if (req.url === "/.well-known/openid-configuration") body = { issuer: url, jwks_uri: `${url}/jwks`, id_token_signing_alg_values_supported: ["RS256"] };
    else if (req.url === "/jwks") body = { keys: [...keys].map(([kid, k]) => ({ ...k.pub.export({ format: "jwk" }), kid, use: "sig", alg: "RS256" })) };
    res.writeHead(body ? 200 : 404, { "content-type": "application/json" });
    res.end(JSON.stringify(body ?? { error: "not found" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    hits,
    addKey,
    removeKey: (kid) => void keys.delete(kid),
    token(claims, kid = [...keys.keys()][0]) {
      const t = nowSeconds();
      const k = keys.get(kid);
      if (!k) throw new Error(`no key ${kid}`);
      return signJwt(k.priv, { kid }, { iss: url, aud: "api://AzureADTokenExchange", jti: randomUUID(), iat: t, nbf: t, exp: t + 300, ...claims });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
