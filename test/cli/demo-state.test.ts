/**
 * The demo's state on disk: the per-port note that names a demo running from another directory,
 * and taking back what a run wrote in `.metrics-adapter-demo/` when it ends before it is ready.
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { announcePort, DemoStateDir, demoOnPort, portNoteFile } from '../../src/cli/demo-state.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';

const exists = (p: string): Promise<boolean> =>
  stat(p).then(
    () => true,
    () => false,
  );

describe('demo port notes', () => {
  let tmp: TempDir;
  before(async () => {
    tmp = await makeTempDir('demo-notes');
  });
  after(() => tmp.remove());

  it('name the live demo on a port, and are withdrawn by it', async () => {
    // The parent process stands for another live demo (this process's own note is never "another").
    const note = { pid: process.ppid, port: 6443, url: 'https://127.0.0.1:6443', dir: '/home/u/first' };
    const withdraw = await announcePort(note, tmp.path);
    assert.deepEqual(demoOnPort(6443, tmp.path), note);
    assert.equal(demoOnPort(6444, tmp.path), undefined);
    withdraw();
    assert.equal(await exists(portNoteFile(6443, tmp.path)), false);
    assert.equal(demoOnPort(6443, tmp.path), undefined);
  });

  it('ignore a dead pid, this process and a torn file', async () => {
    const dead = 2 ** 22 + 12_345; // above Linux's pid_max
    await announcePort({ pid: dead, port: 7001, url: 'u', dir: 'd' }, tmp.path);
    assert.equal(demoOnPort(7001, tmp.path), undefined);
    await announcePort({ pid: process.pid, port: 7002, url: 'u', dir: 'd' }, tmp.path);
    assert.equal(demoOnPort(7002, tmp.path), undefined);
    await writeFile(portNoteFile(7003, tmp.path), '{"pid":');
    assert.equal(demoOnPort(7003, tmp.path), undefined);
  });

  it('a withdraw leaves a note that another demo wrote since', async () => {
    const withdraw = await announcePort({ pid: process.ppid, port: 7004, url: 'u', dir: 'a' }, tmp.path);
    await announcePort({ pid: process.pid, port: 7004, url: 'u', dir: 'b' }, tmp.path);
    withdraw();
    assert.equal(await exists(portNoteFile(7004, tmp.path)), true);
  });
});

describe('DemoStateDir.removeWrittenSync', () => {
  let tmp: TempDir;
  before(async () => {
    tmp = await makeTempDir('demo-state');
  });
  after(() => tmp.remove());

  const lock = { pid: process.pid, port: 1, url: 'https://127.0.0.1:1' };

  it('removes a directory this run made, with its files and lock', async () => {
    const state = new DemoStateDir(join(tmp.path, 'made', '.metrics-adapter-demo'));
    assert.equal(await state.claim(lock, '127.0.0.1'), undefined);
    await state.writeFile('kubeconfig', 'x', 0o600);
    await state.writeFile('client-ca.crt', 'y', 0o644);
    state.removeWrittenSync();
    assert.equal(await exists(state.path), false);
  });

  it('in a directory that was there, removes only what it wrote', async () => {
    const path = join(tmp.path, 'there', '.metrics-adapter-demo');
    await mkdir(path, { recursive: true });
    await writeFile(join(path, 'notes.txt'), 'mine');
    const state = new DemoStateDir(path);
    assert.equal(await state.claim(lock, '127.0.0.1'), undefined);
    await state.writeFile('kubeconfig', 'x', 0o600);
    state.removeWrittenSync();
    state.releaseSync();
    assert.deepEqual(await readdir(path), ['notes.txt']);
  });

  it('does nothing without the lock', async () => {
    const path = join(tmp.path, 'unlocked', '.metrics-adapter-demo');
    const state = new DemoStateDir(path);
    await state.writeFile('kubeconfig', 'x', 0o600);
    state.removeWrittenSync();
    assert.deepEqual(await readdir(path), ['kubeconfig']);
  });
});
