import { runSynthCommand } from './command.ts';

process.exitCode = await runSynthCommand(process.argv.slice(2));
