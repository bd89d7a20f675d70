// `cosmos-operator certs`: writes a CA and a webhook serving certificate for the modes without
// cert-manager (operator outside the cluster, local runs). Keeps an existing CA so the
// caBundle already in the webhook configurations stays valid across runs.
import { X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type CertificateAuthority,
  classifyHosts,
  createCertificateAuthority,
  issueServingCertificate,
  loadCertificateAuthority,
  serviceHostnames,
} from '../../certs/issue.ts';
import { type FlagSpec, formatFlagHelp, parseFlags } from './flags.ts';

export const DEFAULT_CERT_DIR = '/tmp/k8s-webhook-server/serving-certs';

const certsFlags: readonly FlagSpec[] = [
  { name: 'dir', type: 'string', default: DEFAULT_CERT_DIR, help: 'Where to write the files.' },
  {
    name: 'service-name',
    type: 'string',
    default: 'cosmos-operator-webhook-service',
    help: 'Name of the webhook Service.',
  },
  { name: 'namespace', type: 'string', default: 'cosmos-operator-system', help: 'Namespace of the webhook Service.' },
  {
    name: 'host',
    type: 'strings',
    default: [],
    help: 'An extra DNS name or IP address for the certificate (localhost and 127.0.0.1 are always included).',
  },
  {
    name: 'days',
    type: 'string',
    default: '365',
    help: 'Validity of the serving certificate in days, 1 to 3650 (the CA gets 3650).',
  },
];

const USAGE = `Usage: cosmos-operator certs [flags]

Creates a CA and a webhook serving certificate signed by it, and writes ca.crt, ca.key,
tls.crt and tls.key into DIR. An existing CA in DIR is kept, so a caBundle taken from an
earlier run stays valid. Prints the CA bundle, base64-encoded, for the webhook
configurations' clientConfig.caBundle.

Flags:
${formatFlagHelp(certsFlags)}
  -h, --help  Show this help.
`;

type Output = { out: (text: string) => void; err: (text: string) => void };

const stdio: Output = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** Runs the command; returns the exit code (0 ok, 1 failure, 2 usage). */
export async function runCertsCommand(argv: string[], io: Output = stdio): Promise<number> {
  const parsed = parseFlags(certsFlags, argv);
  if (!parsed.ok || parsed.positionals.length > 0) {
    const error = parsed.ok ? `unexpected argument "${parsed.positionals[0]}"` : parsed.error;
    io.err(`certs: ${error}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.help) {
    io.out(USAGE);
    return 0;
  }
  const values = {
    dir: String(parsed.values['dir']),
    service: String(parsed.values['service-name']),
    namespace: String(parsed.values['namespace']),
    hosts: parsed.values['host'] as string[],
    days: String(parsed.values['days']),
  };
  const days = Number(values.days);
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    io.err(`certs: --days must be a whole number from 1 to 3650, got "${values.days}"\n`);
    return 2;
  }
  const { service, namespace } = values;
  if (!isDnsLabel(service) || !isDnsLabel(namespace)) {
    io.err('certs: --service-name and --namespace must be DNS labels (lower case letters, digits, "-")\n');
    return 2;
  }

  try {
    const dir = values.dir;
    await mkdir(dir, { recursive: true });
    const { ca, created } = await loadOrCreateCa(dir, io);
    const { dnsNames, ipAddresses } = classifyHosts([
      ...serviceHostnames(service, namespace),
      'localhost',
      '127.0.0.1',
      ...values.hosts,
    ]);
    const serving = issueServingCertificate(ca, {
      commonName: `${service}.${namespace}.svc`,
      dnsNames,
      ipAddresses,
      validDays: days,
    });
    if (created) {
      await writeAtomically(join(dir, 'ca.key'), ca.keyPem, 0o600);
      await writeAtomically(join(dir, 'ca.crt'), ca.certPem, 0o644);
    }
    // The key first: a watcher that reads between the two renames sees a mismatched pair,
    // rejects it and keeps the old one until the certificate lands too.
    await writeAtomically(join(dir, 'tls.key'), serving.keyPem, 0o600);
    await writeAtomically(join(dir, 'tls.crt'), serving.certPem, 0o644);
    io.err(
      `certs: ${created ? 'created a new CA' : 'kept the existing CA'}; wrote ${join(dir, 'tls.crt')} for ` +
        `${[...dnsNames, ...ipAddresses].join(', ')}, valid ${days} days\n`,
    );
    io.out(`${Buffer.from(ca.certPem).toString('base64')}\n`);
    return 0;
  } catch (error) {
    io.err(`certs: ${(error as Error).message}\n`);
    return 1;
  }
}

function isDnsLabel(text: string): boolean {
  return /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(text);
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The CA in `dir` if it is usable for at least another 30 days, else a new one. A ca.crt
 * without its ca.key is an error rather than a silent new CA: the old caBundle would stop working.
 */
async function loadOrCreateCa(dir: string, io: Output): Promise<{ ca: CertificateAuthority; created: boolean }> {
  const certPem = await readIfPresent(join(dir, 'ca.crt'));
  const keyPem = await readIfPresent(join(dir, 'ca.key'));
  if (certPem === undefined && keyPem === undefined) return { ca: createCertificateAuthority(), created: true };
  if (certPem === undefined || keyPem === undefined) {
    throw new Error(
      `${
        join(dir, certPem === undefined ? 'ca.crt' : 'ca.key')
      } is missing; remove the other CA file to create a new CA`,
    );
  }
  const ca = loadCertificateAuthority(certPem, keyPem);
  const renewBefore = Date.now() + 30 * 24 * 60 * 60 * 1000;
  if (new Date(new X509Certificate(certPem).validTo).getTime() < renewBefore) {
    io.err('certs: the existing CA expires within 30 days; created a new one (update the caBundle)\n');
    return { ca: createCertificateAuthority(), created: true };
  }
  return { ca, created: false };
}

/** Write to a temporary file and rename it over the target, so readers never see half a file. */
async function writeAtomically(path: string, content: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, content, { mode });
  await chmod(tmp, mode); // the umask may have narrowed or the file pre-existed
  await rename(tmp, path);
}
