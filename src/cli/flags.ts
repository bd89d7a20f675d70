// Go-style (pflag) command-line flags: `--name=value`, `--name value`, `--bool`, `--bool=false`.
// The manager's flags keep controller-runtime's names, so manifests written for the Go
// operator (`--leader-elect`, `--metrics-bind-address=127.0.0.1:8080`) work unchanged.

export type FlagSpec =
  | { name: string; type: 'string'; default: string; help: string; choices?: readonly string[] }
  | { name: string; type: 'bool'; default: boolean; help: string }
  /** A string flag that may be given several times; its value is every one, in order. */
  | { name: string; type: 'strings'; default: readonly string[]; help: string };

export type FlagValues = Record<string, string | boolean | string[]>;

export type ParsedFlags =
  | { ok: true; values: FlagValues; help: boolean; positionals: string[] }
  | { ok: false; error: string };

export function parseFlags(specs: readonly FlagSpec[], argv: readonly string[]): ParsedFlags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values: FlagValues = Object.fromEntries(
    specs.map((s) => [s.name, s.type === 'strings' ? [...s.default] : s.default]),
  );
  const positionals: string[] = [];
  let help = false;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    const spec = byName.get(name);
    if (!spec) return { ok: false, error: `unknown flag: --${name}` };

    if (spec.type === 'bool') {
      if (inline === undefined) values[name] = true;
      else if (inline === 'true' || inline === '1') values[name] = true;
      else if (inline === 'false' || inline === '0') values[name] = false;
      else return { ok: false, error: `invalid value "${inline}" for --${name}: must be true or false` };
      continue;
    }

    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined) return { ok: false, error: `flag needs an argument: --${name}` };
      value = next;
      i++;
    }
    if (spec.type === 'strings') {
      (values[name] as string[]).push(value);
      continue;
    }
    if (spec.choices && !spec.choices.includes(value)) {
      return {
        ok: false,
        error: `invalid value "${value}" for --${name}: must be one of ${spec.choices.join(', ')}`,
      };
    }
    values[name] = value;
  }
  return { ok: true, values, help, positionals };
}

export function formatFlagHelp(specs: readonly FlagSpec[]): string {
  const rows = specs.map((s) => {
    const head = s.type === 'bool' ? `--${s.name}` : `--${s.name} string`;
    const def = s.type === 'bool'
      ? (s.default ? ' (default true)' : '')
      : s.type === 'strings'
      ? ' (repeatable)'
      : s.default
      ? ` (default "${s.default}")`
      : '';
    return [head, s.help + def] as const;
  });
  const width = Math.max(...rows.map(([h]) => h.length)) + 2;
  return rows.map(([h, text]) => `  ${h.padEnd(width)}${text}`).join('\n');
}

/** A Go listen address (`:8080`, `127.0.0.1:8080`, `[::1]:8080`); "0" disables the server. */
export type BindAddress = { host: string; port: number } | 'disabled';

export function parseBindAddress(text: string): BindAddress | { error: string } {
  if (text === '0') return 'disabled';
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  if (!m) return { error: `"${text}" is not a listen address: use host:port, :port, or 0 to disable` };
  const port = Number(m[3]);
  if (port > 65535) return { error: `"${text}": port ${port} is above 65535` };
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}
