package io.dsmigrate.job.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsmigrate.job.JobTestBase;
import io.dsmigrate.job.plan.Planner;
import io.dsmigrate.job.plan.TableLocations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Locations of specs never nest: a target inside (or at) another spec's target or source, a source
 * inside another's target, a target inside its own source or holding it. Literal paths are refused
 * when specs load; tables at the locations the metastore gives them when they are planned. In place
 * (the same location) and siblings ({@code /a/b} and {@code /a/bc}) are fine.
 */
class NestedLocationsTest extends JobTestBase {
  @BeforeAll
  static void legacyWarehouse() {
    spark().sql("CREATE DATABASE IF NOT EXISTS nested_legacy");
    spark().range(3).write().mode("overwrite").saveAsTable("nested_legacy.orders");
    spark().range(3).write().mode("overwrite").saveAsTable("nested_legacy.orders_v");
  }

  private Path write(String name, String text) throws IOException {
    Path file = temp.resolve("specs").resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    return file;
  }

  private static List<String> problems(Path file) {
    return SpecLoader.load(List.of(file)).problems().stream().map(SpecProblem::toString).toList();
  }

  @Test
  void pathsInsideOtherSpecsPathsAreRefusedWhenSpecsLoad() throws IOException {
    Path file =
        write(
            "paths.yaml",
            """
            datasets:
              - id: outer
                source: { path: /lake/in }
                target: { path: /lake/out }
              - id: inner
                source: { path: /lake/other }
                target: { path: /lake/out/inner }
              - id: into_source
                source: { path: /lake/third/raw }
                target: { path: "file:///lake/in/part" }
              - id: over_source
                source: { path: /lake/fourth }
                target: { path: /lake/third }
            """);
    assertThat(problems(file))
        .containsExactlyInAnyOrder(
            file
                + ":7: inner: target: target /lake/out/inner is inside the target of outer,"
                + " /lake/out ("
                + file
                + ":4); writing or undoing one would change the other's files. Give each dataset a"
                + " target of its own, outside the others'",
            file
                + ":10: into_source: target: target file:///lake/in/part is inside the source of"
                + " outer, /lake/in ("
                + file
                + ":3); writing it would change what outer reads. Migrate one after the other, in"
                + " separate runs, or give the target a location of its own",
            file
                + ":13: over_source: target: target /lake/third holds the source of into_source,"
                + " /lake/third/raw ("
                + file
                + ":9); writing it would change what into_source reads. Migrate one after the"
                + " other, in separate runs, or give the target a location of its own");
  }

  @Test
  void aTargetInsideItsOwnSourceOrHoldingItIsRefused() throws IOException {
    Path file =
        write(
            "own.yaml",
            """
            datasets:
              - id: below
                source: { path: /lake/orders }
                target: { path: /lake/orders/delta }
              - id: above
                sourcePath: /lake/clicks/raw
                targetPath: /lake/clicks
            """);
    assertThat(problems(file))
        .containsExactlyInAnyOrder(
            file
                + ":4: below: target: target /lake/orders/delta is inside its own source"
                + " /lake/orders; writing it would change what it reads. Give the target the"
                + " source's own location (an in-place migration) or one outside it",
            file
                + ":7: above: targetPath: target /lake/clicks holds its own source /lake/clicks/raw;"
                + " writing it would change what it reads. Give the target the source's own"
                + " location (an in-place migration) or one outside it");
  }

  @Test
  void inPlaceAndSiblingLocationsAreFine() throws IOException {
    Path file =
        write(
            "fine.yaml",
            """
            datasets:
              - id: in_place
                source: { path: /lake/a/b }
                target: { path: "file:/lake/a/b/" }
              - id: sibling
                source: { path: /lake/a/b_src }
                target: { path: /lake/a/bc }
              - id: table_in_place
                source: { table: nested_legacy.orders }
                target: { table: nested_legacy.orders }
              - id: sibling_table
                source: { table: nested_legacy.orders_v }
                target: { table: nested_new.orders_v2 }
            """);
    List<DatasetSpec> specs = SpecLoader.load(List.of(file)).orThrow();
    assertThat(Planner.of(spark()).plan(specs).datasets()).hasSize(4);
  }

  @Test
  void anExternalTableWhoseLocationIsInsideAnotherSpecsTargetPathIsRefusedWhenPlanned()
      throws IOException {
    Path lake = temp.resolve("lake");
    spark().range(3).write().parquet(lake.resolve("out/ext").toString());
    spark().sql("DROP TABLE IF EXISTS nested_legacy.ext");
    spark()
        .sql(
            "CREATE TABLE nested_legacy.ext USING parquet LOCATION '"
                + lake.resolve("out/ext")
                + "'");
    Path file =
        write(
            "table_in_path.yaml",
            """
            datasets:
              - id: writer
                source: { table: nested_legacy.orders }
                target: { path: "%s" }
              - id: reader
                source: { table: nested_legacy.ext }
                target: { table: nested_new.ext }
            """
                .formatted(lake.resolve("out")));
    // Paths and names alone show nothing wrong ...
    List<DatasetSpec> specs = SpecLoader.load(List.of(file)).orThrow();
    // ... the metastore's location of the table does.
    assertThatThrownBy(() -> Planner.of(spark()).plan(specs))
        .isInstanceOf(SpecException.class)
        .hasMessageContaining(
            file
                + ":4: writer: target: target "
                + lake.resolve("out")
                + " holds the source of reader, nested_legacy.ext (at file:"
                + lake.resolve("out/ext")
                + ") ("
                + file
                + ":6); writing it would change what reader reads");
  }

  @Test
  void aTargetPathInsideATablesLocationIsRefusedWhenPlanned() throws IOException {
    String orders = TableLocations.of(spark(), "nested_legacy.orders");
    String planned = TableLocations.of(spark(), "nested_new.fresh");
    Path file =
        write(
            "path_in_table.yaml",
            """
            datasets:
              - id: in_place
                source: { table: nested_legacy.orders }
                target: { table: nested_legacy.orders }
              - id: inside_orders
                source: { table: nested_legacy.orders_v }
                target: { path: "%s/extra" }
              - id: fresh
                source: { table: nested_legacy.orders_v }
                target: { table: nested_new.fresh }
              - id: inside_fresh
                source: { table: nested_legacy.orders_v }
                target: { path: "%s/more" }
            """
                .formatted(orders, planned));
    List<DatasetSpec> specs = SpecLoader.load(List.of(file)).orThrow();
    assertThatThrownBy(() -> Planner.of(spark()).plan(specs))
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("2 problems in the specs")
        .hasMessageContaining(
            file
                + ":7: inside_orders: target: target "
                + orders
                + "/extra is inside the target of in_place, nested_legacy.orders (at "
                + Names.path(orders)
                + ")")
        .hasMessageContaining(
            file
                + ":13: inside_fresh: target: target "
                + planned
                + "/more is inside the target of fresh, nested_new.fresh (at "
                + Names.path(planned)
                + ")");
  }
}
