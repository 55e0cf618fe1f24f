#!/usr/bin/env node
/** `pnpm kiosk --model DIR [--port 8080] [--host 127.0.0.1]`: serves the kiosk page for a model folder. */
import { Command, InvalidArgumentError } from 'commander';
import { runIfEntryPoint } from '@facemask/contracts';
import { startKiosk } from './server.ts';

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`must be a port number 0..65535, got "${v}"`);
  return n;
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command('kiosk')
    .description('serve the kiosk page for an exported model folder on this machine')
    .requiredOption('--model <dir>', 'a model folder written by `pnpm export`')
    .option('--port <n>', 'port to listen on (0: any free one)', port, 8080)
    .option('--host <addr>', 'address to listen on (127.0.0.1: this machine only)', '127.0.0.1')
    .exitOverride();
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    return (err as { exitCode?: number }).exitCode ?? 2;
  }
  const o = program.opts<{ model: string; port: number; host: string }>();
  try {
    const k = await startKiosk(o);
    console.log(`kiosk: ${k.url} (model ${o.model}); Ctrl-C stops it`);
    await new Promise<void>((done) => process.once('SIGINT', () => void k.close().then(done)));
    return 0;
  } catch (err) {
    console.error(`kiosk: ${(err as Error).message}`);
    return 1;
  }
}

runIfEntryPoint(import.meta.url, main);
