import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { canConnect, freePort, Peer } from './peer.ts';

const run = promisify(execFile);

/**
 * OpenSSH's sshd (Debian `openssh-server`) on a loopback high port with its
 * own host key and one client key, so a test can hold a real `ssh -R`
 * tunnel open from this machine to itself. Nothing leaves 127.0.0.1.
 */
export interface RunningSshd {
  port: number;
  /** The client's private key for `ssh -i`. */
  clientKey: string;
  peer: Peer;
  /** Starts `ssh -N -R <spec>` to this sshd with the given extra options; stopped with `stop()`. */
  tunnel(spec: string, extra?: string[]): Promise<Peer>;
  stop(): Promise<void>;
}

export async function startSshd(options: { dir: string }): Promise<RunningSshd> {
  const { dir } = options;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // sshd refuses to start without its privilege-separation folder.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 }).catch(() => undefined);
  const hostKey = join(dir, 'host_ed25519');
  const clientKey = join(dir, 'client_ed25519');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', clientKey]);
  await run('cp', [`${clientKey}.pub`, join(dir, 'authorized_keys')]);
  const port = await freePort();
  const config = join(dir, 'sshd_config');
  await writeFile(config, `# written by the clawbar tests
Port ${port}
ListenAddress 127.0.0.1
HostKey ${hostKey}
PidFile ${join(dir, 'sshd.pid')}
AuthorizedKeysFile ${join(dir, 'authorized_keys')}
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowTcpForwarding yes
GatewayPorts no
`);
  const peer = new Peer({ name: 'sshd', command: '/usr/sbin/sshd', args: ['-D', '-e', '-f', config], cwd: dir });
  await peer.start();
  await peer.ready(() => canConnect(port), 10_000);
  const tunnels: Peer[] = [];
  return {
    port, clientKey, peer,
    async tunnel(spec, extra = []) {
      const user = process.env.USER ?? 'root';
      const ssh = new Peer({
        name: 'ssh-tunnel', command: 'ssh',
        args: ['-N', '-R', spec, '-p', String(port), '-i', clientKey, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', `UserKnownHostsFile=${join(dir, 'known_hosts')}`, ...extra, `${user}@127.0.0.1`],
      });
      await ssh.start();
      tunnels.push(ssh);
      return ssh;
    },
    async stop() {
      for (const t of tunnels) await t.stop();
      await peer.stop();
    },
  };
}
