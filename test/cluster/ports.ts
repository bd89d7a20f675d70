// Free TCP ports on 127.0.0.1 that two control planes on one machine will not both pick.
// "Listen on :0, read the port, close" alone is racy (kudobuilder/kudo#510); envtest adds a
// file-lock cache (controller-runtime pkg/internal/testing/addr). Same idea here: a lock file
// per port holding the owner's pid, taken with O_EXCL, stale when that pid is gone.
import { createServer } from 'node:net';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const PORT_LOCK_DIR = path.join(os.tmpdir(), 'cosmos-operator-test-ports');
// Below Linux's default ephemeral range (32768-60999), so outgoing connections never hold them.
const LOW = 20000;
const HIGH = 32000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryLock(port: number, owner: number): boolean {
  const file = path.join(PORT_LOCK_DIR, `${port}.lock`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(owner));
      closeSync(fd);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(readFileSync(file, 'utf8').trim());
      if (holder && alive(holder)) return false;
      rmSync(file, { force: true }); // stale: its owner died without cleaning up
    }
  }
  return false;
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** Reserves `count` distinct ports for process `owner` (default: this process). */
export async function reservePorts(count: number, owner = process.pid): Promise<number[]> {
  mkdirSync(PORT_LOCK_DIR, { recursive: true });
  const ports: number[] = [];
  for (let tries = 0; ports.length < count; tries++) {
    if (tries > 2000) throw new Error(`could not find ${count} free ports in ${LOW}-${HIGH}`);
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (ports.includes(port) || !tryLock(port, owner)) continue;
    if (await bindable(port)) ports.push(port);
    else releasePorts([port]);
  }
  return ports;
}

export function releasePorts(ports: number[]): void {
  for (const p of ports) rmSync(path.join(PORT_LOCK_DIR, `${p}.lock`), { force: true });
}
