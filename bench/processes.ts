/**
 * Every server under test runs in its own child process, so the load generator (this
 * process) and the server never share an event loop. Children are registered here and
 * killed when this process exits for any reason; each child also exits by itself when
 * its IPC channel to us closes, which covers this process being SIGKILLed.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const running = new Set<ChildProcess>();
const exitHooks: Array<() => void> = [];

function killAll(): void {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  running.clear();
}

/** Synchronous work to do on any exit (temporary files), after the children are killed. */
export function onExit(hook: () => void): void {
  exitHooks.push(hook);
}

let installed = false;
/** Kills every child on exit, Ctrl-C, SIGTERM and on a crash of the harness itself. */
export function installCleanup(): void {
  if (installed) return;
  installed = true;
  process.on('exit', () => {
    killAll();
    for (const hook of exitHooks.splice(0)) {
      try {
        hook();
      } catch {
        // Best effort: an exit hook must not hide the real outcome.
      }
    }
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping servers\n`);
      process.exit(130);
    });
  }
  process.on('uncaughtException', (error) => {
    process.stderr.write(`bench: harness failure: ${error.stack ?? error}\n`);
    process.exit(1);
  });
  process.on('unhandledRejection', (error) => {
    process.stderr.write(`bench: harness failure: ${(error as Error)?.stack ?? error}\n`);
    process.exit(1);
  });
}

export interface ServerChild {
  name: string;
  pid: number;
  url: string;
  /** Peak resident memory of the child (VmHWM), bytes. */
  peakRss(): number | undefined;
  /** Current resident memory (VmRSS), bytes. */
  rss(): number | undefined;
  /** CPU time the child used so far (user + system), seconds; 10 ms resolution. */
  cpuSeconds(): number | undefined;
  /** Resets the peak (VmHWM) to the current RSS, so a later peak belongs to what ran since. */
  resetPeakRss(): boolean;
  /** Asks the child to close cleanly (needed for --cpu-prof to write its profile). */
  stop(): Promise<void>;
}

/** The message a server child sends once it listens. */
export interface ReadyMessage {
  ready: true;
  port: number;
}

const READY_TIMEOUT_MS = 120_000;
/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ, 100 on every Linux we run on). */
const CLOCK_TICKS = 100;

/** utime + stime of the process, from /proc/<pid>/stat (fields 14 and 15; the name in parentheses may hold spaces). */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

function statusField(pid: number, field: string): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The Node flags that make a vendcloud child write its CPU profile into `dir` (`--profile DIR`), or none. */
export function cpuProfileArgv(dir: string | undefined): string[] {
  if (!dir) return [];
  mkdirSync(dir, { recursive: true });
  return ['--cpu-prof', '--cpu-prof-dir', dir];
}

/**
 * Starts `bench/servers/<script>.js` as a child with the arguments and waits for it to
 * report its port. `execArgv` passes Node flags such as --cpu-prof.
 */
export function startChild(name: string, script: string, args: string[], execArgv: string[] = []): Promise<ServerChild> {
  const path = fileURLToPath(new URL(`./servers/${script}.js`, import.meta.url));
  const child = fork(path, args, { execArgv, stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
  running.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
    process.stderr.write(chunk);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  exited.then(() => running.delete(child));
  return new Promise<ServerChild>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${READY_TIMEOUT_MS / 1000} s`));
    }, READY_TIMEOUT_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited before it was ready (code ${code}, signal ${signal}): ${stderr.trim()}`));
    });
    child.on('message', (message: ReadyMessage) => {
      if (!message || message.ready !== true) return;
      clearTimeout(timer);
      const pid = child.pid!;
      resolve({
        name,
        pid,
        url: `http://127.0.0.1:${message.port}`,
        peakRss: () => statusField(pid, 'VmHWM'),
        rss: () => statusField(pid, 'VmRSS'),
        cpuSeconds: () => cpuSecondsOf(pid),
        resetPeakRss() {
          try {
            // Writing 5 to clear_refs resets VmHWM (Linux ≥ 4.0).
            writeFileSync(`/proc/${pid}/clear_refs`, '5');
            return true;
          } catch {
            return false;
          }
        },
        async stop() {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.send('stop');
          const timeout = new Promise<void>((done) => setTimeout(done, 15_000).unref());
          await Promise.race([exited, timeout]);
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        },
      });
    });
  });
}

/** For server children: report the port, stop on request, die with the parent. */
export function serveAsChild(port: number, close: () => Promise<void>): void {
  const stop = async () => {
    try {
      await close();
    } finally {
      process.exit(0);
    }
  };
  process.on('message', (message) => {
    if (message === 'stop') void stop();
  });
  // The harness died (even by SIGKILL): nobody will stop us, so go.
  process.on('disconnect', () => process.exit(0));
  process.send?.({ ready: true, port } satisfies ReadyMessage);
}
