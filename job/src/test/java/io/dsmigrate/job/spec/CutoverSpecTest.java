package io.dsmigrate.job.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CutoverSpecTest {
  @TempDir Path temp;

  private SpecLoader.Result load(String text) throws IOException {
    Path file = temp.resolve("cutover.yaml");
    Files.writeString(file, text);
    return SpecLoader.load(List.of(file));
  }

  @Test
  void cutoverIsReadAndChangesTheHashOnlyWhenSet() throws IOException {
    List<DatasetSpec> specs =
        load("""
                datasets:
                  - { id: a, source: { table: legacy.a }, target: { table: sales.a }, cutover: true }
                  - { id: b, source: { table: legacy.b }, target: { table: sales.b }, cutover: false }
                """)
            .orThrow();
    assertThat(specs).extracting(DatasetSpec::cutover).containsExactly(true, false);
    DatasetSpec a = specs.get(0);
    assertThat(a.hash()).isNotEqualTo(withoutCutover(a).hash());
    DatasetSpec b = specs.get(1);
    DatasetSpec bWithoutTheField =
        load("{ id: b, source: { table: legacy.b }, target: { table: sales.b } }").orThrow().get(0);
    assertThat(bWithoutTheField.hash())
        .as("specs written before cut-over existed keep their hash")
        .isEqualTo(b.hash());
  }

  private static DatasetSpec withoutCutover(DatasetSpec spec) {
    return new DatasetSpec(
        spec.id(),
        spec.source(),
        spec.target(),
        spec.transform(),
        spec.validation(),
        spec.consumers(),
        false,
        spec.origin());
  }

  @Test
  void aCutoverThatCannotWorkIsReportedWithItsLineAndWhatToChange() throws IOException {
    String file = temp.resolve("cutover.yaml").toString();
    List<String> problems =
        load(
                """
                datasets:
                  - id: from_path
                    source: { path: /data/legacy/a }
                    target: { table: sales.a }
                    cutover: true
                  - id: to_path
                    source: { table: legacy.b }
                    target: { path: /warehouse/b, format: parquet }
                    cutover: true
                  - id: in_place
                    source: { table: legacy.c }
                    target: { table: LEGACY.c }
                    cutover: true
                  - id: not_a_flag
                    source: { table: legacy.d }
                    target: { table: sales.d }
                    cutover: "yes please"
                  - id: twice
                    source: { table: legacy.e }
                    target: { table: sales.e1 }
                    cutover: true
                  - id: again
                    source: { table: legacy.e }
                    target: { table: sales.e2 }
                    cutover: true
                """)
            .problems()
            .stream()
            .map(SpecProblem::toString)
            .toList();
    assertThat(problems)
        .containsExactlyInAnyOrder(
            file
                + ":5: from_path: cutover: needs a source table: cut-over gives the source's table"
                + " name to the target, and source /data/legacy/a is a path. Give source: { table:"
                + " db.name }, or remove 'cutover: true'",
            file
                + ":9: to_path: cutover: needs a target table: the source's name is pointed at the"
                + " target's data, and the target name keeps working too. Give target: { table:"
                + " db.name } (a path as well if you like), or remove 'cutover: true'",
            file
                + ":9: to_path: cutover: needs a Delta target: the source's name becomes an"
                + " external Delta table over the target's files. Remove target.format: parquet, or"
                + " remove 'cutover: true'",
            file
                + ":13: in_place: cutover: the target is the source table itself (an in-place"
                + " migration keeps its name anyway); give another target table, or remove"
                + " 'cutover: true'",
            file + ":17: not_a_flag: cutover: expected true or false, found 'yes please'",
            file
                + ":25: again: cutover: cuts over legacy.e, as twice does ("
                + file
                + ":21); only one dataset can take over a table's name");
  }
}
