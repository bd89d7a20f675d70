// JSON-lines logger (docs/architecture.md §6.3): one object per line with ts, level, msg and the
// context fields a reader filters on (controller, namespace, name, reconcileID).
// `console` format renders the same record for a person at a terminal.

export type Level = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'json' | 'console';
export type Fields = Record<string, unknown>;

export type Logger = {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  child(fields: Fields): Logger;
};

export const levels: readonly Level[] = ['debug', 'info', 'warn', 'error'];
const rank: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export type LoggerOptions = {
  level?: Level;
  format?: LogFormat;
  write?: (line: string) => void;
  now?: () => Date;
};

export function createLogger(options: LoggerOptions = {}, base: Fields = {}): Logger {
  const min = rank[options.level ?? 'info'];
  const format = options.format ?? 'json';
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const now = options.now ?? (() => new Date());

  const emit = (level: Level, msg: string, fields?: Fields): void => {
    if (rank[level] < min) return;
    const record = { ts: now().toISOString(), level, msg, ...base, ...fields };
    write(format === 'json' ? JSON.stringify(record, errorReplacer) : renderConsole(record));
  };

  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    child: (fields) => createLogger(options, { ...base, ...fields }),
  };
}

/** Errors serialise to their message (and a cause chain) instead of `{}`. */
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const out: Fields = { message: value.message };
    if (value.cause !== undefined) out.cause = value.cause;
    return out;
  }
  return value;
}

function renderConsole(record: Fields): string {
  const { ts, level, msg, ...rest } = record;
  const extra = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v, errorReplacer)}`)
    .join(' ');
  return `${String(ts)} ${String(level).toUpperCase().padEnd(5)} ${String(msg)}${extra ? ' ' + extra : ''}`;
}
