import { readFileSync } from 'node:fs';
import { createSecureContext, type TlsOptions } from 'node:tls';

/**
 * TLS for the frontend, the HTTP API and the UI (`--tls-cert-path`, `--tls-key-path`, `--tls-ca-path`): each of the
 * certificate, its key and the CA that signs client certificates given as a PEM file path or as the PEM itself.
 */
export interface ServerTlsOptions {
  /** The server's certificate chain (PEM): `certPath` reads it from a file. */
  cert?: string | Buffer;
  certPath?: string;
  /** The certificate's private key (PEM). */
  key?: string | Buffer;
  keyPath?: string;
  /** CA certificates (PEM) that sign client certificates: given, the listeners refuse clients without one (mTLS). */
  ca?: string | Buffer;
  caPath?: string;
}

/** The files read and checked: what every listener's TLS server is made from. */
export interface ServerTls {
  cert: Buffer;
  key: Buffer;
  ca: Buffer | undefined;
  /** Whether clients must present a certificate signed by `ca`. */
  mutual: boolean;
}

/** A TLS configuration the server cannot start with: a missing or unreadable file, a key that is not the certificate's. */
export class TlsConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TlsConfigError';
  }
}

/** Reads the files and checks they make a TLS server, so a mistake stops start-up with its reason, not the first handshake. */
export function loadServerTls(options: ServerTlsOptions): ServerTls {
  const cert = pem('certificate', 'cert', options.cert, options.certPath);
  const key = pem('private key', 'key', options.key, options.keyPath);
  const ca = pem('CA certificate', 'ca', options.ca, options.caPath);
  if (!cert || !key) {
    throw new TlsConfigError(
      cert
        ? 'TLS needs the private key of the certificate (--tls-key-path)'
        : key
          ? 'TLS needs the certificate of the key (--tls-cert-path)'
          : 'TLS needs a certificate and its key (--tls-cert-path, --tls-key-path)',
    );
  }
  try {
    createSecureContext({ cert, key, ca });
  } catch (err) {
    throw new TlsConfigError(describeContextError(err));
  }
  return { cert, key, ca, mutual: ca !== undefined };
}

/**
 * The options of a node TLS server (http2 or https) for these files. With a CA, a client must present a certificate it
 * signs or the handshake fails, before any request is read (Temporal's `requireClientAuth`).
 */
export function tlsServerOptions(tls: ServerTls, alpnProtocols: string[]): TlsOptions {
  return {
    cert: tls.cert,
    key: tls.key,
    ...(tls.ca ? { ca: tls.ca } : {}),
    requestCert: tls.mutual,
    rejectUnauthorized: tls.mutual,
    ALPNProtocols: alpnProtocols,
    minVersion: 'TLSv1.2',
  };
}

function pem(what: string, option: string, value: string | Buffer | undefined, path: string | undefined): Buffer | undefined {
  if (value !== undefined && path !== undefined) throw new TlsConfigError(`give the TLS ${what} as ${option} or ${option}Path, not both`);
  if (value !== undefined) return Buffer.from(value);
  if (path === undefined) return undefined;
  let text: Buffer;
  try {
    text = readFileSync(path);
  } catch (err) {
    const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a folder' : String(err);
    throw new TlsConfigError(`cannot read the TLS ${what} ${path}: ${reason}`);
  }
  if (!text.includes('-----BEGIN ')) throw new TlsConfigError(`the TLS ${what} ${path} is not a PEM file`);
  return text;
}

function describeContextError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/key values mismatch/i.test(message)) return 'the TLS private key does not belong to the certificate (--tls-key-path, --tls-cert-path)';
  return `invalid TLS certificate, key or CA: ${message}`;
}
