// `npm run stack:keys -- rotate | deactivate ID | activate ID | remove ID | list`: rotates the
// app user's access keys of a running `dev:stack` through its console API.
export interface KeysCliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  fetch?: typeof fetch;
}

export const KEYS_USAGE = `Usage: npm run stack:keys -- <command> [--console URL]
  list              the app user's access keys
  rotate            create a second key for the app user (prints it once)
  deactivate ID     requests signed with ID get InvalidAccessKeyId
  activate ID       make ID active again
  remove ID         delete ID
The console URL defaults to STACK_CONSOLE_URL, else http://127.0.0.1:<STACK_CONSOLE_PORT or 8025>.
`;

interface KeyRow {
  accessKeyId: string;
  active: boolean;
}

export async function runStackKeys(
  argv: string[],
  env: Record<string, string | undefined>,
  io: KeysCliIo,
): Promise<number> {
  const args = [...argv];
  let base = env.STACK_CONSOLE_URL ?? `http://127.0.0.1:${env.STACK_CONSOLE_PORT ?? '8025'}`;
  const flag = args.indexOf('--console');
  if (flag >= 0) {
    const v = args[flag + 1];
    if (!v) {
      io.stderr(`--console needs a URL\n${KEYS_USAGE}`);
      return 2;
    }
    base = v;
    args.splice(flag, 2);
  }
  const [command, id] = args;
  const call = (method: string, path: string) =>
    (io.fetch ?? fetch)(new URL(path, base), { method, signal: AbortSignal.timeout(10_000) });
  let request: [string, string];
  switch (command) {
    case 'list':
      request = ['GET', '/api/stack/keys'];
      break;
    case 'rotate':
      request = ['POST', '/api/stack/keys/rotate'];
      break;
    case 'deactivate':
    case 'activate':
    case 'remove':
      if (!id) {
        io.stderr(`${command} needs an access key id\n${KEYS_USAGE}`);
        return 2;
      }
      request =
        command === 'remove'
          ? ['DELETE', `/api/stack/keys/${encodeURIComponent(id)}`]
          : ['POST', `/api/stack/keys/${encodeURIComponent(id)}/${command}`];
      break;
    default:
      io.stderr(KEYS_USAGE);
      return 2;
  }
  let res: Response;
  try {
    res = await call(...request);
  } catch (err) {
    io.stderr(
      `Cannot reach the stack's console at ${base} (${(err as Error).message}): is \`npm run dev:stack\` running?\n`,
    );
    return 1;
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    const e = (body.error ?? body) as { code?: string; message?: string };
    io.stderr(`${e.code ?? res.status}: ${e.message ?? res.statusText}\n`);
    return 1;
  }
  if (command === 'list') {
    for (const k of (body.keys as KeyRow[]) ?? [])
      io.stdout(`${k.accessKeyId}  ${k.active ? 'Active' : 'Inactive'}\n`);
  } else if (command === 'rotate') {
    io.stdout(
      `New key for the app user (the secret is shown once):\nAWS_ACCESS_KEY_ID=${String(body.accessKeyId)}\nAWS_SECRET_ACCESS_KEY=${String(body.secretAccessKey)}\n` +
        'Put them in the app env, restart the app, then: npm run stack:keys -- deactivate <old key id>\n',
    );
  } else {
    io.stdout(
      `${id}: ${command === 'remove' ? 'removed' : command === 'activate' ? 'active' : 'inactive'}\n`,
    );
  }
  return 0;
}
