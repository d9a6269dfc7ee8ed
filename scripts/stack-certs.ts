// `npm run stack:certs`: the local CA the app trusts (.stack/ca/ca.pem, SMTP_TLS_CA_FILE in
// .env.local) and a certificate signed by it for docker-compose's mail catcher.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DEFAULT_LEAF_HOSTS, loadOrCreateLocalCa } from '../stack/tls/local-ca.ts';

const root = resolve(process.argv[2] ?? '.stack');
const ca = await loadOrCreateLocalCa(join(root, 'ca'));
const leaf = ca.issue([...DEFAULT_LEAF_HOSTS]);
const out = join(root, 'compose-tls');
await mkdir(out, { recursive: true });
await writeFile(join(out, 'smtp.pem'), leaf.certPem);
await writeFile(join(out, 'smtp-key.pem'), leaf.keyPem);
// Mailpit runs as a non-root user inside its container and must read the key.
await chmod(join(out, 'smtp-key.pem'), 0o644);
console.log(`CA: ${ca.caFile}\nmail catcher certificate: ${out}/smtp.pem (${DEFAULT_LEAF_HOSTS.join(', ')})`);
