package io.dsmigrate.job.spec;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.JobTestBase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A source or target path is absolute (a URI, or {@code /...}): a relative one is a spec problem at
 * its line, so it is never resolved against the current directory nor taken for a table name.
 */
class RelativePathsTest extends JobTestBase {
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
  void aRelativeTargetPathNextToATableOfThatNameIsRefusedAtLoadAndTheTableStays()
      throws IOException {
    spark().sql("DROP TABLE IF EXISTS default.relpath_orders");
    spark().sql("CREATE TABLE default.relpath_orders (id INT) USING parquet");
    spark().sql("INSERT INTO default.relpath_orders VALUES (1), (2), (3)");
    List<String> before = state("default.relpath_orders").rows();
    spark()
        .range(5)
        .selectExpr("CAST(id AS INT) AS id")
        .write()
        .parquet(path("legacy/relpath_orders"));
    Path file =
        write(
            "orders.yaml",
            """
            id: orders
            source: { path: "%s" }
            target: { path: relpath_orders }
            """
                .formatted(path("legacy/relpath_orders")));

    SpecLoader.Result loaded = SpecLoader.load(List.of(file));

    assertThat(loaded.problems())
        .extracting(Object::toString)
        .containsExactly(
            file
                + ":3: orders: target.path: 'relpath_orders' is a relative path, which would be"
                + " read against whatever directory dsmigrate runs in; give an absolute path"
                + " (/...) or a URI (hdfs://namenode/...), or target: { table: relpath_orders }"
                + " if you mean a table");
    if (loaded.problems().isEmpty()) {
      // What the spec would have done: validated against, then dropped, the table of that name.
      run(settings("relpath_results"), loaded.specs(), "relpath-run");
    }
    assertThat(spark().catalog().tableExists("default.relpath_orders")).isTrue();
    assertThat(state("default.relpath_orders").rows()).isEqualTo(before);
  }

  @Test
  void relativeSourceAndTemplatePathsAreRefusedAtTheirLines() throws IOException {
    Path file =
        write(
            "relative.yaml",
            """
            datasets:
              - id: a
                source: { path: data/orders, format: parquet }
                target: { path: /warehouse/a }
              - id: b
                sourcePath: ./clicks
                targetPath: out/clicks
              - id: c
                source: { path: "file:legacy/c" }
                target: { path: "file:/warehouse/c" }
            """);
    assertThat(problems(file))
        .containsExactlyInAnyOrder(
            relative(file, 3, "a", "source.path", "data/orders", ""),
            relative(file, 6, "b", "sourcePath", "./clicks", ""),
            relative(file, 7, "b", "targetPath", "out/clicks", ""),
            relative(file, 9, "c", "source.path", "file:legacy/c", ""));
  }

  private static String relative(
      Path file, int line, String id, String field, String path, String suffix) {
    return file
        + ":"
        + line
        + ": "
        + id
        + ": "
        + field
        + ": '"
        + path
        + "' is a relative path, which would be read against whatever directory dsmigrate runs"
        + " in; give an absolute path (/...) or a URI (hdfs://namenode/...)"
        + suffix;
  }

  @Test
  void absolutePathsAndUrisAreAccepted() throws IOException {
    Path file =
        write(
            "absolute.yaml",
            """
            datasets:
              - { id: a, source: { path: /data/a }, target: { path: /warehouse/a } }
              - { id: b, source: { path: "file:/data/b" }, target: { path: "file:///warehouse/b" } }
              - { id: c, source: { path: "hdfs://nn:8020/data/c" }, target: { path: "s3a://bucket/c" } }
              - { id: d, sourcePath: /data/d, targetPath: "hdfs:///warehouse/d" }
            """);
    assertThat(problems(file)).isEmpty();
  }
}
