package io.dsmigrate.job.ledger;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * Who holds a lease: a run, in one process on one machine.
 *
 * <p>{@code machine} tells processes apart that share a host name but not a process table (a
 * container, a reboot): it is the host name, the kernel's boot id and the process namespace, where
 * the system tells them. A lease of a process on this very machine that is gone (its pid ended, or
 * now names a process started at another time) is free at once; any other lease is free only when
 * it expires.
 *
 * @param runId the run that holds the lease
 * @param host the host name, for people
 * @param machine the host, boot and process namespace, to decide whether {@code pid} can be looked
 *     up here
 * @param pid the process id
 * @param processStart when the process started (epoch millis, 0 when unknown), so that a reused pid
 *     is not taken for the owner
 */
public record LeaseOwner(String runId, String host, String machine, long pid, long processStart) {
  private static final String HOST = hostName();
  private static final String MACHINE = HOST + "/" + bootId() + "/" + processNamespace();

  public LeaseOwner {
    requireNonNull(runId, "runId is null");
    requireNonNull(host, "host is null");
    requireNonNull(machine, "machine is null");
  }

  /** This process, working for {@code runId}. */
  public static LeaseOwner current(String runId) {
    ProcessHandle self = ProcessHandle.current();
    return new LeaseOwner(runId, HOST, MACHINE, self.pid(), startOf(self));
  }

  /** Whether this owner is a process of this machine that no longer runs. */
  public boolean goneFromThisMachine() {
    if (!machine.equals(MACHINE)) {
      return false;
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    if (process.isEmpty() || !process.get().isAlive()) {
      return true;
    }
    long started = startOf(process.get());
    return processStart != 0 && started != 0 && started != processStart;
  }

  /** The same run in the same process. */
  public boolean sameAs(LeaseOwner other) {
    return other != null
        && runId.equals(other.runId)
        && machine.equals(other.machine)
        && pid == other.pid
        && processStart == other.processStart;
  }

  /** "run X on host H (pid P)". */
  public String describe() {
    return "run " + runId + " on " + host + " (pid " + pid + ")";
  }

  private static long startOf(ProcessHandle process) {
    return process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      String fromEnvironment = System.getenv("HOSTNAME");
      return fromEnvironment != null ? fromEnvironment : "unknown-host";
    }
  }

  private static String bootId() {
    try {
      return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
    } catch (IOException | RuntimeException e) {
      return "-";
    }
  }

  private static String processNamespace() {
    try {
      return Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
    } catch (IOException | RuntimeException e) {
      return "-";
    }
  }
}
