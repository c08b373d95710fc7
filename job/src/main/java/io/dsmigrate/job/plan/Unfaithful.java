package io.dsmigrate.job.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.catalog.CatalogTableType;

/**
 * Why a metastore table cannot be migrated faithfully whatever its spec says: the reasons {@code
 * plan} refuses a source for ({@link SourceResolver}) and {@code assess} flags a table for, decided
 * in this one place so that an assessment never calls migratable what a plan refuses.
 *
 * <ul>
 *   <li>{@link #VIEW}: a view holds no rows of its own.
 *   <li>{@link #TRANSACTIONAL}: a transactional (ACID) table's rows are its base files merged with
 *       its delta files under the transaction state, which Spark does not apply.
 *   <li>{@link #BUCKETED}: a bucketed Hive table's files are laid out by a hash that its readers
 *       may rely on and that Spark does not write.
 * </ul>
 */
public enum Unfaithful {
  VIEW("view"),
  TRANSACTIONAL("transactional"),
  BUCKETED("bucketed");

  private final String label;

  Unfaithful(String label) {
    this.label = label;
  }

  /** Why {@code table} cannot be migrated faithfully, most telling first; empty when it can. */
  public static List<Unfaithful> of(CatalogTable table) {
    List<Unfaithful> reasons = new ArrayList<>();
    if (table.tableType() == CatalogTableType.VIEW()) {
      reasons.add(VIEW);
    }
    String transactional = table.properties().get("transactional").getOrElse(() -> "false").trim();
    if (transactional.equalsIgnoreCase("true")) {
      reasons.add(TRANSACTIONAL);
    }
    if (provider(table).equals("hive") && table.bucketSpec().isDefined()) {
      reasons.add(BUCKETED);
    }
    return reasons;
  }

  /** What the table is, as in "legacy.orders is ...". */
  public String what(CatalogTable table) {
    return switch (this) {
      case VIEW -> "a view, not a table";
      case TRANSACTIONAL -> "a transactional (ACID) Hive table ('transactional'='true')";
      case BUCKETED -> "a bucketed Hive table (" + table.bucketSpec().get() + ")";
    };
  }

  /** Why that keeps it from being migrated faithfully. */
  public String why() {
    return switch (this) {
      case VIEW -> "a view holds no rows of its own, only a query over other tables";
      case TRANSACTIONAL ->
          "Spark reads its files without Hive's transaction state, so deleted or updated rows"
              + " would come back";
      case BUCKETED ->
          "Spark does not write Hive's bucketing, so the migrated data would silently lose the"
              + " layout that its readers may rely on";
    };
  }

  /** What to do about it, for the table {@code name}: a sentence that starts in upper case. */
  public String fix(String name) {
    return switch (this) {
      case VIEW -> "Migrate the tables it reads";
      case TRANSACTIONAL ->
          "Copy it to a table that is not transactional with Hive (CREATE TABLE ... STORED AS"
              + " PARQUET AS SELECT * FROM "
              + name
              + ") and migrate that copy";
      case BUCKETED ->
          "Copy it without buckets with Hive (CREATE TABLE ... STORED AS PARQUET AS SELECT * FROM "
              + name
              + ") and migrate that copy";
    };
  }

  /**
   * The reason as an assessment states it, {@code "what: why; what to do"}: {@code "bucketed:
   * legacy.t is a bucketed Hive table (...): Spark does not write ...; copy it without buckets
   * ..."}.
   */
  public String issue(CatalogTable table) {
    String name = table.identifier().unquotedString();
    String fix = fix(name);
    return label
        + ": "
        + name
        + " is "
        + what(table)
        + ": "
        + why()
        + "; "
        + Character.toLowerCase(fix.charAt(0))
        + fix.substring(1);
  }

  /** How the metastore knows a table: its provider in lower case, "hive" for a Hive table. */
  static String provider(CatalogTable table) {
    return table.provider().isDefined() ? table.provider().get().toLowerCase(Locale.ROOT) : "hive";
  }
}
