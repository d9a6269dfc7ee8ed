import { createPrivateKey, randomUUID, X509Certificate } from 'node:crypto';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CaMaterial, createCaCertificate, createLeafCertificate } from './x509.ts';

export interface IssuedCert {
  certPem: string;
  keyPem: string;
}

export interface LocalCa {
  caCertPem: string;
  /** Path of the CA PEM on disk when persisted (dir/ca.pem), else undefined. */
  caFile?: string;
  /** Leaf cert for these DNS names / IP addresses (SANs), signed by the CA, valid ~825 days, serverAuth EKU. */
  issue(hosts: string[]): IssuedCert;
}

/** The names a client on this machine uses to reach the stack's TLS listeners. */
export const DEFAULT_LEAF_HOSTS: readonly string[] = Object.freeze(['localhost', '127.0.0.1', '::1']);

/** 825 days is the longest leaf lifetime Apple platforms (and so most clients) accept. */
export const LEAF_VALIDITY_DAYS = 825;
/** @default 3650 — the CA outlives many leaves; it is local and throwaway. */
export const CA_VALIDITY_DAYS = 3650;

const CA_CERT_FILE = 'ca.pem';
const CA_KEY_FILE = 'ca-key.pem';
/** How long a loader waits for a concurrent creator to finish writing ca.pem after ca-key.pem appeared. */
const CONCURRENT_CREATE_WAIT_MS = 5_000;

function toLocalCa(material: CaMaterial, caFile: string | undefined): LocalCa {
  return {
    caCertPem: material.certPem,
    caFile,
    issue: (hosts) => createLeafCertificate(material, hosts, LEAF_VALIDITY_DAYS),
  };
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function assertPair(material: CaMaterial, dir: string): void {
  const cert = new X509Certificate(material.certPem);
  if (!cert.ca)
    throw new Error(`${join(dir, CA_CERT_FILE)} is not a CA certificate; delete ${dir} to recreate it`);
  if (!cert.checkPrivateKey(createPrivateKey(material.keyPem))) {
    throw new Error(
      `${join(dir, CA_KEY_FILE)} does not match ${join(dir, CA_CERT_FILE)}; delete ${dir} to recreate both`,
    );
  }
}

async function waitForCert(certFile: string): Promise<string> {
  const deadline = Date.now() + CONCURRENT_CREATE_WAIT_MS;
  for (;;) {
    const pem = await readIfExists(certFile);
    if (pem !== undefined) return pem;
    if (Date.now() > deadline) {
      throw new Error(
        `${certFile} is missing although its key exists (waited ${CONCURRENT_CREATE_WAIT_MS} ms for a concurrent creator); delete the directory to recreate the CA`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function loadOrCreateOnDisk(dir: string): Promise<LocalCa> {
  const certFile = join(dir, CA_CERT_FILE);
  const keyFile = join(dir, CA_KEY_FILE);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const existingKey = await readIfExists(keyFile);
  if (existingKey !== undefined) {
    const material = { certPem: await waitForCert(certFile), keyPem: existingKey };
    assertPair(material, dir);
    return toLocalCa(material, certFile);
  }
  const created = createCaCertificate('FocusMate Local Development CA', CA_VALIDITY_DAYS);
  const suffix = `${randomUUID()}.tmp`;
  const keyTmp = join(dir, `${CA_KEY_FILE}.${suffix}`);
  const certTmp = join(dir, `${CA_CERT_FILE}.${suffix}`);
  try {
    await writeFile(keyTmp, created.keyPem, { mode: 0o600 });
    await writeFile(certTmp, created.certPem, { mode: 0o644 });
    try {
      // link() fails when the target exists: exactly one of several concurrent creators wins.
      await link(keyTmp, keyFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return loadOrCreateOnDisk(dir);
    }
    await rename(certTmp, certFile);
    return toLocalCa(created, certFile);
  } finally {
    await rm(keyTmp, { force: true });
    await rm(certTmp, { force: true });
  }
}

/**
 * dir given: load dir/ca.pem + dir/ca-key.pem if present, else create them (key file mode 0600) and keep
 * them — created once, reused across restarts. No dir: in-memory CA.
 */
export async function loadOrCreateLocalCa(dir?: string): Promise<LocalCa> {
  if (dir === undefined)
    return toLocalCa(createCaCertificate('FocusMate Ephemeral CA', CA_VALIDITY_DAYS), undefined);
  return loadOrCreateOnDisk(dir);
}
