package io.dsmigrate.job.spec;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.security.SecuritySettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What specs may ask for, checked when they load: each rule, accepted and refused. */
class SpecSecurityTest {
  @TempDir Path temp;

  private Path write(String name, String text) throws IOException {
    Path file = temp.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    return file;
  }

  private static List<String> problems(Path file, SecuritySettings security) {
    return SpecLoader.load(List.of(file), security).problems().stream()
        .map(SpecProblem::toString)
        .toList();
  }

  private static String spec(String transform) {
    return "id: x\nsource: { table: legacy.x }\ntarget: { table: new.x }\ntransform:\n  "
        + transform
        + "\n";
  }

  @Test
  void aTransformReadsOnlySource() throws IOException {
    Path ok = write("ok.yaml", spec("sql: \"SELECT id FROM source WHERE id IN (SELECT 1)\""));
    assertThat(problems(ok, SecuritySettings.DEFAULT)).isEmpty();
    Path other =
        write(
            "other.yaml",
            spec("sql: \"SELECT s.id, c.name FROM source s JOIN legacy.customers c USING (id)\""));
    assertThat(problems(other, SecuritySettings.DEFAULT))
        .containsExactly(
            other
                + ":5: x: transform.sql: reads legacy.customers; it may read only the view"
                + " 'source'");
    Path reflect =
        write("reflect.yaml", spec("sql: \"SELECT java_method('java.lang.System', 'exit', 1)\""));
    assertThat(problems(reflect, SecuritySettings.DEFAULT))
        .singleElement()
        .asString()
        .startsWith(
            reflect + ":5: x: transform.sql: calls java_method, which runs any Java method");
  }

  @Test
  void fileReadsNeedTheSettingAndAPathUnderTheRoots() throws IOException {
    String read = "sql: \"SELECT * FROM parquet.`" + temp.resolve("data/x") + "`\"";
    Path file = write("files.yaml", spec(read));
    assertThat(problems(file, SecuritySettings.DEFAULT))
        .singleElement()
        .asString()
        .endsWith("which dsmigrate.security.allow-file-reads = false forbids");
    assertThat(
            problems(
                file,
                new SecuritySettings(true, List.of(), List.of(temp.resolve("data").toString()))))
        .isEmpty();
  }

  @Test
  void aColumnExpressionCannotCallJavaOrReadTables() throws IOException {
    Path ok = write("ok.yaml", spec("add: { source_system: \"concat('legacy-', id)\" }"));
    assertThat(problems(ok, SecuritySettings.DEFAULT)).isEmpty();
    Path bad =
        write(
            "bad.yaml",
            spec(
                "add:\n    home: \"reflect('java.lang.System', 'getenv', 'HOME')\"\n"
                    + "    top: \"(SELECT max(salary) FROM hr.salaries)\""));
    assertThat(problems(bad, SecuritySettings.DEFAULT))
        .containsExactly(
            bad
                + ":6: x: transform.add.home: calls reflect, which runs any Java method; a column"
                + " expression may not",
            bad
                + ":7: x: transform.add.top: has a subquery; a column expression works on the row"
                + " alone");
  }

  @Test
  void scriptsComeFromTheSpecsDirectoryUnlessLocationsAreConfigured() throws IOException {
    write("specs/sql/ok.sql", "SELECT id FROM source\n");
    write("shared/orders.sql", "SELECT id FROM source\n");
    Path inside = write("specs/inside.yaml", spec("script: sql/ok.sql"));
    assertThat(problems(inside, SecuritySettings.DEFAULT)).isEmpty();

    Path outside = write("specs/outside.yaml", spec("script: ../shared/orders.sql"));
    assertThat(problems(outside, SecuritySettings.DEFAULT))
        .containsExactly(
            outside
                + ":5: x: transform.script: script "
                + temp.resolve("shared/orders.sql")
                + " is not in "
                + temp.resolve("specs")
                + ", the directory of its spec file, where scripts are read from unless"
                + " dsmigrate.security.script-locations names other places");
    SecuritySettings shared =
        new SecuritySettings(false, List.of(temp.resolve("shared").toString()), List.of());
    assertThat(problems(outside, shared)).isEmpty();
    assertThat(problems(inside, shared))
        .singleElement()
        .asString()
        .contains("is not under dsmigrate.security.script-locations (" + temp.resolve("shared"));

    Path remote = write("specs/remote.yaml", spec("script: hdfs://namenode/sql/orders.sql"));
    assertThat(problems(remote, SecuritySettings.DEFAULT))
        .singleElement()
        .asString()
        .contains("script hdfs://namenode/sql/orders.sql is not in " + temp.resolve("specs"));
  }

  @Test
  void aScriptIsCheckedLikeSqlAndCannotLeaveThroughALink() throws IOException {
    write("specs/sql/drop.sql", "-- cleanup first\nDROP TABLE legacy.x;\n");
    Path drop = write("specs/drop.yaml", spec("script: sql/drop.sql"));
    assertThat(problems(drop, SecuritySettings.DEFAULT))
        .containsExactly(
            drop + ":5: x: transform.script: must be one SELECT over the view 'source'");

    Path secret = write("secret/orders.sql", "SELECT id FROM source\n");
    Files.createSymbolicLink(temp.resolve("specs/sql/link.sql"), secret);
    Path link = write("specs/link.yaml", spec("script: sql/link.sql"));
    assertThat(problems(link, SecuritySettings.DEFAULT))
        .singleElement()
        .asString()
        .contains("transform.script: script " + temp.resolve("specs/sql/link.sql") + " is not in");
  }

  @Test
  void pathsMustBeUnderTheRootsWhenRootsAreConfigured() throws IOException {
    SecuritySettings roots =
        new SecuritySettings(
            false,
            List.of(),
            List.of(temp.resolve("legacy").toString(), temp.resolve("warehouse").toString()));
    Path ok =
        write(
            "ok.yaml",
            "id: x\nsource: { path: %s }\ntarget: { path: %s }\n"
                .formatted(temp.resolve("legacy/x"), temp.resolve("warehouse/x")));
    assertThat(problems(ok, roots)).isEmpty();
    Path bad =
        write(
            "bad.yaml",
            "id: x\nsource: { path: %s }\ntarget: { table: new.x, path: %s }\n"
                .formatted(temp.resolve("legacy/../etc"), "/tmp/elsewhere/x"));
    assertThat(problems(bad, roots))
        .containsExactly(
            bad
                + ":2: x: source.path: "
                + temp.resolve("legacy/../etc")
                + " is not under dsmigrate.security.path-roots ("
                + temp.resolve("legacy")
                + ", "
                + temp.resolve("warehouse")
                + ")",
            bad
                + ":3: x: target.path: /tmp/elsewhere/x is not under dsmigrate.security.path-roots"
                + " ("
                + temp.resolve("legacy")
                + ", "
                + temp.resolve("warehouse")
                + ")");
    Path template = write("template.yaml", "sourcePath: /data/clicks\ntargetPath: /warehouse/x\n");
    assertThat(problems(template, roots)).hasSize(2);
    assertThat(problems(template, SecuritySettings.DEFAULT)).isEmpty();
  }

  @Test
  void tableNamesThatAreNotMetastoreNamesAreRefused() throws IOException {
    Path ok =
        write("ok.yaml", "id: x\nsource: { table: \"`legacy`.`x_1`\" }\ntarget: { table: y }\n");
    assertThat(problems(ok, SecuritySettings.DEFAULT)).isEmpty();
    Path bad =
        write(
            "bad.yaml",
            """
            id: "x'; DROP TABLE y; --"
            source: { table: "legacy.x`; DROP TABLE y; --" }
            target: { table: "a.b.c" }
            """);
    assertThat(problems(bad, SecuritySettings.DEFAULT))
        .containsExactly(
            bad
                + ":2: x'; DROP TABLE y; --: source.table: 'legacy.x`; DROP TABLE y; --' is not a"
                + " table name; give table or database.table, each of letters, digits and _",
            bad
                + ":3: x'; DROP TABLE y; --: target.table: 'a.b.c' is not a table name; give table"
                + " or database.table, each of letters, digits and _");
  }

  @Test
  void consumerQueriesReadOnlyDataset() throws IOException {
    Path file =
        write(
            "q.yaml",
            """
            id: q
            source: { table: legacy.q }
            target: { table: new.q }
            validation:
              queries:
                - "SELECT region, count(*) FROM dataset GROUP BY region"
                - "SELECT * FROM dataset d JOIN hr.salaries s USING (id)"
            """);
    assertThat(problems(file, SecuritySettings.DEFAULT))
        .containsExactly(
            file
                + ":7: q: validation.queries: reads hr.salaries; it may read only the view"
                + " 'dataset'");
  }
}
