package io.dsmigrate.validation;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.concurrent.Await;
import scala.concurrent.duration.Duration;

/**
 * Profiles rows while another action (a migration's write) reads them, so that validation does not
 * read the source a second time: attach it to the rows, write {@link #rows()}, then pass it to
 * {@link DatasetComparison#knownOld}.
 *
 * <pre>{@code
 * ObservedProfile observed = ObservedProfile.attach(rows);
 * observed.rows().write().format("delta").save(target);
 * DatasetComparison.of(rows, spark.read().format("delta").load(target)).knownOld(observed).execute();
 * }</pre>
 */
public final class ObservedProfile {
  private final Dataset<Row> rows;
  private final StructType schema;
  private final Observation observation;
  private final long waitMillis;

  private ObservedProfile(
      Dataset<Row> rows, StructType schema, Observation observation, long wait) {
    this.rows = rows;
    this.schema = schema;
    this.observation = observation;
    this.waitMillis = wait;
  }

  /** Wraps {@code rows} so that the next action over them also profiles them. */
  public static ObservedProfile attach(Dataset<Row> rows) {
    return attach(rows, java.time.Duration.ofSeconds(10));
  }

  /**
   * Like {@link #attach(Dataset)}; {@code wait} bounds how long the comparison waits for the
   * figures after the action (they reach the driver with the action's end event).
   */
  public static ObservedProfile attach(Dataset<Row> rows, java.time.Duration wait) {
    requireNonNull(rows, "rows is null");
    Observation observation = new Observation("dsmigrate_profile_" + System.nanoTime());
    Dataset<Row> observed =
        SideProfile.observe(rows, observation, SideProfile.observed(rows.schema()));
    return new ObservedProfile(observed, rows.schema(), observation, wait.toMillis());
  }

  /** The rows to run the action on (the same rows, observed). */
  public Dataset<Row> rows() {
    return rows;
  }

  /** True once the action has run and its figures arrived. */
  public boolean available() {
    return observation.future().isCompleted() && observation.future().value().get().isSuccess();
  }

  /**
   * The observed profile when it can stand for rows of {@code compared} (same column names and
   * types, in order) and has arrived (the figures reach the driver with the action's end event;
   * this waits a little for them).
   */
  Optional<SideProfile> profileFor(StructType compared) {
    if (!sameColumns(compared)) {
      return Optional.empty();
    }
    try {
      Row row =
          Await.result(observation.future(), Duration.create(waitMillis, TimeUnit.MILLISECONDS));
      return Optional.of(SideProfile.from(row, schema));
    } catch (Exception e) { // no action ran, it failed, or the figures did not arrive in time
      return Optional.empty();
    }
  }

  private boolean sameColumns(StructType compared) {
    StructField[] ours = schema.fields();
    StructField[] theirs = compared.fields();
    if (ours.length != theirs.length) {
      return false;
    }
    for (int i = 0; i < ours.length; i++) {
      if (!ours[i].name().equals(theirs[i].name())
          || !ours[i].dataType().asNullable().sameType(theirs[i].dataType().asNullable())) {
        return false;
      }
    }
    return true;
  }
}
