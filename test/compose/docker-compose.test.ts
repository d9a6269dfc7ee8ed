// No Docker engine runs in CI, so docker-compose.yml is checked structurally: it parses,
// everything it mounts or names exists, and its ports and credentials agree with .env.local
// and the dev stack's defaults.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_PORTS, DEFAULT_ROOT } from '../../stack/config/stack-config.ts';
import { MINIO_IMAGE } from '../../stack/docker/docker-minio.ts';

interface Service {
  image: string;
  env_file?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  entrypoint?: string[];
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const env = parseEnv(readFileSync('.env.local', 'utf8')) as Record<string, string>;
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };

describe('docker-compose.yml', () => {
  it('has MinIO, a one-shot init service that waits for it, and a mail catcher', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['mail', 'minio', 'minio-init']);
    expect(compose.services['minio-init'].depends_on?.minio.condition).toBe('service_healthy');
  });

  it('pins every image (no latest) and uses the same MinIO image as --engine docker', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.image, name).toMatch(/:[^:]+$/);
      expect(service.image, name).not.toMatch(/:latest$/);
    }
    expect(compose.services.minio.image).toBe(MINIO_IMAGE);
  });

  it('publishes only on loopback, on the ports .env.local points the app at', () => {
    const published = Object.values(compose.services).flatMap((s) => s.ports ?? []);
    for (const p of published) expect(p).toMatch(/^127\.0\.0\.1:/);
    const s3Port = new URL(env.AWS_ENDPOINT_URL_S3).port;
    expect(compose.services.minio.ports).toContain(`127.0.0.1:${s3Port}:9000`);
    expect(s3Port).toBe(String(DEFAULT_PORTS.s3));
    expect(compose.services.mail.ports).toContain(`127.0.0.1:${env.SMTP_PORT}:1025`);
    expect(compose.services.mail.ports).toContain(`127.0.0.1:${DEFAULT_PORTS.console}:8025`);
  });

  it("takes the app's credentials from .env.local and the stack's root credentials from its defaults", () => {
    for (const service of Object.values(compose.services)) expect(service.env_file).toEqual(['.env.local']);
    expect(compose.services.minio.environment?.MINIO_ROOT_USER).toBe(DEFAULT_ROOT.accessKeyId);
    expect(compose.services.minio.environment?.MINIO_ROOT_PASSWORD).toBe(DEFAULT_ROOT.secretAccessKey);
    expect(compose.services['minio-init'].environment?.STACK_ROOT_USER).toBe(DEFAULT_ROOT.accessKeyId);
    expect(compose.services['minio-init'].environment?.STACK_ROOT_PASSWORD).toBe(
      DEFAULT_ROOT.secretAccessKey,
    );
    expect(compose.services.mail.entrypoint?.join(' ')).toContain('$${SMTP_USER}:$${SMTP_PASSWORD}');
  });

  it('mounts only paths that exist in the repo, or that npm run stack:certs creates, and named volumes it declares', () => {
    for (const service of Object.values(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0];
        if (source.startsWith('./.stack/')) {
          expect(pkg.scripts['stack:certs']).toBeDefined();
        } else if (source.startsWith('./')) {
          expect(existsSync(source), source).toBe(true);
        } else {
          expect(Object.keys(compose.volumes)).toContain(source);
        }
      }
    }
  });

  it('seeds with a shell script that parses and names only policy files that exist', () => {
    execFileSync('sh', ['-n', 'stack/compose/minio-init.sh']);
    const script = readFileSync('stack/compose/minio-init.sh', 'utf8');
    const named = [...script.matchAll(/\/policies\/([\w-]+\.json)/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThanOrEqual(3);
    for (const file of named) expect(existsSync(`stack/policies/${file}`), file).toBe(true);
  });
});
