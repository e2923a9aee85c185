import { createRequire } from 'node:module';
import type { SFTPWrapper } from 'ssh2';

/** ssh2's own window top-up (lib/Channel.js), the one its stream channels call when read again. */
const { windowAdjust } = createRequire(import.meta.url)('ssh2/lib/Channel.js') as {
  windowAdjust(channel: unknown): void;
};

/** The parts of ssh2's server-side SFTP channel that flow control reaches (ssh2 1.x internals). */
interface FlowChannel {
  push(data: Buffer | null): unknown;
  _waitChanDrain?: boolean;
}

/**
 * SSH-level backpressure on one SFTP channel. ssh2 parses every packet as it arrives and grants the
 * client more window at once, so a client could pipeline WRITE requests without bound, each one's
 * data held in memory until its disk write ends. Past `max` writes in flight, the channel's
 * `push` answers false: ssh2's server then grants no more window (as for its stream channels)
 * and the client must wait; once the writes drain to half of `max`, the window is granted again.
 * What can still arrive meanwhile is bounded by the window already granted (2 MiB in ssh2), so the
 * data held stays under `max` packets (256 KiB at most each) plus one window.
 */
export class SftpFlowControl {
  private inFlight = 0;
  private bytes = 0;
  private readonly channel: FlowChannel | undefined;

  constructor(
    sftp: SFTPWrapper,
    private readonly max: number,
  ) {
    const channel = sftp as unknown as FlowChannel;
    // Without the internals this relies on (another ssh2), writes go unthrottled as before.
    if (typeof channel.push !== 'function' || typeof windowAdjust !== 'function') return;
    this.channel = channel;
    const push = channel.push.bind(channel);
    channel.push = (data) => {
      push(data);
      return data === null || this.inFlight < this.max;
    };
  }

  /** Writes started and not yet finished on this channel. */
  get writesInFlight(): number {
    return this.inFlight;
  }

  /** The data those writes hold in memory. */
  get bytesInFlight(): number {
    return this.bytes;
  }

  started(bytes: number): void {
    this.inFlight += 1;
    this.bytes += bytes;
  }

  finished(bytes: number): void {
    this.inFlight -= 1;
    this.bytes -= bytes;
    const channel = this.channel;
    if (channel?._waitChanDrain && this.inFlight <= this.max / 2) {
      channel._waitChanDrain = false;
      windowAdjust(channel);
    }
  }
}
