package io.dsmigrate.job.fleet;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.agent.AgentOutcome;
import io.dsmigrate.job.agent.Agents;
import io.dsmigrate.job.agent.TableRegistration;
import io.dsmigrate.job.fs.Writable;
import io.dsmigrate.job.ledger.Lease;
import io.dsmigrate.job.ledger.LeaseLostException;
import io.dsmigrate.job.ledger.LedgerState;
import io.dsmigrate.job.ledger.MigrationProgress;
import io.dsmigrate.job.migrate.MigrationStep;
import io.dsmigrate.job.migrate.OffLimits;
import io.dsmigrate.job.plan.PlannedDataset;
import io.dsmigrate.job.plan.TableLocations;
import io.dsmigrate.job.plan.TableLookup;
import io.dsmigrate.job.plan.TableMetadata;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.ErrorClass;
import io.dsmigrate.job.results.Failures;
import io.dsmigrate.job.results.Status;
import io.dsmigrate.job.results.ValidationFigures;
import io.dsmigrate.job.rollback.Undo;
import io.dsmigrate.job.security.ReservedLocations;
import io.dsmigrate.job.spec.DatasetSpec;
import io.dsmigrate.job.spec.Names;
import io.dsmigrate.validation.ComparisonResult;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent path of a fleet execution: takes the wave's small datasets under the ledger as every
 * dataset is taken ({@link Admitter}), checks on the driver what the Spark path would check before
 * writing (path rules, dsmigrate's own state, the source's schema, nothing at the target), records
 * the attempt's commit tag and {@code WRITING} in the ledger, and hands the datasets to the {@link
 * Agents} in chunks. As chunks come back it registers the tables, records the outcomes and their
 * rows. A dataset an agent hands back, and one whose written rows differ, goes on on the Spark path
 * with its lease (the differences are then found, reported and undone there, as always); anything
 * in doubt takes the Spark path before anything is written.
 */
final class AgentPath {
  private static final Logger LOG = LoggerFactory.getLogger(AgentPath.class);

  private final ExecutionContext execution;
  private final Admitter admitter;
  private final Agents agents;
  private final TableRegistration registration;

  AgentPath(ExecutionContext execution, Admitter admitter, Agents agents) {
    this.execution = requireNonNull(execution, "execution is null");
    this.admitter = requireNonNull(admitter, "admitter is null");
    this.agents = requireNonNull(agents, "agents is null");
    this.registration = new TableRegistration(execution.spark());
  }

  /**
   * A dataset taken for an agent: its lease, the attempt's tag, what it will have changed, and what
   * its target carries besides its rows.
   */
  private record Pending(
      Admitted admitted, MigrationProgress progress, String tag, TableMetadata metadata) {}

  /**
   * Migrates {@code datasets}; returns how many the agents migrated. The datasets are taken a job
   * at a time, while the agents migrate the previous job's.
   *
   * @param held the outcome of a dataset that must not start (the wave is stopped), or null
   * @param done called on this thread with each dataset's outcome
   * @param sparkPath called with a dataset that goes on on the Spark path, its lease held
   */
  int run(
      List<PlannedDataset> datasets,
      Map<String, DatasetResult> previous,
      Function<PlannedDataset, Finished> held,
      Consumer<Finished> done,
      Consumer<Admitted> sparkPath) {
    Iterator<PlannedDataset> rest = datasets.iterator();
    Map<String, Pending> pending = new LinkedHashMap<>();
    int[] count = {0};
    while (rest.hasNext()) {
      try {
        agents.run(
            most -> take(rest, most, previous, held, done, sparkPath, pending),
            outcomes -> {
              for (AgentOutcome outcome : outcomes) {
                Pending taken = pending.remove(outcome.datasetId());
                if (taken != null && record(taken, outcome, done, sparkPath)) {
                  count[0]++;
                }
              }
            });
      } catch (RuntimeException e) { // a job failed as a whole (e.g. executors lost)
        LOG.warn("Agents failed ({}); their datasets go on on the Spark path", e.getMessage());
      }
      // What no agent reported (its job failed or ran too long): whatever it may have committed
      // is undone, as after a crash, and the dataset starts again on the Spark path.
      for (Pending left : pending.values()) {
        leftOver(left, done, sparkPath);
      }
      pending.clear();
    }
    return count[0];
  }

  /**
   * Takes up to {@code most} of the datasets left for one job of agents: null when none is left;
   * the ones that go to the Spark path instead, or must not start, are handed on at once.
   */
  private List<Agents.Item> take(
      Iterator<PlannedDataset> rest,
      int most,
      Map<String, DatasetResult> previous,
      Function<PlannedDataset, Finished> held,
      Consumer<Finished> done,
      Consumer<Admitted> sparkPath,
      Map<String, Pending> pending) {
    if (!rest.hasNext()) {
      return null;
    }
    List<PlannedDataset> next = new ArrayList<>();
    while (rest.hasNext() && next.size() < most) {
      next.add(rest.next());
    }
    // What the metastore says of these datasets' tables, read in bulk just before they start.
    SparkSession spark = execution.spark();
    Checks checks;
    try {
      checks =
          new Checks(
              TableLookup.prefetched(spark, tableNames(next)),
              OffLimits.reserved(spark, execution.settings().reservedLocations()));
    } catch (RuntimeException e) { // the Spark path checks each dataset, and reports what it finds
      LOG.warn("Cannot read the metastore for the agents: {}", e.getMessage());
      checks = null;
    }
    Checks known = checks;
    List<Agents.Item> items = new ArrayList<>();
    for (PlannedDataset dataset : next) {
      Finished stopped = held.apply(dataset);
      if (stopped != null) {
        done.accept(stopped);
        continue;
      }
      Finished finished =
          admitter.run(
              dataset,
              previous.get(dataset.spec().id()),
              admitted -> {
                Pending taken = known == null ? null : prepare(admitted, known);
                if (taken == null) {
                  sparkPath.accept(admitted);
                } else {
                  pending.put(dataset.spec().id(), taken);
                  items.add(
                      new Agents.Item(
                          taken.admitted().dataset(),
                          taken.progress().targetLocation(),
                          taken.tag(),
                          taken.metadata()));
                }
                return null;
              });
      if (finished != null) {
        done.accept(finished);
      }
    }
    return items;
  }

  /** What one job's datasets are checked against: the metastore and dsmigrate's own locations. */
  private record Checks(TableLookup tables, ReservedLocations reserved) {}

  private static List<String> tableNames(List<PlannedDataset> datasets) {
    List<String> names = new ArrayList<>();
    for (PlannedDataset dataset : datasets) {
      DatasetSpec spec = dataset.spec();
      for (String table : new String[] {spec.source().table(), spec.target().table()}) {
        if (table != null) {
          names.add(table);
        }
      }
    }
    return names;
  }

  /**
   * What the Spark path checks before it writes, done here without a Spark job; null when anything
   * is in doubt (the Spark path then takes the dataset, and reports what it finds).
   */
  private Pending prepare(Admitted admitted, Checks checks) {
    PlannedDataset planned = admitted.dataset();
    DatasetSpec spec = planned.spec();
    Lease lease = admitted.lease();
    SparkSession spark = execution.spark();
    if (lease == null
        || admitted.resumeWritten() != null
        || (admitted.previous() != null && admitted.previous().backupTable() != null)
        || planned.source() == null
        || spec.cutover()) {
      return null;
    }
    try {
      for (String path : new String[] {spec.source().path(), spec.target().path()}) {
        if (path != null
            && (!Names.absolute(path)
                || execution.settings().security().pathRefusal(path) != null)) {
          return null;
        }
      }
      OffLimits.check(spec, checks.reserved(), checks.tables(), spark);
      if (agents.refusal(planned) != null) {
        return null;
      }
      TableMetadata sourceMetadata = TableMetadata.NONE;
      if (planned.source().table() != null) {
        // The source must have the schema it was planned with (else the Spark path reports it).
        String source = Names.table(planned.source().table());
        if (!checks.tables().exists(source)) {
          return null;
        }
        CatalogTable definition = checks.tables().definition(source);
        if (!definition.schema().toDDL().equals(planned.source().schemaDdl())) {
          return null;
        }
        sourceMetadata = TableMetadata.from(definition);
      }
      // A column comment for a column the target lacks is reported by the Spark path; Delta
      // settings may need table features that Kernel does not write.
      TableMetadata metadata =
          sourceMetadata.forTarget(spec, execution.runId(), agents.targetSchema(planned));
      if (metadata.setsDeltaProperties()) {
        return null;
      }
      String targetLocation = TableLocations.target(spark, checks.tables(), spec.target());
      if (spec.target().table() != null
          && checks.tables().exists(Names.table(spec.target().table()))) {
        return null;
      }
      Path target = new Path(targetLocation);
      org.apache.hadoop.fs.FileSystem fs =
          target.getFileSystem(spark.sessionState().newHadoopConf());
      if (fs.exists(target)) {
        return null; // the Spark path proves whose it is
      }
      // The nearest existing ancestor must be a directory this process can write in; else the
      // Spark path reports the target unwritable before anything is read.
      Path existing = target.getParent();
      while (existing != null && !fs.exists(existing)) {
        existing = existing.getParent();
      }
      if (existing == null
          || !fs.getFileStatus(existing).isDirectory()
          || !Writable.directory(fs, existing)) {
        return null;
      }
      String tag = "dsmigrate " + execution.runId() + " " + spec.id() + " " + UUID.randomUUID();
      lease.commitTag(tag);
      MigrationProgress progress =
          new MigrationProgress(
              planned.source(),
              spec.target().table() != null
                  ? Names.table(spec.target().table())
                  : spec.target().path(),
              null,
              targetLocation,
              null,
              false,
              null,
              true);
      begin(lease, MigrationStep.WRITE_TARGET, progress, null);
      return new Pending(admitted, progress, tag, metadata);
    } catch (Exception e) { // anything in doubt: the Spark path finds and reports it
      LOG.debug("{}: takes the Spark path: {}", spec.id(), e.getMessage());
      return null;
    }
  }

  private void leftOver(Pending left, Consumer<Finished> done, Consumer<Admitted> sparkPath) {
    Admitted admitted = left.admitted();
    String id = admitted.dataset().spec().id();
    SparkSession spark = execution.spark();
    try {
      begin(admitted.lease(), MigrationStep.UNDO, left.progress(), "the agents stopped");
      Undo.of(spark, execution.ownership(spark, id, null), null)
          .all(Undo.Changes.of(id, left.progress()));
    } catch (Exception e) { // Spark's AnalysisException is checked but undeclared
      String message =
          "Cannot migrate "
              + id
              + ": the agents stopped, and undoing what they may have written failed: "
              + Failures.firstLine(String.valueOf(e.getMessage()))
              + ". The next run undoes it first";
      admitted.lease().leaveUndoing(left.progress(), message);
      DatasetResult failed =
          row(left, Status.FAILED, null)
              .withOutcome(
                  Status.FAILED,
                  ErrorClass.ROLLBACK_FAILED.name(),
                  message,
                  admitted.started(),
                  FleetRows.now());
      done.accept(Finished.recorded(admitted.lease(), LedgerState.FAILED, left.progress(), failed));
      return;
    }
    sparkPath.accept(admitted);
  }

  /** Records what an agent did; returns whether it migrated the dataset. */
  private boolean record(
      Pending taken, AgentOutcome outcome, Consumer<Finished> done, Consumer<Admitted> sparkPath) {
    Admitted admitted = taken.admitted();
    DatasetSpec spec = admitted.dataset().spec();
    Lease lease = admitted.lease();
    switch (outcome.kind()) {
      case HANDED_BACK -> {
        LOG.info("{}: takes the Spark path: {}", spec.id(), outcome.message());
        // An agent's try that failed in a way that can pass counts as the first attempt, as it
        // would on the Spark path; any other failure is met again, and reported, there.
        boolean counted =
            outcome.failure() != null
                && Failures.classify(outcome.failure(), spec, "migrate").errorClass().retryable();
        sparkPath.accept(
            new Admitted(
                admitted.dataset(),
                admitted.previous(),
                lease,
                null,
                admitted.started(),
                counted ? 1 : 0));
        return false;
      }
      case FAILED -> {
        lease.leaveUndoing(taken.progress(), outcome.message());
        DatasetResult failed =
            row(taken, Status.FAILED, null)
                .withOutcome(
                    Status.FAILED,
                    ErrorClass.ROLLBACK_FAILED.name(),
                    "Cannot migrate "
                        + spec.id()
                        + ": "
                        + outcome.message()
                        + ". The next run undoes it first",
                    admitted.started(),
                    FleetRows.now());
        done.accept(Finished.recorded(lease, LedgerState.FAILED, taken.progress(), failed));
        return false;
      }
      default -> {}
    }
    try {
      // The agent's write committed: from here a crash leaves it to be validated, as on the Spark
      // path (or undone, when the table was not registered yet).
      begin(lease, MigrationStep.VALIDATE, taken.progress(), null);
    } catch (LeaseLostException lost) {
      done.accept(
          Finished.unleased(
              execution.rows().lostLease(spec, lost, admitted.previous(), admitted.started())));
      return false;
    }
    boolean registered = true;
    if (spec.target().table() != null) {
      try {
        registration.register(
            Names.table(spec.target().table()),
            taken.progress().targetLocation(),
            spec.target().path() != null,
            taken.metadata());
      } catch (Exception e) { // validated on the Spark path, which finds no table and undoes
        LOG.warn("{}: cannot register the table: {}", spec.id(), e.getMessage());
        registered = false;
      }
    }
    if (outcome.kind() == AgentOutcome.Kind.DIFFERS || !registered) {
      // The differences (or the missing table) are found, reported and undone as on the Spark
      // path.
      sparkPath.accept(
          new Admitted(
              admitted.dataset(),
              admitted.previous(),
              lease,
              taken.progress(),
              admitted.started()));
      return false;
    }
    DatasetResult result = row(taken, Status.SUCCEEDED, outcome.comparison());
    LOG.info("{}: {} (agent)", spec.id(), Status.SUCCEEDED);
    done.accept(Finished.recorded(lease, LedgerState.SUCCEEDED, taken.progress(), result));
    return true;
  }

  /** The dataset's row, built as the Spark path builds it for the same outcome. */
  private DatasetResult row(Pending taken, Status status, ComparisonResult comparison) {
    PlannedDataset planned = taken.admitted().dataset();
    DatasetSpec spec = planned.spec();
    DatasetResult.Subject subject =
        new DatasetResult.Subject(
            spec.id(),
            planned.source().table() != null ? planned.source().table() : spec.source().describe(),
            taken.progress().target(),
            taken.progress().targetLocation(),
            spec.transform().kind(),
            false,
            spec.hash(),
            spec.consumers(),
            spec.owner());
    DatasetResult.Counts counts =
        comparison == null
            ? DatasetResult.Counts.NONE
            : new DatasetResult.Counts(
                comparison.rowsOld(),
                comparison.rowsNew(),
                comparison.schemaMatch(),
                comparison.contentMatch(),
                comparison.rowsMissing(),
                comparison.rowsExtra());
    return DatasetResult.attempted(
        execution.rows().run(spec),
        subject,
        status,
        1,
        counts,
        comparison == null ? null : ValidationFigures.of(comparison, List.of()),
        DatasetResult.UndoPoints.NONE,
        taken.admitted().started(),
        FleetRows.now());
  }

  /**
   * Records in the ledger that {@code step} begins, with the state the Spark path records for it:
   * the agent path takes the same steps (write the target, validate it, undo), in one task.
   */
  private static void begin(
      Lease lease, MigrationStep step, MigrationProgress progress, String note) {
    lease.record(step.ledgerState().orElseThrow(), progress, null, note);
  }
}
