// Kubeconfig files and in-cluster service-account credentials, read into the one connection the
// operator uses (the current context). Our own reader instead of client-node's KubeConfig, whose
// package loads its whole generated API on import (about 80 MB resident; docs/architecture.md §6.2).
// Fields follow client-go's clientcmd/api/v1 (kubectl's file format); relative paths are
// relative to the file that names them, as clientcmd resolves them.
import { existsSync, readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { dirname, isAbsolute, join } from 'node:path';
import { load } from 'js-yaml';

/** PEM text given inline (decoded from the file's base64 `-data` field) or a file read when used. */
export type PemSource = { data: string } | { file: string };

/** client.authentication.k8s.io exec credential plugin (kubectl's `users[].user.exec`). */
export type ExecConfig = {
  apiVersion: string;
  command: string;
  args: string[];
  env: Array<{ name: string; value: string }>;
};

/** Everything needed to reach and authenticate to one API server. */
export type KubeConfig = {
  /** The API server URL without a trailing slash, e.g. `https://127.0.0.1:6443`. */
  server: string;
  /** The context it came from (`inCluster` for service-account credentials). */
  context: string;
  namespace?: string;
  ca?: PemSource;
  clientCertificate?: PemSource;
  clientKey?: PemSource;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
  token?: string;
  /** Read again every minute, so rotated (projected) tokens keep working. */
  tokenFile?: string;
  exec?: ExecConfig;
  basicAuth?: { username: string; password: string };
  /** `users[].user.as`: the Impersonate-User header. */
  impersonate?: string;
  /** `clusters[].cluster.proxy-url`: an http:// or https:// proxy every connection is tunnelled through (HTTP CONNECT). */
  proxyUrl?: string;
};

const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

type Named<T> = { name: string; value: T };
/** A kubeconfig file's entries, kept raw until the current context picks its cluster and user. */
export type KubeConfigFile = {
  currentContext: string;
  clusters: Array<Named<Record<string, unknown>>>;
  users: Array<Named<Record<string, unknown>>>;
  contexts: Array<Named<Record<string, unknown>>>;
};

/** Parses a kubeconfig's text; `dir` is the directory relative paths in it are relative to. */
export function parseKubeConfigFile(text: string, dir: string, source = 'kubeconfig'): KubeConfigFile {
  const doc = (load(text) ?? {}) as Record<string, unknown>;
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new Error(`${source}: not a kubeconfig (expected a mapping)`);
  }
  const entries = (list: string, inner: string, paths: string[]) => {
    const raw = doc[list] ?? [];
    if (!Array.isArray(raw)) throw new Error(`${source}: ${list} is not a list`);
    return raw.map((e: unknown, i) => {
      const entry = e as { name?: unknown; [k: string]: unknown };
      if (typeof entry?.name !== 'string' || !entry.name) throw new Error(`${source}: ${list}[${i}].name is missing`);
      const value = { ...((entry[inner] ?? {}) as Record<string, unknown>) };
      for (const p of paths) {
        if (typeof value[p] === 'string' && value[p] && !isAbsolute(value[p] as string)) {
          value[p] = join(dir, value[p] as string);
        }
      }
      return { name: entry.name, value };
    });
  };
  const users = entries('users', 'user', ['client-certificate', 'client-key', 'tokenFile', 'token-file']);
  // An exec command with a path separator is relative to the kubeconfig; a bare name is looked up in PATH.
  for (const u of users) {
    const exec = u.value.exec as { command?: unknown } | undefined;
    if (exec && typeof exec.command === 'string' && exec.command.includes('/') && !isAbsolute(exec.command)) {
      u.value.exec = { ...exec, command: join(dir, exec.command) };
    }
  }
  return {
    currentContext: typeof doc['current-context'] === 'string' ? doc['current-context'] : '',
    clusters: entries('clusters', 'cluster', ['certificate-authority']),
    users,
    contexts: entries('contexts', 'context', []),
  };
}

export function readKubeConfigFile(file: string): KubeConfigFile {
  return parseKubeConfigFile(readFileSync(file, 'utf8'), dirname(file), file);
}

/** kubectl's merge of $KUBECONFIG's files: the first file to set a name or the current context wins. */
export function mergeKubeConfigFiles(files: KubeConfigFile[]): KubeConfigFile {
  const merged: KubeConfigFile = { currentContext: '', clusters: [], users: [], contexts: [] };
  for (const f of files) {
    merged.currentContext ||= f.currentContext;
    for (const list of ['clusters', 'users', 'contexts'] as const) {
      for (const e of f[list]) if (!merged[list].some((m) => m.name === e.name)) merged[list].push(e);
    }
  }
  return merged;
}

/** The connection of the file's current context (or `context`, if given). */
export function currentConnection(
  file: KubeConfigFile,
  context = file.currentContext,
  source = 'kubeconfig',
): KubeConfig {
  if (!context) throw new Error(`${source}: no current-context`);
  const ctx = file.contexts.find((c) => c.name === context)?.value;
  if (!ctx) throw new Error(`${source}: context "${context}" not found`);
  const cluster = file.clusters.find((c) => c.name === ctx.cluster)?.value;
  if (!cluster) throw new Error(`${source}: cluster "${String(ctx.cluster)}" of context "${context}" not found`);
  const user = (ctx.user === undefined || ctx.user === '' ? {} : file.users.find((u) => u.name === ctx.user)?.value) as
    | Record<string, unknown>
    | undefined;
  if (!user) throw new Error(`${source}: user "${String(ctx.user)}" of context "${context}" not found`);
  const server = str(cluster.server);
  if (!server) throw new Error(`${source}: cluster "${String(ctx.cluster)}" has no server`);
  // Refused rather than ignored: a connection without its proxy or its credentials fails later and less clearly.
  if (user['auth-provider'] !== undefined) {
    const name = str((user['auth-provider'] as { name?: unknown }).name) ?? '?';
    throw new Error(
      `${source}: user "${
        String(ctx.user)
      }": auth-provider "${name}" is not supported by cosmos-operator; use an exec credential plugin (as kubectl does since 1.26), a token or client certificates`,
    );
  }
  const proxyUrl = proxyUrlOf(cluster['proxy-url'], `${source}: cluster "${String(ctx.cluster)}"`);

  const out: KubeConfig = {
    server: server.replace(/\/+$/, ''),
    context,
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
  };
  const namespace = str(ctx.namespace);
  if (namespace) out.namespace = namespace;
  const ca = pem(cluster['certificate-authority-data'], cluster['certificate-authority']);
  if (ca) out.ca = ca;
  const cert = pem(user['client-certificate-data'], user['client-certificate']);
  if (cert) out.clientCertificate = cert;
  const key = pem(user['client-key-data'], user['client-key']);
  if (key) out.clientKey = key;
  const serverName = str(cluster['tls-server-name']);
  if (serverName) out.tlsServerName = serverName;
  const token = str(user.token);
  if (token) out.token = token;
  const tokenFile = str(user.tokenFile) ?? str(user['token-file']);
  if (tokenFile) out.tokenFile = tokenFile;
  if (user.exec !== undefined) out.exec = execConfig(user.exec, source);
  const username = str(user.username);
  if (username) out.basicAuth = { username, password: str(user.password) ?? '' };
  const as = str(user.as);
  if (as) out.impersonate = as;
  if (proxyUrl) out.proxyUrl = proxyUrl;
  return out;
}

/** The pod's service account (client-go's rest.InClusterConfig); `root` prefixes the paths, for tests. */
export function inClusterConnection(env: Record<string, string | undefined>, root = ''): KubeConfig {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    throw new Error('not in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are unset');
  }
  const dir = `${root}${serviceAccountDir}`;
  const out: KubeConfig = {
    server: `https://${isIPv6(host) ? `[${host}]` : host}:${port}`,
    context: 'inCluster',
    ca: { file: `${dir}/ca.crt` },
    insecureSkipTlsVerify: false,
    tokenFile: `${dir}/token`,
  };
  const namespace = existsSync(`${dir}/namespace`) ? readFileSync(`${dir}/namespace`, 'utf8').trim() : '';
  if (namespace) out.namespace = namespace;
  return out;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Inline base64 data wins over a file, as in clientcmd. */
function pem(data: unknown, file: unknown): PemSource | undefined {
  const d = str(data);
  if (d) return { data: Buffer.from(d, 'base64').toString('utf8') };
  const f = str(file);
  return f ? { file: f } : undefined;
}

/**
 * client-go also takes socks5://, but Node's built-in proxy support (rest.ts) speaks only HTTP
 * CONNECT, and given a socks5 URL it silently connects directly.
 */
function proxyUrlOf(raw: unknown, where: string): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string') throw new Error(`${where}: proxy-url is not a string`);
  let scheme: string;
  try {
    scheme = new URL(raw).protocol;
  } catch {
    // Not echoed: the value may carry a password.
    throw new Error(`${where}: proxy-url is not a valid URL`);
  }
  if (scheme !== 'http:' && scheme !== 'https:') {
    throw new Error(
      `${where}: proxy-url scheme "${
        scheme.slice(0, -1)
      }" is not supported by cosmos-operator; use an http:// or https:// (HTTP CONNECT) proxy`,
    );
  }
  return raw;
}

function execConfig(raw: unknown, source: string): ExecConfig {
  const e = raw as { apiVersion?: unknown; command?: unknown; args?: unknown; env?: unknown };
  const command = str(e.command);
  if (!command) throw new Error(`${source}: exec plugin without a command`);
  const args = Array.isArray(e.args) ? e.args.map(String) : [];
  const env = Array.isArray(e.env)
    ? (e.env as Array<{ name?: unknown; value?: unknown }>).map((v) => ({
      name: String(v.name ?? ''),
      value: String(v.value ?? ''),
    }))
    : [];
  return { apiVersion: str(e.apiVersion) ?? 'client.authentication.k8s.io/v1', command, args, env };
}
