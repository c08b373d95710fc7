package io.dsmigrate.job.ownership;

import static java.util.Objects.requireNonNull;

import io.delta.tables.DeltaTable;
import io.dsmigrate.job.ledger.LedgerEntry;
import io.dsmigrate.job.plan.SourceResolver;
import io.dsmigrate.job.spec.Names;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The one check every overwrite, removal, drop and undo of dsmigrate goes through: what, at a
 * target location, dsmigrate can prove it wrote for one dataset.
 *
 * <p>Every write of dsmigrate carries a commit tag that the dataset's ledger records before the
 * write starts: a Delta target carries it in its commits ({@code userMetadata}), a Parquet target
 * in a marker file written with its data ({@value #MARKER}). A location is the dataset's own when
 * its current Delta history (or its marker) carries one of the tags that the ledger recorded for
 * the attempts in question ({@link #mine}). A results row naming the location is never proof: the
 * results table is only a table. The one exception is a write that never committed: its files are
 * the attempt's own only while that attempt is in flight and found nothing at the location before
 * it wrote ({@code createdByAttempt}).
 *
 * <p>Commits of others (a consumer's append, an {@code OPTIMIZE}, another run of dsmigrate) after
 * the version that an undo goes back to are listed in the {@link Proof}, so that the caller refuses
 * to destroy them and names them.
 *
 * <pre>{@code
 * Proof proof = Ownership.of(spark, ledger.history(id), entry -> true).target(location, null, false);
 * if (!proof.overwritable()) { ... TARGET_EXISTS ... }
 * }</pre>
 */
public final class Ownership {
  /** Delta's session setting for the metadata every commit carries. */
  public static final String COMMIT_TAG_CONF = "spark.databricks.delta.commitInfo.userMetadata";

  /**
   * A commit's tag, over a Delta history: its {@code userMetadata}; Delta Kernel (the executor
   * path's writer) has none, so its commits carry the tag in their engine info, which Kernel writes
   * as {@code Kernel-<version>/<engine info>}.
   */
  public static final String COMMIT_TAG_SQL =
      "COALESCE(userMetadata, NULLIF(regexp_extract(engineInfo, '^Kernel-[^/]*/(dsmigrate .*)$',"
          + " 1), ''))";

  /** The marker a Parquet target carries, holding the tag of the attempt that wrote it. */
  public static final String MARKER = "_dsmigrate_commit";

  private final SparkSession spark;
  // Tag -> who wrote it ("run X"), for the attempts whose writes the caller may touch.
  private final Map<String, String> mine;
  // Tag -> who wrote it, for every other attempt of the dataset that the ledger knows.
  private final Map<String, String> others;

  // The dataset's ledger, oldest entry first.
  private final List<LedgerEntry> history;

  private Ownership(
      SparkSession spark,
      Map<String, String> mine,
      Map<String, String> others,
      List<LedgerEntry> history) {
    this.spark = requireNonNull(spark, "spark is null");
    this.mine = Map.copyOf(mine);
    this.others = Map.copyOf(others);
    this.history = List.copyOf(history);
  }

  /**
   * The writes of a dataset that the entries of its ledger vouch for.
   *
   * @param history every entry of the dataset's ledger
   * @param mine which entries' attempts the caller may overwrite or undo (e.g. all of them for an
   *     attempt in flight, or those of one run for a rollback of that run)
   * @param extraTags tags of attempts under way that the ledger may not hold yet
   */
  public static Ownership of(
      SparkSession spark,
      Collection<LedgerEntry> history,
      Predicate<LedgerEntry> mine,
      String... extraTags) {
    Map<String, String> owned = new LinkedHashMap<>();
    Map<String, String> other = new LinkedHashMap<>();
    for (LedgerEntry entry : history) {
      if (entry.commitTag() == null) {
        continue;
      }
      (mine.test(entry) ? owned : other).put(entry.commitTag(), "run " + entry.owner().runId());
    }
    for (String tag : extraTags) {
      if (tag != null) {
        owned.put(tag, "this attempt");
      }
    }
    other.keySet().removeAll(owned.keySet());
    return new Ownership(spark, owned, other, List.copyOf(history));
  }

  /** Whether {@code tag} is one of the tags this check vouches for. */
  public boolean isMine(String tag) {
    return tag != null && mine.containsKey(tag);
  }

  /** One commit of a Delta target, as people need to see it. */
  public record Commit(long version, String operation, String timestamp, String by) {
    public Commit {
      requireNonNull(operation, "operation is null");
      requireNonNull(by, "by is null");
    }

    /** "version 3 (WRITE at 2026-12-01 10:00:00, not dsmigrate)". */
    public String describe() {
      return "version " + version + " (" + operation + " at " + timestamp + ", " + by + ")";
    }
  }

  /** What a location holds, as far as the dataset is concerned. */
  public enum State {
    /** Nothing is there. */
    ABSENT,
    /** Something is there, and none of it was written by the attempts in question. */
    NOT_OURS,
    /** The attempts in question wrote it (possibly with commits of others after theirs). */
    OURS
  }

  /**
   * What a location holds.
   *
   * @param state whether it is there and whose it is
   * @param version the current Delta version, or null when the location is not a Delta table
   * @param foreign commits after the base version that the attempts in question did not make,
   *     oldest first
   * @param detail why it is not ours, for messages (null when it is ours or absent)
   */
  public record Proof(State state, Long version, List<Commit> foreign, String detail) {
    public Proof {
      requireNonNull(state, "state is null");
      foreign = List.copyOf(foreign);
    }

    /** Ours, and nobody else wrote to it after us: it may be overwritten or removed. */
    public boolean clean() {
      return state == State.OURS && foreign.isEmpty();
    }

    /** The foreign commits as text, for messages. */
    public String describeForeign() {
      List<String> lines = new ArrayList<>();
      for (Commit commit : foreign.subList(0, Math.min(foreign.size(), 10))) {
        lines.add(commit.describe());
      }
      return String.join(", ", lines)
          + (foreign.size() > 10 ? " and " + (foreign.size() - 10) + " more" : "");
    }
  }

  /**
   * What of {@code location} the attempts in question wrote.
   *
   * @param since the Delta version the attempts started from: commits up to it are not theirs to
   *     undo (an overwritten earlier version, a source pinned for an in-place migration); null when
   *     the attempts created the target, so its first commit must be theirs
   * @param createdByAttempt the attempt in flight found nothing at the location before it wrote:
   *     files without any commit (a write that never committed) are its own
   */
  public Proof target(String location, Long since, boolean createdByAttempt) {
    Path path = new Path(location);
    try {
      FileSystem fileSystem = path.getFileSystem(spark.sessionState().newHadoopConf());
      FileStatus[] children;
      try {
        children = fileSystem.listStatus(path);
      } catch (FileNotFoundException e) {
        return new Proof(State.ABSENT, null, List.of(), null);
      }
      if (!fileSystem.getFileStatus(path).isDirectory()) {
        return new Proof(State.NOT_OURS, null, List.of(), location + " is a file");
      }
      if (children.length == 0) {
        return new Proof(State.ABSENT, null, List.of(), null);
      }
      if (hasCommits(fileSystem, path)) {
        return delta(location, since);
      }
      String marker = marker(fileSystem, path);
      if (marker != null) {
        return isMine(marker)
            ? new Proof(State.OURS, null, List.of(), null)
            : new Proof(
                State.NOT_OURS,
                null,
                List.of(),
                "its marker " + MARKER + " names another writer (" + describeTag(marker) + ")");
      }
      return createdByAttempt
          ? new Proof(State.OURS, null, List.of(), null)
          : new Proof(
              State.NOT_OURS,
              null,
              List.of(),
              "it holds files that carry no commit tag of this dataset");
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot tell who wrote " + location + ": " + e.getMessage(), e);
    }
  }

  private Proof delta(String location, Long since) {
    List<Row> history =
        DeltaTable.forPath(spark, location)
            .history()
            .selectExpr(
                "version",
                "operation",
                "CAST(timestamp AS STRING) AS timestamp",
                COMMIT_TAG_SQL + " AS userMetadata")
            .orderBy("version")
            .collectAsList();
    long current = history.get(history.size() - 1).getLong(0);
    long base = since == null ? -1 : since;
    boolean created = since == null && !history.isEmpty() && history.get(0).getLong(0) == 0;
    boolean ours = false;
    List<Commit> foreign = new ArrayList<>();
    for (Row commit : history) {
      long version = commit.getLong(0);
      String tag = commit.isNullAt(3) ? null : commit.getString(3);
      if (version <= base) {
        continue;
      }
      if (isMine(tag)) {
        ours = true;
      } else {
        foreign.add(
            new Commit(version, commit.getString(1), commit.getString(2), describeTag(tag)));
      }
    }
    if (since == null) {
      // A target the attempts created: its first commit is theirs, or it is someone else's.
      Row first = history.get(0);
      String tag = first.isNullAt(3) ? null : first.getString(3);
      if (!created || !isMine(tag)) {
        return new Proof(
            State.NOT_OURS,
            current,
            List.of(),
            created
                ? "its Delta table was created by another writer: "
                    + new Commit(0, first.getString(1), first.getString(2), describeTag(tag))
                        .describe()
                : "its Delta history no longer reaches the commit that created it (version "
                    + first.getLong(0)
                    + " is the oldest kept), so whoever created it cannot be told");
      }
    } else if (!ours) {
      return new Proof(
          foreign.isEmpty() ? State.ABSENT : State.NOT_OURS,
          current,
          foreign,
          foreign.isEmpty()
              ? null
              : "no commit after version " + base + " was made by this dataset's attempts");
    }
    return new Proof(State.OURS, current, foreign, null);
  }

  private String describeTag(String tag) {
    if (tag == null || tag.isBlank()) {
      return "not dsmigrate";
    }
    if (mine.containsKey(tag)) {
      return "dsmigrate, " + mine.get(tag);
    }
    if (others.containsKey(tag)) {
      return "dsmigrate, " + others.get(tag);
    }
    return tag.startsWith("dsmigrate ")
        ? "another dataset or workdir of dsmigrate: '" + tag + "'"
        : "not dsmigrate: '" + tag + "'";
  }

  private static boolean hasCommits(FileSystem fileSystem, Path location) throws IOException {
    try {
      for (FileStatus status : fileSystem.listStatus(new Path(location, "_delta_log"))) {
        if (status.getPath().getName().endsWith(".json")
            || status.getPath().getName().endsWith(".checkpoint.parquet")) {
          return true;
        }
      }
      return false;
    } catch (FileNotFoundException e) {
      return false;
    }
  }

  private static String marker(FileSystem fileSystem, Path location) throws IOException {
    try (InputStream in = fileSystem.open(new Path(location, MARKER))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    } catch (FileNotFoundException e) {
      return null;
    }
  }

  /** The tag in the marker of a Parquet target at {@code location}, or null when it has none. */
  public static String marker(SparkSession spark, String location) {
    Path path = new Path(location);
    try {
      return marker(path.getFileSystem(spark.sessionState().newHadoopConf()), path);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read the marker of " + location + ": " + e.getMessage(), e);
    }
  }

  /** Writes the marker of a Parquet target that the attempt tagged {@code tag} just wrote. */
  public static void mark(SparkSession spark, String location, String tag) {
    Path path = new Path(location, MARKER);
    try {
      FileSystem fileSystem = path.getFileSystem(spark.sessionState().newHadoopConf());
      try (OutputStream out = fileSystem.create(path, true)) {
        out.write(tag.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot mark " + location + " as written by dsmigrate: " + e.getMessage(), e);
    }
  }

  /**
   * Why the table {@code backup} cannot be proven to be the backup that run {@code runId} kept of
   * the dataset's source when it cut it over, or null when it can: the dataset's latest outcome in
   * its ledger is that run's SUCCEEDED cut-over, which recorded {@code backup} as the backup of its
   * source, and the table under that name is still that source (its provider, schema and, for an
   * external table, location, as the ledger recorded them when the source was read).
   */
  public String backupRefusal(String runId, String backup) {
    LedgerEntry latest = null;
    for (LedgerEntry entry : history) {
      if (entry.state().outcome()) {
        latest = entry;
      }
    }
    if (latest == null
        || latest.state() != io.dsmigrate.job.ledger.LedgerState.SUCCEEDED
        || !latest.owner().runId().equals(runId)
        || latest.progress() == null
        || latest.progress().backupTable() == null
        || !Names.table(latest.progress().backupTable()).equals(Names.table(backup))
        || latest.progress().source() == null) {
      return "the dataset's ledger does not show run "
          + runId
          + " keeping "
          + backup
          + " as its backup (its latest outcome there is "
          + (latest == null ? "none" : latest.describe())
          + ")";
    }
    var source = latest.progress().source();
    var definition = io.dsmigrate.job.plan.SourceResolver.catalogTable(spark, Names.table(backup));
    String provider =
        definition.provider().isDefined()
            ? definition.provider().get().toLowerCase(java.util.Locale.ROOT)
            : "hive";
    String schema = spark.table(Names.quoted(backup)).schema().toDDL();
    boolean external =
        definition.tableType() == org.apache.spark.sql.catalyst.catalog.CatalogTableType.EXTERNAL();
    if (!provider.equals(source.provider())
        || !schema.equals(source.schemaDdl())
        || (external
            && !Names.path(definition.location().toString())
                .equals(Names.path(source.location())))) {
      return backup
          + " is no longer the table that run "
          + runId
          + " kept (it was "
          + source.provider()
          + " at "
          + source.location()
          + " with columns "
          + source.schemaDdl()
          + "; it is "
          + provider
          + " at "
          + definition.location()
          + " with columns "
          + schema
          + ")";
    }
    return null;
  }

  /**
   * Whether the metastore table {@code table} is registered over {@code location}: only then is
   * dropping it part of removing what dsmigrate wrote there (a table of the same name elsewhere is
   * someone else's).
   */
  public boolean registeredAt(String table, String location) {
    if (table == null || location == null || !spark.catalog().tableExists(Names.table(table))) {
      return false;
    }
    try {
      return Names.path(
              SourceResolver.catalogTable(spark, Names.table(table)).location().toString())
          .equals(Names.path(location));
    } catch (Exception e) { // a view has no location; AnalysisException is checked but undeclared
      return false;
    }
  }
}
