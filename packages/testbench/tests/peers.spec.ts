import { readFileSync } from 'fs';
import { createServer } from 'net';
import { freePort, requireTool, startProcess, waitFor, waitForPort } from '../src';

describe('requireTool', () => {
  it('returns the absolute path of a tool on PATH', () => {
    expect(requireTool('openssl', 'openssl')).toMatch(/^\/.*\/openssl$/);
  });

  it('finds daemons in /usr/sbin even when PATH lacks it', () => {
    const path = process.env.PATH;
    process.env.PATH = '/usr/bin:/bin';
    try {
      expect(requireTool('mosquitto', 'mosquitto')).toBe('/usr/sbin/mosquitto');
    } finally {
      process.env.PATH = path;
    }
  });

  it('fails loudly, naming the Debian package, when a tool is missing', () => {
    expect(() => requireTool('ei-gg-no-such-tool', 'ei-gg-tools')).toThrow(
      'ei-gg-no-such-tool not found on PATH: install the Debian package ei-gg-tools (bash tools/test-all.sh does it)',
    );
  });
});

describe('managed processes', () => {
  it('stop() ends the whole process group, grandchildren included', async () => {
    const shell = await startProcess('sh', ['-c', 'sleep 300 & echo $!; wait'], { name: 'sleeper' });
    await waitFor(() => /^\d+\n/.test(shell.output()), 15_000, 'the grandchild pid');
    const grandchild = Number(shell.output().trim());

    const exit = await shell.stop();

    expect(exit.signal).toBe('SIGTERM');
    expect(shell.isRunning()).toBe(false);
    await waitFor(() => !isAlive(grandchild), 15_000, `grandchild ${grandchild} to end`);
  });

  it('reports a command that cannot be started', async () => {
    await expect(startProcess('/nonexistent/ei-gg-tool', [])).rejects.toThrow(
      /^\/nonexistent\/ei-gg-tool could not be started: spawn \/nonexistent\/ei-gg-tool ENOENT/,
    );
  });

  it('waitForPort fails at once with the output of a process that exited', async () => {
    const port = await freePort();
    const failing = await startProcess('sh', ['-c', 'echo cannot bind >&2; exit 3'], { name: 'failing-server' });

    // The exit's own error, not the timeout's ("timed out after 30000 ms waiting for ..."): it did not wait on.
    await expect(waitForPort(port, 30_000, failing)).rejects.toThrow(
      `failing-server exited (code 3) before listening on port ${port}:\ncannot bind`,
    );
  });

  it('waitForPort resolves once the port accepts connections', async () => {
    const port = await freePort();
    const server = createServer((socket) => socket.destroy());
    setTimeout(() => server.listen(port, '127.0.0.1'), 200);
    try {
      await waitForPort(port, 15_000);
    } finally {
      server.close();
    }
  });

  it('waitFor names what it waited for when it times out', async () => {
    await expect(waitFor(() => false, 120, 'the impossible')).rejects.toThrow(
      'timed out after 120 ms waiting for the impossible',
    );
  });
});

// A killed process stays a zombie until reaped; only a live one counts.
function isAlive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
