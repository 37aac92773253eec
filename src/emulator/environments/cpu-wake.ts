/**
 * Keeps this host's CPUs out of deep idle while environments run, through the kernel's PM QoS
 * interface: a 0 µs wake-up latency request on /dev/cpu_dma_latency, in force while the file is
 * open (Documentation/power/pm_qos_interface.rst), the knob latency benchmarks use.
 *
 * Why: a throttled environment pauses once per 20 ms period (about 50 times per second of CPU at
 * 128 MB). When the CPU sleeps through the pause it comes back with cold caches (in a VM, through a
 * halt exit too), and the process spends extra CPU after every pause. Measured here (a Firecracker
 * VM, haltpoll cpuidle): boto3.client("dynamodb") took 82 ms of process CPU throttled at 128 MB
 * against 60 ms at full speed (1.36×); with the request held, 65 against 63 ms (1.03×). Lambda's
 * own 128 ÷ 1792 ratio for that client (10.8×) is below the CPU share's 13.8×, so Lambda charges
 * no such cost: the emulator should not either. docs/cpu-model.md has the measurements.
 *
 * Held only while some environment's processes run (started and not frozen), so an idle emulator
 * lets the CPUs sleep; a host without the device (or without permission) runs as before, and
 * `coldbench calibrate` measures the extra CPU per pause there.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { codeOrMessage } from '../../errors.ts';

const CPU_DMA_LATENCY = '/dev/cpu_dma_latency';
/** The request: no wake-up latency at all, written as the binary int32 the device takes. */
const ZERO_LATENCY_US = Buffer.alloc(4);

interface CpuWakeState {
  /** Whether the request is made while environments run */
  enabled: boolean;
  /** For the emulator's CPU mode line: what is done, or why not */
  reason: string;
}

/** A reference-counted hold on the wake-up latency request: acquire when a process tree starts running, release when it stops. */
export class CpuWakeHold {
  private holders = 0;
  private fd: number | null = null;
  private state: CpuWakeState;

  constructor(
    private readonly device = CPU_DMA_LATENCY,
    state?: CpuWakeState,
  ) {
    this.state = state ?? probe(device);
  }

  /** A hold that never requests anything: hosts without throttling, or COLDBENCH_CPU_WAKE=off. */
  static disabled(reason: string): CpuWakeHold {
    return new CpuWakeHold(CPU_DMA_LATENCY, { enabled: false, reason });
  }

  get enabled(): boolean {
    return this.state.enabled;
  }

  get reason(): string {
    return this.state.reason;
  }

  /** Whether the request is in force now. */
  get held(): boolean {
    return this.fd !== null;
  }

  acquire(): void {
    if (!this.state.enabled) return;
    this.holders++;
    if (this.fd !== null) return;
    try {
      this.fd = openSync(this.device, 'w');
      writeSync(this.fd, ZERO_LATENCY_US);
    } catch (err) {
      // Worked at start-up, fails now (the device went away): run on as a host without it, never fail an invoke.
      this.closeFd();
      this.state = { enabled: false, reason: `${this.device} failed (${codeOrMessage(err)}): CPUs may sleep in throttled pauses` };
    }
  }

  release(): void {
    if (this.holders === 0) return;
    this.holders--;
    if (this.holders === 0) this.closeFd();
  }

  /** Drops the request whatever holds it (the pool is closing). */
  close(): void {
    this.holders = 0;
    this.closeFd();
  }

  private closeFd(): void {
    if (this.fd === null) return;
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    this.fd = null;
  }
}

/** Whether the device takes a request from this process (opened and closed at once: nothing stays in force). */
function probe(device: string): CpuWakeState {
  try {
    closeSync(openSync(device, 'w'));
    return { enabled: true, reason: `CPUs kept out of deep idle while environments run (${device} = 0 µs)` };
  } catch (err) {
    return {
      enabled: false,
      reason: `${device} is not writable (${codeOrMessage(err)}): CPUs may sleep in throttled pauses, which costs extra CPU per pause (calibrate measures it)`,
    };
  }
}
