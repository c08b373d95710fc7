package io.dsmigrate.job.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsmigrate.validation.Tolerance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecLoaderTest {
  @TempDir Path temp;

  private Path write(String name, String text) throws IOException {
    Path file = temp.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    return file;
  }

  @Test
  void readsAListOfSpecsWithEveryField() throws IOException {
    write("specs/sql/orders.sql", "SELECT id FROM source\n");
    Path file =
        write(
            "specs/sales.yaml",
            """
            datasets:
              - id: sales.orders
                source: { table: legacy.orders }
                target: { table: sales.orders, path: /warehouse/sales/orders, format: delta, partitionBy: [order_date] }
                transform:
                  rename: { cust_id: customer_id }
                  cast:   { amount: "decimal(18,2)" }
                  drop:   [ legacy_flag ]
                  add:    { migrated_at: "current_date()" }
                key: [ order_id ]
                consumers: [ finance-reporting ]
              - id: sales.refunds
                source: { path: /data/legacy/refunds, format: parquet }
                target: { path: /warehouse/sales/refunds }
                transform: { script: sql/orders.sql }
            """);
    List<DatasetSpec> specs = SpecLoader.load(List.of(file)).orThrow();
    assertThat(specs).hasSize(2);
    DatasetSpec orders = specs.get(0);
    assertThat(orders.id()).isEqualTo("sales.orders");
    assertThat(orders.source().table()).isEqualTo("legacy.orders");
    assertThat(orders.target().partitionBy()).containsExactly("order_date");
    assertThat(orders.transform().rename()).containsEntry("cust_id", "customer_id");
    assertThat(orders.transform().cast()).containsEntry("amount", "decimal(18,2)");
    assertThat(orders.transform().drop()).containsExactly("legacy_flag");
    assertThat(orders.transform().add()).containsEntry("migrated_at", "current_date()");
    assertThat(orders.key()).containsExactly("order_id");
    assertThat(orders.consumers()).containsExactly("finance-reporting");
    assertThat(orders.at("transform.cast.amount")).isEqualTo(file + ":7");
    DatasetSpec refunds = specs.get(1);
    assertThat(refunds.target().format()).isEqualTo("delta");
    assertThat(refunds.transform().script())
        .isEqualTo(temp.resolve("specs/sql/orders.sql").toUri().toString());
  }

  @Test
  void acceptsTheGuideTemplateFields() throws IOException {
    Path file =
        write(
            "backstage.yaml",
            """
            sourcePath: /data/legacy/clicks
            targetPath: /warehouse/web/clicks
            consumers: [ growth ]
            """);
    DatasetSpec spec = SpecLoader.load(List.of(file)).orThrow().get(0);
    assertThat(spec.id()).isEqualTo("clicks");
    assertThat(spec.source().path()).isEqualTo("/data/legacy/clicks");
    assertThat(spec.target().path()).isEqualTo("/warehouse/web/clicks");
    assertThat(spec.consumers()).containsExactly("growth");
  }

  @Test
  void reportsEveryProblemInEveryFileWithFileAndLine() throws IOException {
    write(
        "specs/a.yaml",
        """
        datasets:
          - id: one
            source: { table: legacy.one }
            target: { table: new.one }
            colour: blue
          - id: two
            source: { table: legacy.two }
            target: { table: new.one }
            transform:
              cast: { amount: "decimal(18,2" }
          - id: one
            source: { table: legacy.three }
            target: { table: new.three }
        """);
    write(
        "specs/b.yaml",
        """
        datasets:
          - source: { table: legacy.four }
          - id: five
            source: { table: legacy.five }
            target: { table: legacy.two }
            transform:
              sql: "SELEC id FROM source"
          - id: six
            source: { table: legacy.six, path: /x }
            target: { table: new.six, format: csv }
            key: id
        """);
    write("specs/c.yml", "datasets: [ { id: broken\n");
    SpecLoader.Result result = SpecLoader.load(List.of(temp.resolve("specs")));
    List<String> problems = result.problems().stream().map(SpecProblem::toString).toList();
    String a = temp.resolve("specs/a.yaml").toString();
    String b = temp.resolve("specs/b.yaml").toString();
    String c = temp.resolve("specs/c.yml").toString();
    assertThat(problems)
        .anySatisfy(p -> assertThat(p).startsWith(a + ":5: one: colour: unknown field"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(
                        a
                            + ":10: two: transform.cast.amount: 'decimal(18,2' is not a Spark SQL type"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(a + ":11: one: id: duplicate id; also used at " + a + ":2"))
        .anySatisfy(
            p -> assertThat(p).startsWith(a + ":8: two: target: writes the same target as one"))
        .anySatisfy(p -> assertThat(p).startsWith(b + ":2: ").contains("target: missing"))
        .anySatisfy(
            p -> assertThat(p).startsWith(b + ":7: five: transform.sql: cannot parse the SQL"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(
                        b + ":5: five: target: writes legacy.two, which is the source of two"))
        .anySatisfy(
            p -> assertThat(p).startsWith(b + ":9: six: source: give a table or a path, not both"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(b + ":10: six: target.format: 'csv' is not a target format"))
        .anySatisfy(p -> assertThat(p).startsWith(b + ":11: six: key: expected a list"))
        .anySatisfy(p -> assertThat(p).startsWith(c + ":").contains("not valid YAML"));
    assertThat(result.specs()).isNotEmpty();
    assertThatThrownBy(result::orThrow)
        .isInstanceOf(SpecException.class)
        .hasMessageContaining(problems.size() + " problems in the specs; nothing was migrated");
  }

  @Test
  void aTransformIsColumnOperationsOrSqlButNotBoth() throws IOException {
    Path file =
        write(
            "x.yaml",
            """
            id: x
            source: { table: a.x }
            target: { table: b.x }
            transform:
              rename: { a: b }
              sql: "SELECT * FROM source"
            """);
    assertThat(SpecLoader.load(List.of(file)).problems())
        .singleElement()
        .hasToString(
            file
                + ":4: x: transform: use column operations (rename/cast/drop/add), 'sql' or 'script': only one of them");
  }

  @Test
  void sqlMustBeAQuery() throws IOException {
    Path file =
        write(
            "x.yaml",
            """
            id: x
            source: { table: a.x }
            target: { table: b.x }
            transform: { sql: "DROP TABLE a.x" }
            """);
    assertThat(SpecLoader.load(List.of(file)).problems())
        .singleElement()
        .hasToString(file + ":4: x: transform.sql: must be one SELECT over the view 'source'");
  }

  @Test
  void readsTheValidationBlock() throws IOException {
    Path file =
        write(
            "v.yaml",
            """
            id: v
            source: { table: a.v }
            target: { table: b.v }
            validation:
              key: [ id, day ]
              ignore: [ loaded_at ]
              tolerance: { amount: "0.01", ratio: "1e-9 relative" }
              samples: 5
              queries:
                - "SELECT region, sum(amount) FROM dataset GROUP BY region"
                - old: "SELECT kind FROM dataset"
                  new: "SELECT category AS kind FROM dataset"
            """);
    DatasetSpec spec = SpecLoader.load(List.of(file)).orThrow().get(0);
    ValidationSpec validation = spec.validation();
    assertThat(spec.key()).containsExactly("id", "day");
    assertThat(validation.ignore()).containsExactly("loaded_at");
    assertThat(validation.tolerances())
        .containsEntry("amount", new Tolerance(0.01, 0))
        .containsEntry("ratio", new Tolerance(0, 1e-9));
    assertThat(validation.samples()).isEqualTo(5);
    assertThat(validation.queries())
        .containsExactly(
            new ValidationSpec.ConsumerQuery(
                "SELECT region, sum(amount) FROM dataset GROUP BY region",
                "SELECT region, sum(amount) FROM dataset GROUP BY region"),
            new ValidationSpec.ConsumerQuery(
                "SELECT kind FROM dataset", "SELECT category AS kind FROM dataset"));
  }

  @Test
  void validationMistakesAreReportedWithTheirLines() throws IOException {
    Path file =
        write(
            "bad.yaml",
            """
            id: w
            source: { table: a.w }
            target: { table: b.w }
            key: [ id ]
            validation:
              key: [ id ]
              ignore: [ ID ]
              tolerance: { amount: "a lot" }
              samples: -1
              queries:
                - "DELETE FROM dataset"
                - 42
              tolerence: { x: "1" }
            """);
    assertThat(SpecLoader.load(List.of(file)).problems())
        .extracting(Object::toString)
        .containsExactlyInAnyOrder(
            file
                + ":13: w: validation.tolerence: unknown field; allowed here: ignore, key, queries, samples, tolerance",
            file + ":6: w: validation.key: give 'key' or 'validation.key', not both",
            file + ":7: w: validation.ignore: 'ID' is a key column; a key column cannot be ignored",
            file
                + ":8: w: validation.tolerance.amount: cannot read the tolerance 'a lot'; write an absolute difference (0.01), a relative one (1e-9 relative) or a percentage (0.5%)",
            file + ":9: w: validation.samples: expected a number of rows >= 0, found '-1'",
            file + ":11: w: validation.queries: must be one SELECT over the view 'dataset'",
            file
                + ":12: w: validation.queries: expected a SQL query, or { old: SQL, new: SQL }, found a number");
    Path noKey =
        write(
            "nokey.yaml",
            """
            id: t
            source: { table: a.t }
            target: { table: b.t }
            validation:
              tolerance: { amount: "0.01" }
            """);
    assertThat(SpecLoader.load(List.of(noKey)).problems())
        .singleElement()
        .hasToString(
            noKey
                + ":5: t: validation.tolerance: tolerances need key columns to pair old and new rows; add validation.key");
  }

  @Test
  void specHashChangesWithWhatIsWrittenNotWithWhereTheSpecIs() throws IOException {
    String text =
        """
        id: x
        source: { table: a.x }
        target: { table: b.x }
        """;
    DatasetSpec first = SpecLoader.load(List.of(write("one.yaml", text))).orThrow().get(0);
    DatasetSpec moved =
        SpecLoader.load(List.of(write("sub/two.yaml", "\n\n" + text))).orThrow().get(0);
    DatasetSpec changed =
        SpecLoader.load(List.of(write("three.yaml", text + "transform: { drop: [ y ] }\n")))
            .orThrow()
            .get(0);
    assertThat(moved.hash()).isEqualTo(first.hash());
    assertThat(changed.hash()).isNotEqualTo(first.hash());
  }
}
