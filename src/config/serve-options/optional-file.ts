/**
 * A file flag is checked for readability when the options are built, so a wrong path stops the
 * start with one line naming the flag rather than failing later inside a connection.
 */
import { accessSync, constants } from 'node:fs';
import { FlagError, stringFlag, type FlagValues } from '../flags.js';

export function optionalFile(values: FlagValues, name: string): string | undefined {
  const path = stringFlag(values, name);
  if (path === '') return undefined;
  try {
    accessSync(path, constants.R_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new FlagError(`--${name}`, `--${name}: cannot read "${path}" (${code})`);
  }
  return path;
}
