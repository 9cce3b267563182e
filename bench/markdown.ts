/**
 * What the benchmark reports share: the machine they ran on, Markdown tables, and replacing a
 * generated block between two markers in docs/benchmarks.md (formatted like the repository).
 */
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import * as prettier from 'prettier';

export interface MachineInfo {
  nproc: number;
  cpu: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  prometheus: string;
}

export function machineInfo(prometheusVersion: string): MachineInfo {
  return {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: os.totalmem() / 2 ** 30,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    prometheus: prometheusVersion,
  };
}

export function table(header: string[], rows: string[][], align: ('l' | 'r')[]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  const sep = `|${align.map((a) => (a === 'r' ? '---:' : ':---')).join('|')}|`;
  return [line(header), sep, ...rows.map(line)].join('\n');
}

/**
 * Puts `generated` (which starts with `begin` and ends with `end`) in place of the block between
 * those markers in `file`; where the file or the block is missing, writes `fallback(existing)`.
 */
export async function replaceGenerated(
  file: string,
  markers: { begin: string; end: string },
  generated: string,
  fallback: (existing: string | undefined) => string,
): Promise<void> {
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  const begin = existing?.indexOf(markers.begin) ?? -1;
  const end = existing?.indexOf(markers.end) ?? -1;
  const text =
    existing !== undefined && begin >= 0 && end > begin
      ? existing.slice(0, begin) + generated + existing.slice(end + markers.end.length)
      : fallback(existing);
  // Formatted like the rest of the repository (`npm run format`), so re-runs keep it tidy.
  const config = (await prettier.resolveConfig(file)) ?? {};
  await writeFile(file, await prettier.format(text, { ...config, filepath: file }));
}
