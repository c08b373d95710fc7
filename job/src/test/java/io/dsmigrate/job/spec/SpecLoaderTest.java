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
            owner: team-web
            """);
    DatasetSpec spec = SpecLoader.load(List.of(file)).orThrow().get(0);
    assertThat(spec.id()).isEqualTo("clicks");
    assertThat(spec.source().path()).isEqualTo("/data/legacy/clicks");
    assertThat(spec.target().path()).isEqualTo("/warehouse/web/clicks");
    assertThat(spec.consumers()).containsExactly("growth");
    assertThat(spec.owner()).isEqualTo("team-web");
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

  @Test
  void readsWhatTheTargetSaysOfItself() throws IOException {
    Path file =
        write(
            "meta.yaml",
            """
            id: m
            source: { table: a.m }
            target:
              table: b.m
              comment: "orders, migrated"
              properties: { team: finance, retention: "30", empty: "" }
              column-comments: { customer_id: "who ordered", amount: "" }
            transform: { rename: { cust_id: customer_id } }
            """);
    TargetSpec target = SpecLoader.load(List.of(file)).orThrow().get(0).target();
    assertThat(target.comment()).isEqualTo("orders, migrated");
    assertThat(target.properties())
        .containsExactly(
            java.util.Map.entry("team", "finance"),
            java.util.Map.entry("retention", "30"),
            java.util.Map.entry("empty", ""));
    assertThat(target.columnComments())
        .containsExactly(
            java.util.Map.entry("customer_id", "who ordered"), java.util.Map.entry("amount", ""));
  }

  @Test
  void metadataMistakesAreReportedWithTheirLinesAndTheFix() throws IOException {
    Path file =
        write(
            "badmeta.yaml",
            """
            id: m
            source: { table: a.m }
            target:
              table: b.m
              comment: 42
              properties:
                retention: 30
                enabled: true
                ratio: 1.10
                dsmigrate.run: mine
                owner: alice
                nested: { a: b }
              column-comments:
                cust_id: "renamed away"
                legacy_flag: "dropped"
                Amount: "in euros"
                amount: "again"
                id: [ "a list" ]
            transform:
              rename: { cust_id: customer_id }
              drop: [ legacy_flag ]
            """);
    assertThat(SpecLoader.load(List.of(file)).problems())
        .extracting(Object::toString)
        .containsExactlyInAnyOrder(
            file
                + ":5: m: target.comment: expected text, found a number (42); quote it so that it"
                + " is kept exactly as written: comment: \"42\"",
            file
                + ":7: m: target.properties.retention: expected text, found a number (30); quote"
                + " it so that it is kept exactly as written: retention: \"30\"",
            file
                + ":8: m: target.properties.enabled: expected text, found true/false (true);"
                + " quote it so that it is kept exactly as written: enabled: \"true\"",
            file
                + ":9: m: target.properties.ratio: expected text, found a number (1.1); quote it"
                + " so that it is kept exactly as written: ratio: \"...\"",
            file
                + ":10: m: target.properties.dsmigrate.run: dsmigrate sets the dsmigrate.*"
                + " properties itself (dsmigrate.source, dsmigrate.dataset, dsmigrate.run); give"
                + " your property another name",
            file
                + ":11: m: target.properties.owner: the target's owner is the source's (as the"
                + " metastore reports it), not a property; remove it and change the owner in the"
                + " metastore after the migration if needed",
            file
                + ":12: m: target.properties.nested: expected text, found a map; write it as"
                + " nested: \"...\"",
            file
                + ":14: m: target.column-comments.cust_id: transform.rename renames 'cust_id' to"
                + " 'customer_id'; name the column as the target has it: customer_id: \"...\"",
            file
                + ":15: m: target.column-comments.legacy_flag: transform.drop removes"
                + " 'legacy_flag', so the target has no such column; remove its comment, or keep"
                + " the column",
            file
                + ":17: m: target.column-comments.amount: 'amount' is the column 'Amount' again"
                + " (column names are not case-sensitive); give each column once",
            file
                + ":18: m: target.column-comments.id: expected text, found a list; write it as id:"
                + " \"...\"");

    Path notMaps =
        write(
            "notmaps.yaml",
            """
            id: n
            source: { table: a.n }
            target: { table: b.n, properties: [ a ], column-comments: text }
            """);
    assertThat(SpecLoader.load(List.of(notMaps)).problems())
        .extracting(Object::toString)
        .containsExactlyInAnyOrder(
            notMaps
                + ":3: n: target.properties: expected a map like { name: \"text\" }, found a list",
            notMaps
                + ":3: n: target.column-comments: expected a map like { name: \"text\" }, found"
                + " text");

    Path parquetPath =
        write(
            "parquet.yaml",
            """
            id: p
            source: { table: a.p }
            target: { path: /data/p, format: parquet, comment: "nowhere to keep it" }
            """);
    assertThat(SpecLoader.load(List.of(parquetPath)).problems())
        .extracting(Object::toString)
        .containsExactly(
            parquetPath
                + ":3: p: target.comment: a Parquet target without a table has nowhere to keep a"
                + " table comment or properties; give target.table as well, or remove them");
  }
}
