// What each request to the API server carries from a KubeConfig: TLS material and the
// Authorization header. Files (CA, client certificate and key, token file) are read again when a
// minute old, so rotated ones are picked up, as client-go's cached token source does for
// in-cluster tokens; an exec plugin runs again once its credential has expired.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { ExecConfig, KubeConfig, PemSource } from './kubeconfig.ts';

/** Options for https.request (and its Agent's socket pool key). */
export type RequestCredentials = {
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized?: boolean;
  servername?: string;
  headers: Record<string, string>;
};

export type Credentials = { forRequest(): Promise<RequestCredentials> };

/** An ExecCredential's status, as the plugin printed it. */
export type ExecStatus = {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  expirationTimestamp?: string;
};

export type CredentialOptions = {
  now?: () => number;
  /** Runs an exec plugin and returns its stdout; tests replace it. */
  runExec?: (exec: ExecConfig) => Promise<string>;
};

const rereadAfterMs = 60_000;

export function createCredentials(kc: KubeConfig, opts: CredentialOptions = {}): Credentials {
  const now = opts.now ?? Date.now;
  const runExec = opts.runExec ?? runExecPlugin;
  const files = new Map<string, { text: string; readAt: number }>();
  const read = (file: string) => {
    const cached = files.get(file);
    if (cached && now() - cached.readAt < rereadAfterMs) return cached.text;
    const text = readFileSync(file, 'utf8');
    files.set(file, { text, readAt: now() });
    return text;
  };
  const pem = (s: PemSource | undefined) => (s === undefined ? undefined : 'data' in s ? s.data : read(s.file));

  let execStatus: { status: ExecStatus; expiresAt: number } | undefined;
  let execRunning: Promise<ExecStatus> | undefined;
  const execCredential = async (exec: ExecConfig): Promise<ExecStatus> => {
    if (execStatus && now() < execStatus.expiresAt) return execStatus.status;
    // Concurrent requests share one run of the plugin.
    execRunning ??= runExec(exec)
      .then((stdout) => {
        const status = parseExecCredential(stdout, exec.command);
        const expiresAt = status.expirationTimestamp ? Date.parse(status.expirationTimestamp) : Infinity;
        execStatus = { status, expiresAt };
        return status;
      })
      .finally(() => (execRunning = undefined));
    return execRunning;
  };

  return {
    async forRequest() {
      const out: RequestCredentials = { headers: {} };
      const ca = pem(kc.ca);
      if (ca !== undefined) out.ca = ca;
      const cert = pem(kc.clientCertificate);
      const key = pem(kc.clientKey);
      if (cert !== undefined) out.cert = cert;
      if (key !== undefined) out.key = key;
      if (kc.insecureSkipTlsVerify) out.rejectUnauthorized = false;
      if (kc.tlsServerName) out.servername = kc.tlsServerName;
      if (kc.basicAuth) {
        out.headers.Authorization = `Basic ${
          Buffer.from(`${kc.basicAuth.username}:${kc.basicAuth.password}`).toString('base64')
        }`;
      }
      // client-go's order: a token (inline, else from its file) wins over a plugin's.
      const token = kc.token ?? (kc.tokenFile ? read(kc.tokenFile).trim() : undefined);
      if (kc.exec) {
        const status = await execCredential(kc.exec);
        if (status.clientCertificateData && status.clientKeyData) {
          out.cert = status.clientCertificateData;
          out.key = status.clientKeyData;
        }
        if (status.token && !token) out.headers.Authorization = `Bearer ${status.token}`;
      }
      if (token) out.headers.Authorization = `Bearer ${token}`;
      if (kc.impersonate) out.headers['Impersonate-User'] = kc.impersonate;
      return out;
    },
  };
}

export function parseExecCredential(stdout: string, command: string): ExecStatus {
  let parsed: { kind?: unknown; status?: ExecStatus };
  try {
    parsed = JSON.parse(stdout) as typeof parsed;
  } catch {
    throw new Error(`exec plugin ${command}: output is not an ExecCredential (not JSON)`);
  }
  if (parsed.kind !== 'ExecCredential' || typeof parsed.status !== 'object' || parsed.status === null) {
    throw new Error(`exec plugin ${command}: output is not an ExecCredential with a status`);
  }
  return parsed.status;
}

/** Runs the plugin as client-go does: non-interactive, told so through KUBERNETES_EXEC_INFO. */
function runExecPlugin(exec: ExecConfig): Promise<string> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const { name, value } of exec.env) env[name] = value;
  env.KUBERNETES_EXEC_INFO = JSON.stringify({
    apiVersion: exec.apiVersion,
    kind: 'ExecCredential',
    spec: { interactive: false },
  });
  return new Promise((resolve, reject) => {
    execFile(exec.command, exec.args, { env, timeout: 60_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) {
        reject(
          new Error(
            `exec plugin ${exec.command}: ${err.message}${stderr ? `: ${String(stderr).trim().slice(0, 500)}` : ''}`,
          ),
        );
      } else resolve(String(stdout));
    });
  });
}
