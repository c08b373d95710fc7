package io.dsmigrate.job.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.JobTestBase;
import io.dsmigrate.job.Settings;
import io.dsmigrate.job.results.DatasetResult;
import io.dsmigrate.job.results.ErrorClass;
import io.dsmigrate.job.results.Status;
import io.dsmigrate.job.rollback.Rollback;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.catalyst.catalog.CatalogTablePartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Hive tables whose partitions are not all directories under the table directory: a partition at
 * its own LOCATION elsewhere, and a stray directory under the table directory that the metastore
 * does not list. A migration reads exactly the registered partitions, and a rollback puts back
 * every partition's files at its own location, the stray directory included.
 */
class HivePartitionLocationsTest extends JobTestBase {
  private static final String DATABASE = "hp_legacy";

  /**
   * {@code hp_legacy.<name>}: partition dt=a under the table directory (ids 1-3), dt=b at its own
   * location {@code elsewhere} outside it (ids 4-5), and a stray directory dt=z (ids 90-91) under
   * the table directory that is not a registered partition.
   */
  private String repro(String name, boolean external, String elsewhere) {
    String table = DATABASE + "." + name;
    spark().sql("CREATE DATABASE IF NOT EXISTS " + DATABASE);
    spark()
        .sql(
            "CREATE "
                + (external ? "EXTERNAL " : "")
                + "TABLE "
                + table
                + " (id BIGINT, amount INT) PARTITIONED BY (dt STRING) STORED AS PARQUET"
                + (external ? " LOCATION '" + path(name + "_external") + "'" : ""));
    spark().sql("INSERT INTO " + table + " PARTITION (dt = 'a') VALUES (1, 10), (2, 20), (3, 30)");
    spark()
        .sql(
            "SELECT CAST(id AS BIGINT) AS id, CAST(id * 10 AS INT) AS amount FROM VALUES (4), (5) AS v(id)")
        .write()
        .parquet(elsewhere);
    spark().sql("ALTER TABLE " + table + " ADD PARTITION (dt = 'b') LOCATION '" + elsewhere + "'");
    spark()
        .sql(
            "SELECT CAST(id AS BIGINT) AS id, CAST(id AS INT) AS amount FROM VALUES (90), (91) AS v(id)")
        .write()
        .parquet(tableLocation(table) + "/dt=z");
    spark().catalog().refreshTable(table);
    return table;
  }

  private static String tableLocation(String table) {
    return spark()
        .sharedState()
        .externalCatalog()
        .getTable(DATABASE, table.substring(table.indexOf('.') + 1))
        .location()
        .getPath();
  }

  /** Each registered partition's values and location, as the metastore holds them. */
  private static Map<String, String> partitionLocations(String table) {
    Map<String, String> locations = new TreeMap<>();
    for (CatalogTablePartition partition :
        CollectionConverters.asJava(
            spark()
                .sharedState()
                .externalCatalog()
                .listPartitions(
                    DATABASE, table.substring(table.indexOf('.') + 1), scala.Option.empty()))) {
      locations.put(
          CollectionConverters.asJava(partition.spec()).toString(),
          partition.location().toString());
    }
    return locations;
  }

  @ParameterizedTest(name = "external: {0}")
  @ValueSource(booleans = {false, true})
  void inPlaceMigrationReadsTheRegisteredPartitionsAtTheirOwnLocationsAndNoStrayDirectory(
      boolean external) {
    String name = external ? "repro_external" : "repro_managed";
    String table = repro(name, external, path(name + "_elsewhere_b"));

    Settings settings = settings("hp_results_" + name);
    DatasetResult result =
        result(
            run(
                settings,
                specs(
                    name + ".yaml",
                    "id: "
                        + name
                        + "\nsource: { table: "
                        + table
                        + " }\ntarget: { table: "
                        + table
                        + " }\n"),
                "run-" + name),
            name);

    assertThat(result.status()).as(result.errorMessage()).isEqualTo(Status.SUCCEEDED);
    assertThat(result.contentMatch()).isTrue();
    assertThat(sortedRows(spark().newSession().table(table)))
        .containsExactly("[1,10,a]", "[2,20,a]", "[3,30,a]", "[4,40,b]", "[5,50,b]");
  }

  @ParameterizedTest(name = "external: {0}")
  @ValueSource(booleans = {false, true})
  void rollbackPutsBackEveryPartitionAtItsOwnLocationAndTheStrayDirectoryByteForByte(
      boolean external) {
    String name = external ? "back_external" : "back_managed";
    String elsewhere = path(name + "_elsewhere_b");
    String table = repro(name, external, elsewhere);
    String directory = tableLocation(table);
    TableState before = state(table);
    Map<String, String> locationsBefore = partitionLocations(table);
    Map<String, String> tableFiles = fileDigests(directory);
    Map<String, String> elsewhereFiles = fileDigests(elsewhere);
    assertThat(locationsBefore).containsEntry("{dt=b}", "file:" + elsewhere);
    assertThat(tableFiles.keySet()).anyMatch(file -> file.startsWith("dt=z/"));

    Settings settings = settings("hp_results_" + name);
    DatasetResult migrated =
        result(
            run(
                settings,
                specs(
                    name + ".yaml",
                    "id: "
                        + name
                        + "\nsource: { table: "
                        + table
                        + " }\ntarget: { table: "
                        + table
                        + " }\n"),
                "run-" + name),
            name);
    assertThat(migrated.status()).as(migrated.errorMessage()).isEqualTo(Status.SUCCEEDED);
    assertThat(state(table).provider()).isEqualTo("delta");
    assertThat(sortedRows(spark().newSession().table(table)))
        .containsExactly("[1,10,a]", "[2,20,a]", "[3,30,a]", "[4,40,b]", "[5,50,b]");

    List<Rollback.Outcome> outcomes =
        Rollback.of(spark(), settings.resultsDatabase(), settings.ledger())
            .run("run-" + name)
            .execute();
    assertThat(outcomes)
        .singleElement()
        .satisfies(o -> assertThat(o.rolledBack()).as(o.message()).isTrue());

    assertThat(state(table)).isEqualTo(before);
    assertThat(partitionLocations(table)).isEqualTo(locationsBefore);
    assertThat(
            spark()
                .newSession()
                .sql("DESCRIBE FORMATTED " + table + " PARTITION (dt = 'b')")
                .where("col_name = 'Location'")
                .first()
                .getString(1))
        .isEqualTo("file:" + elsewhere);
    assertThat(sortedRows(spark().newSession().sql("SELECT * FROM " + table + " WHERE dt = 'b'")))
        .containsExactly("[4,40,b]", "[5,50,b]");
    assertThat(fileDigests(directory)).isEqualTo(tableFiles);
    assertThat(fileDigests(elsewhere)).isEqualTo(elsewhereFiles);
  }

  @Test
  void rollbackKeepsWhatSomeoneWroteSinceIntoAPartitionLocationOutsideTheTable() throws Exception {
    String elsewhere = path("kept_elsewhere_b");
    String table = repro("kept", true, elsewhere);
    Map<String, String> elsewhereFiles = fileDigests(elsewhere);
    Settings settings = settings("hp_results_kept");
    DatasetResult migrated =
        result(
            run(
                settings,
                specs(
                    "kept.yaml",
                    "id: kept\nsource: { table: "
                        + table
                        + " }\ntarget: { table: "
                        + table
                        + " }\n"),
                "run-kept"),
            "kept");
    assertThat(migrated.status()).as(migrated.errorMessage()).isEqualTo(Status.SUCCEEDED);
    // The partition's directory is not dsmigrate's: another writer puts a file there meanwhile.
    java.nio.file.Path theirs = java.nio.file.Path.of(elsewhere, "_their_notes.json");
    java.nio.file.Files.writeString(theirs, "{\"owner\": \"someone else\"}");

    List<Rollback.Outcome> outcomes =
        Rollback.of(spark(), settings.resultsDatabase(), settings.ledger())
            .run("run-kept")
            .execute();
    assertThat(outcomes)
        .singleElement()
        .satisfies(o -> assertThat(o.rolledBack()).as(o.message()).isTrue());
    assertThat(java.nio.file.Files.readString(theirs)).isEqualTo("{\"owner\": \"someone else\"}");
    Map<String, String> after = fileDigests(elsewhere);
    after.keySet().removeIf(file -> file.startsWith("_their_notes"));
    assertThat(after).isEqualTo(elsewhereFiles);
    assertThat(sortedRows(spark().newSession().sql("SELECT * FROM " + table + " WHERE dt = 'b'")))
        .containsExactly("[4,40,b]", "[5,50,b]");
  }

  @ParameterizedTest(name = "external: {0}")
  @ValueSource(booleans = {false, true})
  void migrationToAnotherTableReadsTheRegisteredPartitionsAtTheirOwnLocationsAndNoStrayDirectory(
      boolean external) {
    String name = external ? "copy_external" : "copy_managed";
    String table = repro(name, external, path(name + "_elsewhere_b"));
    TableState before = state(table);

    DatasetResult result =
        result(
            run(
                settings("hp_results_" + name),
                specs(
                    name + ".yaml",
                    "id: "
                        + name
                        + "\nsource: { table: "
                        + table
                        + " }\ntarget: { table: hp_new."
                        + name
                        + " }\n"),
                "run-" + name),
            name);

    assertThat(result.status()).as(result.errorMessage()).isEqualTo(Status.SUCCEEDED);
    assertThat(sortedRows(spark().newSession().table("hp_new." + name)))
        .containsExactly("[1,10,a]", "[2,20,a]", "[3,30,a]", "[4,40,b]", "[5,50,b]");
    assertThat(state(table)).isEqualTo(before);
  }

  @Test
  void partitionsThatShareALocationOrLieInsideAnotherTableAreRefusedAndNothingChanges() {
    String table = repro("unsafe", false, path("unsafe_elsewhere_b"));
    // dt=c reads the very files of dt=b; dt=d lies in the directory of another table.
    spark()
        .sql(
            "ALTER TABLE "
                + table
                + " ADD PARTITION (dt = 'c') LOCATION '"
                + path("unsafe_elsewhere_b")
                + "'");
    spark().sql("CREATE TABLE hp_legacy.neighbour (id BIGINT) STORED AS PARQUET");
    spark().sql("INSERT INTO hp_legacy.neighbour VALUES (7)");
    String neighbour = tableLocation("hp_legacy.neighbour");
    spark()
        .sql(
            "ALTER TABLE " + table + " ADD PARTITION (dt = 'd') LOCATION '" + neighbour + "/dt=d'");
    TableState before = state(table);
    TableState neighbourBefore = state("hp_legacy.neighbour");
    Map<String, String> locationsBefore = partitionLocations(table);
    Map<String, String> tableFiles = fileDigests(tableLocation(table));
    Map<String, String> elsewhereFiles = fileDigests(path("unsafe_elsewhere_b"));
    Map<String, String> neighbourFiles = fileDigests(neighbour);

    Settings settings = settings("hp_results_unsafe");
    DatasetResult result =
        result(
            run(
                settings,
                specs(
                    "unsafe.yaml",
                    "id: unsafe\nsource: { table: "
                        + table
                        + " }\ntarget: { table: "
                        + table
                        + " }\n"),
                "run-unsafe"),
            "unsafe");

    assertThat(result.status()).isEqualTo(Status.FAILED);
    assertThat(result.errorClass()).isEqualTo(ErrorClass.UNSUPPORTED.name());
    assertThat(result.errorMessage())
        .contains("Cannot migrate unsafe in place")
        .contains("dt=b and dt=c share the location file:" + path("unsafe_elsewhere_b"))
        .contains(
            "dt=d (file:" + neighbour + "/dt=d) overlaps the location of table hp_legacy.neighbour")
        .contains("Nothing was changed")
        .contains("SET LOCATION");
    assertThat(result.snapshot()).isNull();
    assertThat(state(table)).isEqualTo(before);
    assertThat(partitionLocations(table)).isEqualTo(locationsBefore);
    assertThat(state("hp_legacy.neighbour")).isEqualTo(neighbourBefore);
    assertThat(fileDigests(tableLocation(table))).isEqualTo(tableFiles);
    assertThat(fileDigests(path("unsafe_elsewhere_b"))).isEqualTo(elsewhereFiles);
    assertThat(fileDigests(neighbour)).isEqualTo(neighbourFiles);
  }

  @Test
  void partitionValuesComeFromTheMetastoreWithTheirTypesNullsAndEscapedCharacters() {
    // Values that Hive escapes in directory names, nulls (Hive's default partition) and an INT
    // column are read back from the snapshot with the metastore's values and types.
    spark().sql("CREATE DATABASE IF NOT EXISTS " + DATABASE);
    spark().conf().set("hive.exec.dynamic.partition.mode", "nonstrict");
    spark()
        .sql(
            "CREATE TABLE hp_legacy.typed (id BIGINT) PARTITIONED BY (region STRING, n INT)"
                + " STORED AS PARQUET");
    spark()
        .sql(
            "INSERT INTO hp_legacy.typed PARTITION (region, n) VALUES"
                + " (1, 'a b:c/d', 7), (2, NULL, 8), (3, 'plain', NULL)");
    // A partition elsewhere whose directory name says nothing of its values.
    spark().sql("SELECT CAST(4 AS BIGINT) AS id").write().parquet(path("typed_elsewhere"));
    spark()
        .sql(
            "ALTER TABLE hp_legacy.typed ADD PARTITION (region = 'x:y', n = 9) LOCATION '"
                + path("typed_elsewhere")
                + "'");
    TableState before = state("hp_legacy.typed");
    Map<String, String> tableFiles = fileDigests(tableLocation("hp_legacy.typed"));

    Settings settings = settings("hp_results_typed");
    DatasetResult result =
        result(
            run(
                settings,
                specs(
                    "typed.yaml",
                    "id: typed\nsource: { table: hp_legacy.typed }\ntarget: { table: hp_legacy.typed }\n"),
                "run-typed"),
            "typed");

    assertThat(result.status()).as(result.errorMessage()).isEqualTo(Status.SUCCEEDED);
    assertThat(sortedRows(spark().newSession().table("hp_legacy.typed")))
        .containsExactly("[1,a b:c/d,7]", "[2,null,8]", "[3,plain,null]", "[4,x:y,9]");
    assertThat(spark().table("hp_legacy.typed").schema().apply("n").dataType().simpleString())
        .isEqualTo("int");

    Rollback.of(spark(), settings.resultsDatabase(), settings.ledger()).run("run-typed").execute();
    assertThat(state("hp_legacy.typed")).isEqualTo(before);
    assertThat(fileDigests(tableLocation("hp_legacy.typed"))).isEqualTo(tableFiles);
  }
}
