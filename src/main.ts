import 'reflect-metadata';
import { runServerUntilSignal } from './cli/start-command.js';

await runServerUntilSignal();
