import { execFile } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  rabbitmq: string;
  postgres: string;
  redis: string;
}

let cached: Promise<MachineInfo> | undefined;

/** The machine and service versions a result was measured on; unknown parts say so. */
export function machineInfo(): Promise<MachineInfo> {
  cached ??= collect();
  return cached;
}

async function collect(): Promise<MachineInfo> {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    rabbitmq: await firstLine('rabbitmqctl', ['version']),
    postgres: await firstLine('psql', ['--version']),
    redis: await firstLine('redis-server', ['--version']),
  };
}

async function firstLine(command: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(command, args, { timeout: 15_000 });
    return stdout.trim().split('\n')[0] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
