package io.dsmigrate.job.fleet;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.notify.Notice;
import io.dsmigrate.job.notify.Notifier;
import io.dsmigrate.job.plan.PlannedDataset;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.spec.DatasetSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a fleet execution tells the owners and consumers of its datasets, through its {@link
 * Notifier}: a dataset taken (STARTING), and each outcome the run records (SUCCEEDED with CUT_OVER,
 * FAILED, ROLLED_BACK). Queued, never waited for; nothing in a dry run.
 */
final class FleetNotices {
  private final Notifier notifier;
  private final String runId;
  private final String planId;
  private final Map<String, DatasetSpec> specs = new HashMap<>();

  FleetNotices(Notifier notifier, String runId, String planId, List<PlannedDataset> datasets) {
    this.notifier = requireNonNull(notifier, "notifier is null");
    this.runId = requireNonNull(runId, "runId is null");
    this.planId = planId;
    datasets.forEach(dataset -> specs.put(dataset.spec().id(), dataset.spec()));
  }

  /** The run took the dataset and starts (or resumes) migrating it. */
  void starting(DatasetSpec spec) {
    if (notifier.enabled()) {
      notifier.queue(Notice.starting(runId, planId, spec, notifier.reportLink(spec.id())));
    }
  }

  /** The run recorded this outcome of a dataset. */
  void finished(DatasetResult result) {
    if (notifier.enabled()) {
      Notice.outcomes(
              result, specs.get(result.datasetId()), notifier.reportLink(result.datasetId()))
          .forEach(notifier::queue);
    }
  }

  /**
   * A dataset skipped because an earlier execution of this same run finished it: its outcome's
   * notices are queued again, so that those the earlier execution could not send (it was killed, or
   * the webhook was down) are sent now; those it sent are skipped by their keys.
   */
  void finishedEarlier(DatasetResult previous) {
    if (previous != null && previous.runId().equals(runId)) {
      finished(previous);
    }
  }
}
