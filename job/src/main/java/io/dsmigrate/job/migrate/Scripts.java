package io.dsmigrate.job.migrate;

import io.dsmigrate.job.plan.PlannedDataset;
import io.dsmigrate.job.results.ErrorClass;
import io.dsmigrate.job.results.MigrationException;
import io.dsmigrate.job.security.SecuritySettings;
import io.dsmigrate.job.spec.DatasetSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * Reads the script of a {@code transform.script} spec when the dataset runs. A script may change
 * after its spec was loaded or its plan written, so the job reads it once, before it decides
 * whether the dataset already succeeded with the same spec: that decision, the hash recorded with
 * the outcome, and the transform all see the same text.
 */
public final class Scripts {
  private Scripts() {}

  /**
   * The dataset with its script's text as it is now; without a text when it cannot be read (or may
   * not be: the transform then fails with the reason). Datasets without a script come back as they
   * are.
   */
  public static PlannedDataset current(
      SparkSession spark, PlannedDataset dataset, SecuritySettings security) {
    DatasetSpec spec = current(spark, dataset.spec(), security);
    return spec == dataset.spec() ? dataset : dataset.withSpec(spec);
  }

  /**
   * The spec with its script's text as it is now (see {@link #current(SparkSession, PlannedDataset,
   * SecuritySettings)}).
   */
  public static DatasetSpec current(
      SparkSession spark, DatasetSpec spec, SecuritySettings security) {
    if (spec.transform().script() == null) {
      return spec;
    }
    String text;
    try {
      text = read(spark, spec, security);
    } catch (MigrationException e) {
      text = null;
    }
    return spec.withScriptText(text);
  }

  /** The script's text; a {@link MigrationException} when it may not or cannot be read. */
  static String read(SparkSession session, DatasetSpec spec, SecuritySettings security) {
    String location = spec.transform().script();
    String refusal =
        security.scriptRefusal(location, spec.origin() == null ? null : spec.origin().file());
    if (refusal != null) {
      throw new MigrationException(
          ErrorClass.NOT_ALLOWED,
          "Cannot migrate "
              + spec.id()
              + ": "
              + refusal
              + ". Nothing was read or written. Fix transform.script in "
              + spec.at("transform.script"));
    }
    try {
      Path path = new Path(location);
      FileSystem fileSystem = path.getFileSystem(session.sessionState().newHadoopConf());
      try (InputStream in = fileSystem.open(path)) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new MigrationException(
          ErrorClass.IO_ERROR,
          "Cannot migrate "
              + spec.id()
              + ": cannot read the script "
              + location
              + ": "
              + e.getMessage()
              + ". Fix transform.script in "
              + spec.at("transform.script"),
          e);
    }
  }
}
