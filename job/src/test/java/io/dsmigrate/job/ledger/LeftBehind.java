package io.dsmigrate.job.ledger;

import io.dsmigrate.job.results.DatasetResult;
import java.io.IOException;

/** Ledger entries as a run that was killed leaves them: written by a process that is gone. */
public final class LeftBehind {
  private LeftBehind() {}

  /** An owner of run {@code runId} on this machine whose process has ended. */
  public static LeaseOwner goneOwner(String runId) throws IOException, InterruptedException {
    Process ended = new ProcessBuilder("true").start();
    ended.waitFor();
    LeaseOwner self = LeaseOwner.current(runId);
    return new LeaseOwner(runId, self.host(), self.machine(), ended.pid(), self.processStart());
  }

  /**
   * Writes the entry after {@code head} that {@code owner} left at {@code state} (with {@code
   * result} for an outcome whose results row is pending), holding a lease that has not expired.
   *
   * @return whether it was written (the generation was free)
   */
  public static boolean write(
      Ledger ledger, LedgerEntry head, LeaseOwner owner, LedgerState state, DatasetResult result)
      throws IOException {
    return ledger.write(
        new LedgerEntry(
            head.generation() + 1,
            head.datasetId(),
            state,
            false,
            owner,
            System.currentTimeMillis(),
            System.currentTimeMillis() + 600_000,
            false,
            head.specHash(),
            head.commitTag(),
            head.progress(),
            result,
            null));
  }
}
