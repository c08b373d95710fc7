package io.dsmigrate.job.ledger;

/**
 * This run no longer holds a dataset: its lease expired before it could renew it (the driver was
 * stalled, or the ledger unreachable) and another run took the dataset over. That run finishes it;
 * this one must stop touching it and must not undo anything.
 */
public final class LeaseLostException extends RuntimeException {
  public LeaseLostException(String message) {
    super(message);
  }
}
