#!/usr/bin/env node
// cosmos-operator: one program, several roles chosen by the first argument.
// Wiring only; each role lives in its own module.
import { formatFlagHelp, parseFlags } from './cli/flags.ts';
import { preferSmallHeap } from './cli/heap-mode.ts';
import { createLogger } from './log/log.ts';
import { managerFlags, managerOptionsFromFlags } from './cli/manager-flags.ts';
import { startManager } from './cli/manager.ts';
import { createFullNodeController } from './reconcile/fullnode/controller.ts';
import { commit, operatorVersion, versionLine } from './cli/version.ts';
import v8 from 'node:v8';
import { runCertsCommand } from './cli/certs-command.ts';
import { runHealthcheckCommand } from './cli/healthcheck-command.ts';

const commands = {
  manager:
    'Run the operator: CosmosFullNode reconciler (on the leader), admission webhooks, health and metrics (default).',
  certs: 'Create a CA and a webhook serving certificate (for running without cert-manager); see certs --help.',
  healthcheck:
    "Serve a chain pod's healthcheck sidecar API on :1251 (CometBFT sync state, disk usage); see healthcheck --help.",
  version: 'Print the version and the commit it was built from, and exit (also --version).',
} as const;

const usage = () =>
  `cosmos-operator ${operatorVersion()}: runs Cosmos SDK (CometBFT) chain nodes on Kubernetes.

Usage:
  cosmos-operator [command] [flags]

Commands:
${Object.entries(commands).map(([name, text]) => `  ${name.padEnd(13)}${text}`).join('\n')}

Flags of manager:
${formatFlagHelp(managerFlags)}
`;

async function main(argv: string[]): Promise<number> {
  const first = argv[0];
  const command = first !== undefined && !first.startsWith('-') ? first : 'manager';
  const rest = command === first ? argv.slice(1) : argv;

  if (first === '--version') {
    process.stdout.write(`${versionLine()}\n`);
    return 0;
  }
  switch (command) {
    case 'version':
      process.stdout.write(`${versionLine()}\n`);
      return 0;
    case 'manager':
      return runManagerCommand(rest);
    case 'certs':
      return runCertsCommand(rest);
    case 'healthcheck':
      return runHealthcheckCommand(rest);
    case 'help':
      process.stdout.write(usage());
      return 0;
    default:
      process.stderr.write(`unknown command "${command}"\n\n${usage()}`);
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
    process.stdout.write(usage());
    return 0;
  }
  const options = managerOptionsFromFlags(parsed.values);
  if ('error' in options) {
    process.stderr.write(`${options.error}\n`);
    return 2;
  }
  const log = createLogger({ level: options.logLevel, format: options.logFormat });
  const memorySaver = preferSmallHeap();
  log.info('starting cosmos-operator', {
    version: operatorVersion(),
    commit,
    runtime: runtimeName(),
    pid: process.pid,
    memorySaver,
  });

  let manager;
  try {
    manager = await startManager({ ...options, log }, ({ kube, registry, log }) => [
      createFullNodeController({
        kube,
        registry,
        log,
        ...(options.watchNamespace ? { namespace: options.watchNamespace } : {}),
      }),
    ]);
  } catch (err) {
    log.error('cannot start', { error: err });
    return 1;
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void manager.stop(signal));
  }
  return manager.done;
}

function runtimeName(): string {
  const deno = (globalThis as { Deno?: { version: { deno: string } } }).Deno;
  return deno ? `deno ${deno.version.deno}` : `node ${process.versions.node}`;
}

function run(): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`cosmos-operator: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}

// Built into a startup snapshot (tools/build.ts --snapshot), this module is evaluated on the build
// machine and the command runs when the binary starts; everywhere else it runs now.
if (v8.startupSnapshot?.isBuildingSnapshot()) v8.startupSnapshot.setDeserializeMainFunction(run);
else run();
