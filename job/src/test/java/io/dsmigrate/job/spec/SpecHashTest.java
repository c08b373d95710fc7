package io.dsmigrate.job.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spec hash covers what runs and what decides success, so that a rerun skips a dataset only
 * when nothing of that changed; it ignores where the spec file is and how many samples are kept.
 */
class SpecHashTest {
  @TempDir Path temp;

  private static final String BASE =
      """
      id: orders
      source: { table: legacy.orders }
      target: { table: sales.orders }
      transform: { rename: { amt: amount }, add: { src: "'legacy'" } }
      validation:
        key: [ id ]
      """;

  private String hash(String name, String text) throws IOException {
    Path file = temp.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    return SpecLoader.load(List.of(file)).orThrow().get(0).hash();
  }

  @Test
  void specsThatUseNoneOfTheNewlyCoveredFieldsKeepTheHashTheyHadBefore() throws IOException {
    // The hash these specs had before validation settings and script texts counted: a rerun of
    // such a dataset that already succeeded is still skipped.
    assertThat(hash("base.yaml", BASE)).isEqualTo("a8590708b1902d73daa1515a2324bd2b");
  }

  @Test
  void whatDecidesSuccessOrWhatIsWrittenChangesTheHash() throws IOException {
    String base = hash("base.yaml", BASE);
    assertThat(hash("ignore.yaml", BASE + "  ignore: [ loaded_at ]\n")).isNotEqualTo(base);
    assertThat(hash("tolerance.yaml", BASE + "  tolerance: { amount: \"0.01\" }\n"))
        .isNotEqualTo(base)
        .isNotEqualTo(hash("tolerance2.yaml", BASE + "  tolerance: { amount: \"0.02\" }\n"));
    assertThat(hash("query.yaml", BASE + "  queries: [ \"SELECT count(*) FROM dataset\" ]\n"))
        .isNotEqualTo(base)
        .isNotEqualTo(
            hash("query2.yaml", BASE + "  queries: [ \"SELECT count(id) FROM dataset\" ]\n"));
    assertThat(
            hash(
                "pair.yaml",
                BASE
                    + "  queries:\n    - old: \"SELECT amt FROM dataset\"\n"
                    + "      new: \"SELECT amount FROM dataset\"\n"))
        .isNotEqualTo(
            hash(
                "pair2.yaml",
                BASE
                    + "  queries:\n    - old: \"SELECT amt FROM dataset\"\n"
                    + "      new: \"SELECT amount AS amt FROM dataset\"\n"));
    assertThat(
            hash(
                "partitioned.yaml",
                BASE.replace("sales.orders }", "sales.orders, partitionBy: [ day ] }")))
        .isNotEqualTo(base);
    assertThat(
            hash("parquet.yaml", BASE.replace("sales.orders }", "sales.orders, format: parquet }")))
        .isNotEqualTo(base);
    assertThat(hash("expression.yaml", BASE.replace("'legacy'", "'old'"))).isNotEqualTo(base);
    // What the target says of itself is written with it.
    assertThat(
            hash(
                "comment.yaml",
                BASE.replace("sales.orders }", "sales.orders, comment: \"orders\" }")))
        .isNotEqualTo(base);
    assertThat(
            hash(
                "properties.yaml",
                BASE.replace("sales.orders }", "sales.orders, properties: { team: web } }")))
        .isNotEqualTo(base);
    assertThat(
            hash(
                "column-comments.yaml",
                BASE.replace(
                    "sales.orders }", "sales.orders, column-comments: { amount: \"euros\" } }")))
        .isNotEqualTo(base);
  }

  @Test
  void samplesAndTheSpecFilesLocationDoNotChangeTheHash() throws IOException {
    String base = hash("base.yaml", BASE);
    assertThat(hash("samples.yaml", BASE + "  samples: 99\n")).isEqualTo(base);
    assertThat(hash("elsewhere/deeper/moved.yaml", "\n# moved\n" + BASE)).isEqualTo(base);
  }

  @Test
  void aScriptsTextCountsNotOnlyItsName() throws IOException {
    String spec =
        """
        id: scripted
        source: { table: legacy.orders }
        target: { table: sales.scripted }
        transform: { script: t.sql }
        """;
    Files.writeString(temp.resolve("t.sql"), "SELECT id FROM source\n");
    String before = hash("scripted.yaml", spec);
    Files.writeString(temp.resolve("t.sql"), "SELECT id, amt FROM source\n");
    assertThat(hash("scripted.yaml", spec)).isNotEqualTo(before);
    Files.writeString(temp.resolve("t.sql"), "SELECT id FROM source\n");
    assertThat(hash("scripted.yaml", spec)).isEqualTo(before);
  }
}
