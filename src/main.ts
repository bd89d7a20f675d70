#!/usr/bin/env node
// cosmos-operator: one program, several roles chosen by the first argument.
// Wiring only; each role lives in its own module.
import { formatFlagHelp, parseBindAddress, parseFlags } from './cli/flags.ts';
import { createLogger, type Level, type LogFormat } from './log.ts';
import { managerFlags } from './manager-flags.ts';
import { startManager } from './manager.ts';
import { version } from './version.ts';

const commands = {
  manager: 'Run the operator: reconcilers (on the leader), health and metrics endpoints (default).',
  version: 'Print the version and exit.',
} as const;

const usage = `cosmos-operator ${version}: runs Cosmos SDK (CometBFT) chain nodes on Kubernetes.

Usage:
  cosmos-operator [command] [flags]

Commands:
${Object.entries(commands).map(([name, text]) => `  ${name.padEnd(10)}${text}`).join('\n')}

Flags of manager:
${formatFlagHelp(managerFlags)}
`;

async function main(argv: string[]): Promise<number> {
  const first = argv[0];
  const command = first !== undefined && !first.startsWith('-') ? first : 'manager';
  const rest = command === first ? argv.slice(1) : argv;

  switch (command) {
    case 'version':
      process.stdout.write(`${version}\n`);
      return 0;
    case 'manager':
      return runManagerCommand(rest);
    case 'help':
      process.stdout.write(usage);
      return 0;
    default:
      process.stderr.write(`unknown command "${command}"\n\n${usage}`);
      return 2;
  }
}

async function runManagerCommand(argv: string[]): Promise<number> {
  const parsed = parseFlags(managerFlags, argv);
  if (!parsed.ok) {
    process.stderr.write(`${parsed.error}\n\nRun cosmos-operator --help for the flags.\n`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(usage);
    return 0;
  }
  const v = parsed.values;
  const metricsAddress = parseBindAddress(String(v['metrics-bind-address']));
  const healthAddress = parseBindAddress(String(v['health-probe-bind-address']));
  for (const [flag, addr] of [['metrics-bind-address', metricsAddress], ['health-probe-bind-address', healthAddress]] as const) {
    if (typeof addr === 'object' && 'error' in addr) {
      process.stderr.write(`invalid --${flag}: ${addr.error}\n`);
      return 2;
    }
  }
  const log = createLogger({ level: v['log-level'] as Level, format: v['log-format'] as LogFormat });
  log.info('starting cosmos-operator', { version, runtime: runtimeName(), pid: process.pid });

  const manager = await startManager({
    metricsAddress: metricsAddress as Exclude<typeof metricsAddress, { error: string }>,
    healthAddress: healthAddress as Exclude<typeof healthAddress, { error: string }>,
    leaderElect: Boolean(v['leader-elect']),
    leaderElectionId: String(v['leader-election-id']),
    leaderElectionNamespace: String(v['leader-election-namespace']),
    kubeconfig: String(v['kubeconfig']),
    log,
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void manager.stop(signal));
  }
  return manager.done;
}

function runtimeName(): string {
  const deno = (globalThis as { Deno?: { version: { deno: string } } }).Deno;
  return deno ? `deno ${deno.version.deno}` : `node ${process.versions.node}`;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`cosmos-operator: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
