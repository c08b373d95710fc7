package io.dsmigrate.job.migrate;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.cutover.CutOver;
import io.dsmigrate.job.fs.Writable;
import io.dsmigrate.job.ledger.LedgerFiles;
import io.dsmigrate.job.ledger.MigrationProgress;
import io.dsmigrate.job.ownership.Ownership;
import io.dsmigrate.job.plan.ConvertInPlace;
import io.dsmigrate.job.plan.PartitionLayout;
import io.dsmigrate.job.plan.PlannedDataset;
import io.dsmigrate.job.plan.SchemaDrift;
import io.dsmigrate.job.plan.SourceInfo;
import io.dsmigrate.job.plan.SourceResolver;
import io.dsmigrate.job.plan.SourceState;
import io.dsmigrate.job.plan.TableLocations;
import io.dsmigrate.job.plan.TableMetadata;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.DiffSamplesTable;
import io.dsmigrate.job.results.ErrorClass;
import io.dsmigrate.job.results.Failures;
import io.dsmigrate.job.results.MigrationException;
import io.dsmigrate.job.results.Status;
import io.dsmigrate.job.results.StorageFailures;
import io.dsmigrate.job.results.ValidationFigures;
import io.dsmigrate.job.rollback.Undo;
import io.dsmigrate.job.snapshot.Conversions;
import io.dsmigrate.job.snapshot.Snapshot;
import io.dsmigrate.job.snapshot.Snapshots;
import io.dsmigrate.job.spec.DatasetSpec;
import io.dsmigrate.job.spec.Names;
import io.dsmigrate.job.spec.TargetSpec;
import io.dsmigrate.job.spec.ValidationSpec;
import io.dsmigrate.validation.ComparisonResult;
import io.dsmigrate.validation.ConsumerQuery;
import io.dsmigrate.validation.DatasetComparison;
import io.dsmigrate.validation.ObservedProfile;
import io.dsmigrate.validation.QueryOutcome;
import java.io.IOException;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.DataFrameWriterV2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.catalog.TableCatalog;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Migrates one dataset, once: resolve the source, transform, check the target, snapshot a source
 * that is replaced in place, write the target (registering it in the metastore), validate it
 * against the transformed source, and, when the spec asks for it, cut over: give the source table's
 * name to the target ({@link CutOver}). If anything fails after the first change, every change is
 * undone before the failure is reported (nothing half-written is left behind).
 */
public final class DatasetMigration {
  private static final Logger LOG = LoggerFactory.getLogger(DatasetMigration.class);

  private final SparkSession spark;
  private final PlannedDataset planned;
  private final DatasetSpec spec;
  private final RunContext run;
  private final DatasetResult previous;
  private final Ownership ownership;
  private final MigrationStep.Listener listener;

  // What this attempt found and did; read into the results row.
  private SourceInfo source;
  private String targetLocation;
  private boolean inPlace;
  private Snapshot snapshot;
  private Long targetPreviousVersion;
  // Nothing stood at the target (no table, no files) when this attempt checked it.
  private boolean targetCreated;
  private ComparisonResult comparison;
  private ValidationFigures figures;
  // The source as it stood when it was read, for a spec that cuts over; null otherwise.
  private SourceState sourceState;
  // The name the source table is kept under once the cut-over begins; null until then.
  private String backupTable;
  // Set just before the first change to the source or the target: only then is there something
  // to undo (undoing earlier would remove what is not ours).
  private boolean touched;
  // A committed write of an earlier process to validate instead of writing again, or null.
  private MigrationProgress resumed;
  // What the target carries besides its rows (TableMetadata); null until the transform is known,
  // and for a resumed write whose source was replaced in place (its metadata is gone with it).
  private TargetMetadata targetMetadata;

  /**
   * @param previous the dataset's last recorded outcome (null if none), which tells whether its
   *     source was cut over
   * @param ownership what of an existing target this dataset's attempts wrote: only that is
   *     overwritten or undone
   * @param listener told of each step as it begins (the fleet records its ledger state and names it
   *     in the Spark UI)
   */
  public DatasetMigration(
      SparkSession spark,
      PlannedDataset planned,
      RunContext run,
      DatasetResult previous,
      Ownership ownership,
      MigrationStep.Listener listener) {
    this.spark = requireNonNull(spark, "spark is null");
    this.planned = requireNonNull(planned, "planned is null");
    this.spec = planned.spec();
    this.run = requireNonNull(run, "run is null");
    this.previous = previous;
    this.ownership = requireNonNull(ownership, "ownership is null");
    this.listener = requireNonNull(listener, "listener is null");
  }

  /**
   * Resumes after a write that committed in a process that is gone: the source (as found then), its
   * snapshot and the target come from {@code progress}; nothing is snapshotted or written again,
   * and the target is validated as if it had just been written.
   */
  public DatasetMigration resumeAfterWrite(MigrationProgress progress) {
    this.resumed = requireNonNull(progress, "progress is null");
    return this;
  }

  /** What this attempt has found and changed so far. */
  public MigrationProgress progress() {
    return new MigrationProgress(
        source,
        spec.target().table() != null ? Names.table(spec.target().table()) : spec.target().path(),
        snapshot == null ? null : snapshot.toString(),
        targetLocation,
        targetPreviousVersion,
        inPlace,
        backupTable,
        targetCreated);
  }

  /** Runs the migration; throws a {@link MigrationException} after undoing its changes. */
  public void execute() {
    try {
      migrate();
    } catch (Exception e) { // Spark's AnalysisException is checked but undeclared
      LOG.warn("{}: failed{}", spec.id(), touched ? "; undoing its changes" : "");
      throw undoAfter(e);
    }
  }

  private void migrate() {
    checkAllowed();
    step(MigrationStep.RESOLVE_SOURCE);
    resolveSource();
    // A source replaced in place is gone after a resumed write: it is read from its snapshot.
    Rows rows = resumed != null && resumed.inPlace() ? Rows.NOT_READ : rowsOf(read(source));
    locateTarget();
    if (resumed == null) {
      checkTargetChangeable();
    }
    if (rows.transformed() != null) {
      targetMetadata = targetMetadata(rows.transformed());
    }
    if (run.dryRun()) {
      checkDryRun(rows);
      return;
    }
    if (inPlace && resumed == null && convertsInPlace(rows.source())) {
      convertInPlace(rows);
      return;
    }
    if (inPlace) {
      rows = snapshotSource();
    }
    touched = true;
    // The rows are profiled while they are written, so validation reads only the target when
    // they match. A write resumed from a process that is gone was not observed: validation
    // reads both sides then.
    ObservedProfile observed = resumed == null ? writeTarget(rows) : null;
    keepOwner();
    validateWritten(rows, observed, spec.target().format());
    if (spec.cutover()) {
      cutOver();
    }
  }

  /**
   * The source as read and as transformed; both null for a resumed write whose source was replaced
   * in place, until its snapshot is read.
   */
  private record Rows(Dataset<Row> source, Dataset<Row> transformed) {
    static final Rows NOT_READ = new Rows(null, null);
  }

  private Rows rowsOf(Dataset<Row> sourceRows) {
    return new Rows(sourceRows, transform(sourceRows));
  }

  private void step(MigrationStep started) {
    listener.started(started, started.description());
  }

  /**
   * Refuses a source that an earlier run cut over, and what the job's own security settings forbid,
   * whatever the launcher that wrote the plan allowed.
   */
  private void checkAllowed() {
    checkNotCutOver();
    checkPathRoots();
    OffLimits.check(spark, spec, run.reserved());
    Transformer.checkConsumerQueries(spark, spec, run.security());
  }

  /**
   * Finds the source (a resumed write takes it as it was found then: a source replaced in place is
   * gone after the write) and, for a spec that cuts over, records the state it is read in.
   */
  private void resolveSource() {
    if (resumed != null) {
      source = resumed.source();
    } else {
      source = SourceResolver.resolve(spark, spec);
      checkSchemaUnchanged();
    }
    if (spec.cutover() && !run.dryRun()) {
      // Taken before the source is read: whatever is written to it from now on is found before
      // the cut-over gives its name to a target that lacks it.
      sourceState = SourceState.of(spark, source);
    }
  }

  /**
   * Where the target is (a resumed write's target is where it was written) and whether it replaces
   * the source in place, which a cut-over cannot do.
   */
  private void locateTarget() {
    TargetSpec target = spec.target();
    String sourceLocation = Names.path(source.location());
    targetLocation = resumed != null ? resumed.targetLocation() : plannedTargetLocation(target);
    inPlace =
        (target.table() != null
                && source.table() != null
                && Names.table(target.table()).equals(source.table()))
            || (targetLocation != null && Names.path(targetLocation).equals(sourceLocation));
    if (spec.cutover() && inPlace) {
      throw new MigrationException(
          ErrorClass.UNSUPPORTED,
          "Cannot cut over "
              + spec.id()
              + ": the target is at the source's location ("
              + sourceLocation
              + "), so it replaces the source in place and keeps its name anyway (if an earlier"
              + " run cut "
              + source.table()
              + " over to this target, roll that back first). Give the target its own location,"
              + " or remove 'cutover: true' in "
              + spec.at("cutover"));
    }
    if (resumed != null) {
      targetPreviousVersion = resumed.targetPreviousVersion();
    }
  }

  /**
   * What the target carries besides its rows ({@link TableMetadata}), read before anything changes:
   * a column comment for a column the target lacks fails here. A resumed write has its metadata
   * already; what it still needs (the owner) is left out if the source cannot be read any more.
   */
  private TargetMetadata targetMetadata(Dataset<Row> transformed) {
    try {
      return new TargetMetadata(
          spark,
          SourceResolver.metadata(spark, source)
              .forTarget(spec, run.runId(), transformed.schema()));
    } catch (RuntimeException e) {
      if (resumed == null) {
        throw e;
      }
      LOG.warn("{}: cannot read the source's metadata again: {}", spec.id(), e.getMessage());
      return null;
    }
  }

  /** Before anything changes: the target can be written, and an in-place source snapshotted. */
  private void checkTargetChangeable() {
    if (!inPlace) {
      checkTarget(spec.target());
    }
    checkTargetWritable();
    if (inPlace) {
      checkPartitionsSnapshottable();
    }
  }

  /** A dry run plans the transform and checks the backup name a cut-over would take. */
  private void checkDryRun(Rows rows) {
    step(MigrationStep.DRY_RUN_CHECK);
    rows.transformed().schema();
    if (spec.cutover()) {
      freeBackupName();
    }
  }

  /**
   * Snapshots a source that is replaced in place and reads it back from there: a Delta source
   * written at its own location is pinned at its current version and read at it; any other is
   * copied, read from the copy and cleared. A resumed write's snapshot is the one taken then.
   */
  private Rows snapshotSource() {
    step(MigrationStep.SNAPSHOT_SOURCE);
    Snapshot taken = resumed != null ? Snapshot.parse(resumed.snapshot()) : null;
    if (pinsDeltaVersion()) {
      snapshot = taken != null ? taken : Snapshots.pinDelta(spark, source.location());
      return rowsOf(
          spark
              .read()
              .format("delta")
              .option("versionAsOf", snapshot.version())
              .load(source.location()));
    }
    snapshot = taken != null ? taken : Snapshots.copy(spark, source, snapshotDirectory());
    Rows rows = rowsOf(readSnapshot(source, snapshot));
    touched = true;
    if (resumed == null) {
      step(MigrationStep.CLEAR_SOURCE);
      clearSource();
    }
    return rows;
  }

  /** A Delta source overwritten at its own location keeps its old version: that is its snapshot. */
  private boolean pinsDeltaVersion() {
    return source.format().equals("delta")
        && (targetLocation == null
            || Names.path(targetLocation).equals(Names.path(source.location())));
  }

  /** Writes the transformed rows to the target, profiling them as they are written. */
  private ObservedProfile writeTarget(Rows rows) {
    step(MigrationStep.WRITE_TARGET);
    ObservedProfile observed = ObservedProfile.attach(rows.transformed());
    write(observed.rows(), spec.target());
    return observed;
  }

  /** Reads the committed target back, in {@code format}, and validates it. */
  private void validateWritten(Rows rows, ObservedProfile observed, String format) {
    step(MigrationStep.VALIDATE);
    TargetSpec target = spec.target();
    // A path is read as a path, never as a table of the same name.
    Dataset<Row> written =
        target.table() != null
            ? spark.table(Names.quoted(target.table()))
            : spark.read().format(format).load(targetLocation);
    validate(rows.source(), rows.transformed(), written, observed);
  }

  /**
   * Whether this in-place migration converts its source where it stands ({@link ConvertInPlace}). A
   * Parquet directory's partition columns are those Spark found reading it; a partitioned table's
   * partitions are taken from the metastore.
   */
  private boolean convertsInPlace(Dataset<Row> sourceRows) {
    if (source.table() == null && source.format().equals("parquet")) {
      source =
          new SourceInfo(
              null,
              source.location(),
              source.format(),
              source.provider(),
              source.managed(),
              source.schemaDdl(),
              ConvertInPlace.pathPartitionColumns(sourceRows),
              source.sizeBytes(),
              source.files());
    }
    PartitionLayout layout =
        source.table() != null
                && source.format().equals("parquet")
                && !source.partitionColumns().isEmpty()
            ? PartitionLayout.of(spark, source.table())
            : null;
    ConvertInPlace.Decision decision = ConvertInPlace.applies(spec, source, layout);
    if (!decision.converts()) {
      LOG.info(
          "{}: copied and rewritten, not converted in place: {}", spec.id(), decision.reason());
    }
    return decision.converts();
  }

  /**
   * Converts the source to Delta where it stands: records what an undo needs (the location, the
   * table definition and every file with its size; the ledger names the record before anything
   * changes), runs {@code CONVERT TO DELTA} under the attempt's commit tag, proves the new Delta
   * log is this attempt's, and validates the Delta table against the Parquet rows as they were read
   * before the conversion.
   */
  private void convertInPlace(Rows rows) {
    step(MigrationStep.SNAPSHOT_SOURCE);
    snapshot = Conversions.record(spark, source, snapshotDirectory());
    step(MigrationStep.CONVERT_TO_DELTA);
    touched = true;
    spark.sql(ConvertInPlace.statement(source));
    Ownership.Proof proof = ownership.target(targetLocation, null, false);
    if (!proof.clean()) {
      throw new MigrationException(
          ErrorClass.INTERNAL_ERROR,
          "Cannot migrate "
              + spec.id()
              + ": after CONVERT TO DELTA, the Delta log at "
              + targetLocation
              + " is not this attempt's own ("
              + (proof.detail() != null ? proof.detail() : proof.describeForeign())
              + "); someone else converted or wrote to it at the same time");
    }
    try {
      targetMetadata.afterConversion(source.table(), targetLocation);
    } catch (Exception e) { // Spark's checked NoSuchTableException, or what Delta refuses
      throw Failures.classify(e, spec, "migrate", source.location(), targetLocation);
    }
    validateWritten(rows, null, "delta");
  }

  private String snapshotDirectory() {
    return new org.apache.hadoop.fs.Path(
            new org.apache.hadoop.fs.Path(run.snapshotRoot(), run.runId()),
            LedgerFiles.safeName(spec.id()))
        .toString();
  }

  private Dataset<Row> transform(Dataset<Row> sourceRows) {
    return Transformer.apply(spark, sourceRows, spec, run.security());
  }

  /**
   * Source and target paths of the spec must be absolute (a relative one would be taken against
   * whatever the driver's directory is, and is never a table's name) and under the job's path
   * roots.
   */
  private void checkPathRoots() {
    for (String field : List.of("source.path", "target.path")) {
      String path = field.startsWith("source") ? spec.source().path() : spec.target().path();
      String refusal = path == null ? null : run.security().pathRefusal(path);
      if (path != null && !Names.absolute(path)) {
        refusal =
            "'"
                + path
                + "' is relative: dsmigrate takes paths as written, never against a current"
                + " directory and never as a table name. Write it absolute (/... or a URI such as"
                + " hdfs://namenode/...), or use target.table for a table";
      }
      Transformer.refuseIfAny(spec, field, refusal == null ? List.of() : List.of(refusal));
    }
  }

  /** The source must have the schema it was planned with: the transform was checked against it. */
  private void checkSchemaUnchanged() {
    SourceInfo plannedSource = planned.source();
    if (plannedSource == null || plannedSource.schemaDdl() == null) {
      return;
    }
    List<String> changes = SchemaDrift.between(plannedSource.schemaDdl(), source.schemaDdl());
    if (!changes.isEmpty()) {
      throw new MigrationException(
          ErrorClass.SCHEMA_DRIFT,
          "Cannot migrate "
              + spec.id()
              + ": the schema of source "
              + spec.source().describe()
              + " changed since it was planned"
              + (run.planId() != null ? " (plan " + run.planId() + ")" : "")
              + ": "
              + String.join("; ", changes)
              + ". Nothing was written. Plan again ('dsmigrate plan'), check the transform in "
              + spec.at("transform")
              + " against the new schema, and run the new plan");
    }
  }

  /**
   * A target that cannot be created fails here, before the source is touched or read: its nearest
   * existing ancestor must be a directory this process can write in ({@link Writable}).
   */
  private void checkTargetWritable() {
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(targetLocation);
    try {
      FileSystem fileSystem = path.getFileSystem(spark.sessionState().newHadoopConf());
      org.apache.hadoop.fs.Path existing = path;
      while (existing != null && !fileSystem.exists(existing)) {
        existing = existing.getParent();
      }
      if (existing == null || existing.equals(path)) {
        return; // an existing target was checked by checkTarget
      }
      if (!fileSystem.getFileStatus(existing).isDirectory()) {
        throw StorageFailures.targetUnwritable(
            spec,
            targetLocation,
            Names.path(existing.toString()) + " is a file, not a directory",
            null);
      }
      if (!Writable.directory(fileSystem, existing)) {
        throw StorageFailures.targetUnwritable(
            spec,
            targetLocation,
            "permission denied: this process cannot create anything in "
                + Names.path(existing.toString()),
            null);
      }
    } catch (IOException e) {
      throw Failures.classify(e, spec, "check target", null, targetLocation);
    }
  }

  /**
   * Compares the target with the transformed source (keyed, with tolerances and ignored columns as
   * the spec says, samples to diff_samples), then runs the consumer queries over the source as it
   * was and over the target.
   */
  private void validate(
      Dataset<Row> sourceRows, Dataset<Row> rows, Dataset<Row> written, ObservedProfile observed) {
    ValidationSpec validation = spec.validation();
    int samples = validation.samples() != null ? validation.samples() : run.samples();
    DatasetComparison comparing =
        DatasetComparison.of(rows, written)
            .key(validation.key())
            .ignore(validation.ignore())
            .knownOld(observed);
    validation.tolerances().forEach(comparing::tolerance);
    if (samples > 0) {
      comparing.samples(
          samples, DiffSamplesTable.of(run.resultsDatabase()).sink(run.runId(), spec.id()));
    }
    try {
      comparison = comparing.execute();
    } catch (IllegalArgumentException e) {
      throw new MigrationException(
          ErrorClass.COLUMN_NOT_FOUND,
          "Cannot validate "
              + spec.id()
              + ": "
              + e.getMessage()
              + ". Fix the validation block in "
              + spec.at("validation"),
          e);
    }
    List<QueryOutcome> queries = new ArrayList<>();
    for (ValidationSpec.ConsumerQuery query : validation.queries()) {
      listener.started(
          MigrationStep.CONSUMER_QUERY,
          MigrationStep.CONSUMER_QUERY.description(queries.size() + 1));
      queries.add(
          ConsumerQuery.of(query.oldSql(), query.newSql())
              .floatDigits(run.queryFloatDigits())
              .execute(sourceRows, written));
    }
    figures = ValidationFigures.of(comparison, queries);
    List<String> failedQueries =
        queries.stream()
            .filter(outcome -> !outcome.passed())
            .map(outcome -> "'" + outcome.query() + "' " + outcome.detail())
            .toList();
    if (!comparison.equal()) {
      throw new MigrationException(
          ErrorClass.VALIDATION_FAILED,
          "Cannot migrate "
              + spec.id()
              + ": the written target does not match the transformed source ("
              + comparison.summary()
              + (failedQueries.isEmpty() ? "" : "; consumer queries changed: " + failedQueries)
              + "); the target was removed and the source kept. Samples are in "
              + DiffSamplesTable.of(run.resultsDatabase()).name()
              + ". Check the transform in "
              + spec.at("transform"));
    }
    if (!failedQueries.isEmpty()) {
      throw new MigrationException(
          ErrorClass.QUERY_MISMATCH,
          "Cannot migrate "
              + spec.id()
              + ": the data matches, but consumer queries give other results on the new data: "
              + String.join("; ", failedQueries)
              + "; the target was removed and the source kept. Fix the transform or the query in "
              + spec.at("validation.queries"));
    }
  }

  private RuntimeException undoAfter(Exception failure) {
    MigrationException classified =
        Failures.classify(
            failure, spec, "migrate", source == null ? null : source.location(), targetLocation);
    if (!touched) {
      return classified;
    }
    // From here on a timeout no longer interrupts this thread: the undo must run to the end.
    step(MigrationStep.UNDO);
    Thread.interrupted();
    try {
      Undo.of(spark, ownership, null).all(Undo.Changes.of(spec.id(), progress()));
      backupTable = null; // the cut-over, if it began, is undone: no backup stands
      return new MigrationException(
          classified.errorClass(), classified.getMessage() + " (changes undone)", failure);
    } catch (Exception undoFailure) { // Spark's AnalysisException is checked but undeclared
      classified.addSuppressed(undoFailure);
      return new MigrationException(
          ErrorClass.ROLLBACK_FAILED,
          classified.getMessage()
              + "; undoing its changes failed too: "
              + Failures.firstLine(undoFailure.getMessage())
              + (snapshot != null ? ". Restore by hand from snapshot " + snapshot : ""),
          classified);
    }
  }

  /**
   * Renames the source table to its backup name and points its name at the target. A backup name
   * that is taken fails the dataset before anything of the source changes.
   */
  private void cutOver() {
    checkSourceUnchanged();
    String backup = freeBackupName();
    backupTable = backup;
    step(MigrationStep.CUT_OVER);
    try {
      CutOver.of(spark, spec.id(), source.table(), backup, targetLocation).perform();
    } catch (IllegalStateException e) {
      throw new MigrationException(
          ErrorClass.INTERNAL_ERROR, e.getMessage() + ". See the driver log", e);
    }
  }

  /**
   * The source must stand as it was read: a row written to it since is not in the target, and would
   * be lost to the consumers of its name once the cut-over gives that name to the target.
   */
  private void checkSourceUnchanged() {
    List<String> changes = sourceState.changesTo(SourceState.of(spark, source));
    if (!changes.isEmpty()) {
      throw new MigrationException(
          ErrorClass.SOURCE_CHANGED,
          "Cannot cut over "
              + spec.id()
              + ": source "
              + source.table()
              + " changed after it was read for this migration ("
              + String.join("; ", changes)
              + "), so the target lacks what was written since. The target is removed and "
              + source.table()
              + " keeps its name and its new data. Run again: the next run migrates the new data");
    }
  }

  /** The backup name of the source table, checked to be free. */
  private String freeBackupName() {
    String table = source.table();
    String database = table.substring(0, table.indexOf('.'));
    String backup;
    try {
      backup =
          database
              + "."
              + run.backupName()
                  .of(
                      table.substring(table.indexOf('.') + 1),
                      run.runId(),
                      LocalDate.now(ZoneOffset.UTC));
    } catch (IllegalArgumentException e) {
      throw new MigrationException(
          ErrorClass.UNSUPPORTED, "Cannot cut over " + spec.id() + ": " + e.getMessage(), e);
    }
    if (spark.catalog().tableExists(backup)) {
      throw new MigrationException(
          ErrorClass.TARGET_EXISTS,
          "Cannot cut over "
              + spec.id()
              + ": the backup name "
              + backup
              + " for "
              + table
              + " is taken by another table; "
              + table
              + " was not changed. Drop or rename "
              + backup
              + ", or change dsmigrate.cutover.backup-name (now "
              + run.backupName().pattern()
              + "; {run} keeps the backups of different runs apart)");
    }
    return backup;
  }

  /**
   * A dataset whose source table was cut over by an earlier run now reads its own target under the
   * source's name: migrating it again (with a changed spec) would read the new data as the source.
   */
  private void checkNotCutOver() {
    if (previous == null
        || previous.status() != Status.SUCCEEDED
        || previous.backupTable() == null) {
      return;
    }
    throw new MigrationException(
        ErrorClass.UNSUPPORTED,
        "Cannot migrate "
            + spec.id()
            + ": run "
            + previous.runId()
            + " cut its source "
            + previous.source()
            + " over to "
            + previous.target()
            + " (the old table is "
            + previous.backupTable()
            + "), so "
            + previous.source()
            + " reads the new data now. Roll that back first (dsmigrate rollback --run "
            + previous.runId()
            + " --dataset "
            + spec.id()
            + "), or write a new spec whose source is "
            + previous.target());
  }

  private Dataset<Row> read(SourceInfo info) {
    if (sourceState != null && sourceState.deltaVersion() != null) {
      // The version whose state was recorded: a commit after it is found before the cut-over.
      return spark
          .read()
          .format("delta")
          .option("versionAsOf", sourceState.deltaVersion())
          .load(info.location());
    }
    if (info.table() != null) {
      return spark.table(Names.quoted(info.table()));
    }
    return spark.read().format(info.format()).load(info.location());
  }

  private Dataset<Row> readSnapshot(SourceInfo info, Snapshot taken) {
    String format = info.format().equals("hive-text") ? "text" : info.format();
    if (format.equals("delta")) {
      return spark.read().format("delta").load(Snapshots.dataOf(taken));
    }
    if (!SourceInfo.readableFromSnapshot(format)) {
      throw new MigrationException(
          ErrorClass.UNSUPPORTED,
          "Cannot migrate "
              + spec.id()
              + " in place: its "
              + info.format()
              + " files cannot be read back from a snapshot; migrate to another table name");
    }
    Dataset<Row> partitions = Snapshots.readPartitions(spark, taken, format);
    if (partitions != null) {
      return partitions;
    }
    String data = Snapshots.dataOf(taken);
    return spark
        .read()
        .schema(org.apache.spark.sql.types.StructType.fromDDL(info.schemaDdl()))
        .option("basePath", data)
        .format(format)
        .load(data);
  }

  /**
   * A partitioned table replaced in place is snapshotted partition by partition, each at the
   * location the metastore gives it: partitions whose locations overlap each other, the target or
   * another table cannot be copied and restored without reading rows twice or writing over data
   * that is not this table's. They are refused here, before anything changes.
   */
  private void checkPartitionsSnapshottable() {
    if (source.table() == null
        || source.partitionColumns().isEmpty()
        || source.format().equals("delta")) {
      return;
    }
    List<String> problems =
        PartitionLayout.of(spark, source.table()).unsafeForSnapshot(spark, targetLocation);
    if (!problems.isEmpty()) {
      throw new MigrationException(
          ErrorClass.UNSUPPORTED,
          "Cannot migrate "
              + spec.id()
              + " in place: partitions of "
              + source.table()
              + " cannot be snapshotted safely: "
              + String.join("; ", problems)
              + ". Nothing was changed. Give each partition a location of its own, outside other"
              + " tables and the target (ALTER TABLE ... PARTITION (...) SET LOCATION, after moving"
              + " its files), or migrate to another table name in "
              + spec.at("target"));
    }
  }

  /** A source replaced in place goes (its snapshot is taken) before the target is written. */
  private void clearSource() {
    try {
      if (source.table() != null) {
        spark.sql("DROP TABLE " + Names.quoted(source.table()));
      }
      org.apache.hadoop.fs.Path location = new org.apache.hadoop.fs.Path(source.location());
      FileSystem fileSystem = location.getFileSystem(spark.sessionState().newHadoopConf());
      if (fileSystem.exists(location)
          && (targetLocation == null
              || Names.path(targetLocation).equals(Names.path(source.location())))) {
        fileSystem.delete(location, true);
      }
    } catch (IOException e) {
      throw new MigrationException(
          ErrorClass.IO_ERROR,
          "Cannot migrate "
              + spec.id()
              + ": cannot clear "
              + source.location()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private void write(Dataset<Row> rows, TargetSpec target) {
    boolean overwrite =
        targetPreviousVersion != null
            || (inPlace && snapshot.kind() == Snapshot.Kind.DELTA_VERSION);
    rows = targetMetadata.commented(rows);
    if (target.format().equals("delta")) {
      writeDelta(rows, target, overwrite);
      return;
    }
    DataFrameWriter<Row> writer =
        rows.write().format(target.format()).mode(overwrite ? "overwrite" : "errorifexists");
    if (!target.partitionBy().isEmpty()) {
      writer = writer.partitionBy(target.partitionBy().toArray(String[]::new));
    }
    if (target.table() != null) {
      String location = tableLocation(target);
      if (location != null) {
        writer = writer.option("path", location);
      }
      createDatabaseOf(target.table());
      writer.saveAsTable(Names.quoted(target.table()));
      targetLocation =
          SourceResolver.catalogTable(spark, Names.table(target.table())).location().toString();
      targetMetadata.describeParquetTable(target.table());
    } else {
      writer.save(target.path());
      targetLocation = Names.path(target.path());
    }
    String tag = spark.conf().get(Ownership.COMMIT_TAG_CONF, null);
    if (tag != null) {
      // A Parquet target has no commit to carry the tag: a marker written with its data does.
      Ownership.mark(spark, targetLocation, tag);
    }
  }

  /** Where a target table goes: the spec's path, or an external source's replaced in place. */
  private String tableLocation(TargetSpec target) {
    if (target.path() == null && inPlace && !source.managed() && source.table() != null) {
      // An external table replaced in place stays external, at its location.
      return source.location();
    }
    return target.path();
  }

  /**
   * Writes a Delta target in one commit that holds the rows and what the target carries besides
   * them: its comment and properties as the table's, its column comments in its schema.
   */
  private void writeDelta(Dataset<Row> rows, TargetSpec target, boolean overwrite) {
    String identifier;
    String location = null;
    if (target.table() != null) {
      location = tableLocation(target);
      createDatabaseOf(target.table());
      identifier = Names.quoted(target.table());
    } else {
      identifier = "delta.`" + target.path().replace("`", "``") + "`";
    }
    DataFrameWriterV2<Row> writer = rows.writeTo(identifier).using("delta");
    if (location != null) {
      writer = writer.tableProperty(TableCatalog.PROP_LOCATION, location);
    }
    TableMetadata metadata = targetMetadata.metadata();
    if (metadata.comment() != null) {
      writer = writer.tableProperty(TableCatalog.PROP_COMMENT, metadata.comment());
    }
    for (Map.Entry<String, String> property : metadata.properties().entrySet()) {
      writer = writer.tableProperty(property.getKey(), property.getValue());
    }
    if (!target.partitionBy().isEmpty()) {
      // Named as the rows name them, as DataFrameWriter.partitionBy resolves them.
      List<String> names = List.of(rows.schema().fieldNames());
      Column[] columns =
          target.partitionBy().stream()
              .map(c -> names.stream().filter(c::equalsIgnoreCase).findFirst().orElse(c))
              .map(c -> functions.col(quotedColumn(c)))
              .toArray(Column[]::new);
      writer =
          writer.partitionedBy(
              columns[0], java.util.Arrays.copyOfRange(columns, 1, columns.length));
    }
    if (overwrite) {
      writer.createOrReplace();
    } else {
      try {
        writer.create();
      } catch (org.apache.spark.sql.catalyst.analysis.TableAlreadyExistsException e) {
        throw Failures.classify(
            e, spec, "migrate", source == null ? null : source.location(), targetLocation);
      }
    }
    targetLocation =
        target.table() != null
            ? SourceResolver.catalogTable(spark, Names.table(target.table())).location().toString()
            : Names.path(target.path());
  }

  private static String quotedColumn(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  /**
   * Gives a target table the source's owner. A resumed write gets it here too, unless its source
   * was replaced in place.
   */
  private void keepOwner() {
    if (targetMetadata != null && spec.target().table() != null) {
      targetMetadata.keepOwner(spec.target().table());
    }
  }

  // Agents share the metastore; one at a time creates databases, so none races another.
  private void createDatabaseOf(String table) {
    String database = Names.table(table).substring(0, Names.table(table).indexOf('.'));
    synchronized (DatasetMigration.class) {
      if (!spark.catalog().databaseExists(database)) {
        spark.sql("CREATE DATABASE IF NOT EXISTS `" + database + "`");
      }
    }
  }

  private String plannedTargetLocation(TargetSpec target) {
    return TableLocations.target(spark, target);
  }

  /**
   * A target that exists must be this dataset's own output, proven by its commits ({@link
   * Ownership}), with no commit of anyone else since: then it is overwritten (and an undo goes back
   * to its current version). Anything else is someone's data and fails the dataset with
   * TARGET_EXISTS, untouched.
   */
  private void checkTarget(TargetSpec target) {
    boolean tableExists =
        target.table() != null && spark.catalog().tableExists(Names.table(target.table()));
    Ownership.Proof proof = ownership.target(targetLocation, null, false);
    if (!tableExists && proof.state() == Ownership.State.ABSENT) {
      targetCreated = true;
      return;
    }
    String why =
        proof.state() == Ownership.State.ABSENT
            ? "the table is registered in the metastore but holds nothing dsmigrate wrote"
            : proof.state() == Ownership.State.NOT_OURS
                ? proof.detail()
                : !proof.foreign().isEmpty()
                    ? "dsmigrate wrote it for this dataset, but it has commits since that"
                        + " dsmigrate did not make: "
                        + proof.describeForeign()
                    : tableExists && !ownership.registeredAt(target.table(), targetLocation)
                        ? "the table is registered at another location"
                        : null;
    if (why == null && proof.version() == null) {
      why = "it holds an earlier Parquet output of this dataset, which cannot be versioned";
    }
    if (why != null) {
      throw new MigrationException(
          ErrorClass.TARGET_EXISTS,
          "Cannot migrate "
              + spec.id()
              + ": target "
              + target.describe()
              + " already exists ("
              + targetLocation
              + ") and dsmigrate cannot prove it wrote it for this dataset: "
              + why
              + ". Nothing was changed. Drop or move it, or choose another target in "
              + spec.at("target"));
    }
    targetPreviousVersion = proof.version();
  }

  /** The results row for what this attempt did. */
  public DatasetResult result(Status status, int attempts, Timestamp started, Timestamp finished) {
    return DatasetResult.attempted(
        new DatasetResult.Run(run.runId(), run.planId(), run.partition(), run.wave()),
        new DatasetResult.Subject(
            spec.id(),
            source != null && source.table() != null ? source.table() : spec.source().describe(),
            spec.target().table() != null
                ? Names.table(spec.target().table())
                : spec.target().path(),
            targetLocation,
            spec.transform().kind(),
            inPlace,
            spec.hash(),
            spec.consumers(),
            spec.owner()),
        status,
        attempts,
        comparison == null
            ? DatasetResult.Counts.NONE
            : new DatasetResult.Counts(
                comparison.rowsOld(),
                comparison.rowsNew(),
                comparison.schemaMatch(),
                comparison.contentMatch(),
                comparison.rowsMissing(),
                comparison.rowsExtra()),
        figures,
        new DatasetResult.UndoPoints(
            snapshot == null ? null : snapshot.toString(), targetPreviousVersion, backupTable),
        started,
        finished);
  }
}
