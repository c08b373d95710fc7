package io.dsmigrate.job.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.catalyst.parser.CatalystSqlParser$;
import org.apache.spark.sql.catalyst.parser.ParserInterface;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each rule of a transform's SQL, in the form it allows and the forms it refuses. */
class ReadOnlySelectTest {
  private static final ParserInterface SQL = CatalystSqlParser$.MODULE$;
  private static final String ONLY_SOURCE = "; it may read only the view 'source'";

  @TempDir Path temp;

  private static List<String> check(String sql) {
    return check(sql, SecuritySettings.DEFAULT);
  }

  private static List<String> check(String sql, SecuritySettings security) {
    try {
      return ReadOnlySelect.check(SQL.parsePlan(sql), "source", security);
    } catch (Exception e) { // ParseException is checked
      throw new AssertionError(e);
    }
  }

  private static List<String> checkExpression(String expression) {
    try {
      return ReadOnlySelect.check(SQL.parseExpression(expression), SecuritySettings.DEFAULT);
    } catch (Exception e) { // ParseException is checked
      throw new AssertionError(e);
    }
  }

  @Test
  void oneSelectOverSourceIsAllowedInEveryShape() {
    for (String sql :
        List.of(
            "SELECT id, upper(note) AS note FROM source WHERE id > 10",
            "select * from `SOURCE`",
            "FROM source SELECT id",
            "TABLE source",
            "WITH a AS (SELECT * FROM source), b AS (SELECT * FROM a) SELECT * FROM b JOIN a USING (id)",
            "SELECT * FROM source WHERE id IN (SELECT id FROM source WHERE id > 1)",
            "SELECT k, sum(v) FROM source GROUP BY ROLLUP(k) HAVING sum(v) > 1",
            "SELECT id, count(*) OVER w FROM source WINDOW w AS (PARTITION BY id)",
            "SELECT * FROM source QUALIFY row_number() OVER (ORDER BY id) = 1",
            "SELECT * FROM source LATERAL VIEW explode(array(1, 2)) e AS v",
            "SELECT * FROM source, explode(array(1)) AS e(v)",
            "SELECT s.id, r.id FROM source s CROSS JOIN range(3) r",
            "SELECT * FROM source UNION ALL SELECT * FROM source EXCEPT SELECT * FROM source",
            "SELECT * FROM source PIVOT (sum(x) FOR y IN (1, 2))",
            "FROM source |> WHERE id > 1 |> SELECT id",
            "SELECT * FROM VALUES (1, rand()) AS t(x, y)",
            "SELECT transform(items, x -> x + 1), legacy.clean_name(name) FROM source",
            "SELECT /*+ REPARTITION(3) */ * FROM source TABLESAMPLE (10 PERCENT)")) {
      assertThat(check(sql)).as(sql).isEmpty();
    }
  }

  @Test
  void statementsThatChangeAnythingAreRefused() {
    for (String sql :
        List.of(
            "DROP TABLE legacy.orders",
            "INSERT INTO legacy.orders SELECT * FROM source",
            "DELETE FROM legacy.orders WHERE 1 = 1",
            "UPDATE legacy.orders SET a = 1",
            "MERGE INTO t USING source ON t.id = source.id WHEN MATCHED THEN DELETE",
            "CACHE TABLE source",
            "ANALYZE TABLE t COMPUTE STATISTICS",
            "SHOW TABLES")) {
      assertThat(check(sql)).as(sql).containsExactly("must be one SELECT over the view 'source'");
    }
  }

  @Test
  void otherTablesAreRefusedWhereverTheyHide() {
    assertThat(check("SELECT * FROM legacy.customers"))
        .containsExactly("reads legacy.customers" + ONLY_SOURCE);
    assertThat(check("SELECT * FROM source WHERE id IN (SELECT id FROM hr.salaries)"))
        .containsExactly("reads hr.salaries" + ONLY_SOURCE);
    assertThat(check("SELECT (SELECT max(id) FROM secrets) AS m FROM source"))
        .containsExactly("reads secrets" + ONLY_SOURCE);
    assertThat(check("SELECT * FROM source WHERE EXISTS (SELECT 1 FROM t2)"))
        .containsExactly("reads t2" + ONLY_SOURCE);
    assertThat(check("SELECT * FROM source, LATERAL (SELECT * FROM t4)"))
        .containsExactly("reads t4" + ONLY_SOURCE);
    assertThat(check("WITH a AS (SELECT * FROM other) SELECT * FROM a JOIN source USING (id)"))
        .containsExactly("reads other" + ONLY_SOURCE);
    assertThat(check("WITH a AS (SELECT * FROM source) SELECT * FROM b"))
        .containsExactly("reads b" + ONLY_SOURCE + " and the queries its WITH defines");
    assertThat(check("SELECT * FROM spark_catalog.default.source"))
        .containsExactly("reads spark_catalog.default.source" + ONLY_SOURCE);
    assertThat(check("SELECT * FROM IDENTIFIER('hr.salaries')"))
        .containsExactly("reads hr.salaries" + ONLY_SOURCE);
    assertThat(check("SELECT * FROM IDENTIFIER(concat('hr.', 'salaries'))"))
        .singleElement()
        .asString()
        .startsWith("uses IDENTIFIER(...) with a name computed at run time");
    assertThat(check("SELECT * FROM STREAM source"))
        .singleElement()
        .asString()
        .startsWith("uses a streaming read (STREAM)");
    assertThat(check("SELECT * FROM source WITH (`path` = '/etc')"))
        .singleElement()
        .asString()
        .startsWith("gives options to source (WITH (...))");
  }

  @Test
  void fileReadsAreRefusedUnlessAllowedAndThenOnlyUnderThePathRoots() {
    String read = "SELECT * FROM parquet.`" + temp.resolve("data/orders") + "`";
    assertThat(check(read))
        .containsExactly(
            "reads files directly (parquet.`"
                + temp.resolve("data/orders")
                + "`), which dsmigrate.security.allow-file-reads = false forbids");
    assertThat(check("SELECT * FROM csv.`file:/etc/passwd`")).hasSize(1);
    SecuritySettings allowed =
        new SecuritySettings(true, List.of(), List.of(temp.resolve("data").toString()));
    assertThat(check(read, allowed)).isEmpty();
    assertThat(check("SELECT * FROM json.`" + temp.resolve("data/../etc/x") + "`", allowed))
        .containsExactly(
            "reads "
                + temp.resolve("data/../etc/x")
                + ", which is not under dsmigrate.security.path-roots ("
                + temp.resolve("data")
                + ")");
    assertThat(check("SELECT * FROM read_files('" + temp.resolve("data") + "')", allowed))
        .singleElement()
        .asString()
        .startsWith("uses the table function read_files; allowed ones: explode, explode_outer");
  }

  @Test
  void javaReflectionAndProgramsAreRefused() {
    assertThat(check("SELECT reflect('java.lang.Runtime', 'getRuntime') FROM source"))
        .containsExactly(
            "calls reflect, which runs any Java method; only a read-only SELECT over the view"
                + " 'source' is allowed");
    assertThat(
            check(
                "SELECT * FROM source WHERE java_method('java.lang.Thread', 'sleep', 1L) IS NULL"))
        .singleElement()
        .asString()
        .startsWith("calls java_method");
    assertThat(check("SELECT system.builtin.TRY_REFLECT('a', 'b') FROM source"))
        .singleElement()
        .asString()
        .startsWith("calls TRY_REFLECT");
    assertThat(check("SELECT * FROM source LATERAL VIEW OUTER java_method('a', 'b') e AS v"))
        .singleElement()
        .asString()
        .startsWith("calls java_method");
    assertThat(check("SELECT (SELECT reflect('a', 'b')) FROM source"))
        .singleElement()
        .asString()
        .startsWith("calls reflect");
    assertThat(check("SELECT TRANSFORM(id) USING 'cat' AS (a) FROM source"))
        .singleElement()
        .asString()
        .startsWith("uses TRANSFORM ... USING, which runs a program");
  }

  @Test
  void aColumnExpressionWorksOnTheRowAlone() {
    assertThat(checkExpression("concat(upper(name), '-', CAST(id AS STRING))")).isEmpty();
    assertThat(checkExpression("java_method('java.lang.System', 'getenv', 'HOME')"))
        .containsExactly(
            "calls java_method, which runs any Java method; a column expression may not");
    assertThat(checkExpression("(SELECT max(salary) FROM hr.salaries)"))
        .containsExactly("has a subquery; a column expression works on the row alone");
  }
}
