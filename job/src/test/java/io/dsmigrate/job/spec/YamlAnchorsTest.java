package io.dsmigrate.job.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * YAML anchors and aliases are spec problems at their lines: the YAML reader takes an alias for the
 * text of its name, so {@code table: *t} would silently mean a table named "t".
 */
class YamlAnchorsTest {
  @TempDir Path temp;

  private Path write(String text) throws IOException {
    Path file = temp.resolve("anchors.yaml");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void anAliasIsNotReadAsTheNameOfATable() throws IOException {
    Path file =
        write(
            """
            datasets:
              - id: a
                source: { table: &t legacy.orders }
                target: { table: sales.a }
              - id: b
                source: { table: *t }
                target: { table: sales.b }
            """);
    SpecLoader.Result loaded = SpecLoader.load(List.of(file));
    assertThat(loaded.problems())
        .extracting(Object::toString)
        .containsExactly(
            file
                + ":3: &t is a YAML anchor; anchors and aliases (&name, *name, <<: *name) are not"
                + " supported: write each value out in full",
            file
                + ":6: *t is a YAML alias, which dsmigrate would read as the text 't'; anchors and"
                + " aliases (&name, *name, <<: *name) are not supported: write the value out in"
                + " full");
    assertThat(loaded.specs()).isEmpty();
  }

  @Test
  void aMergeKeyIsRefusedToo() throws IOException {
    Path file =
        write(
            """
            defaults: &defaults
              target: { format: delta }
            ---
            id: c
            <<: *defaults
            source: { table: legacy.c }
            target: { table: sales.c }
            """);
    assertThat(SpecLoader.load(List.of(file)).problems())
        .extracting(Object::toString)
        .containsExactly(
            file
                + ":1: &defaults is a YAML anchor; anchors and aliases (&name, *name, <<: *name)"
                + " are not supported: write each value out in full",
            file
                + ":5: *defaults is a YAML alias, which dsmigrate would read as the text"
                + " 'defaults'; anchors and aliases (&name, *name, <<: *name) are not supported:"
                + " write the value out in full");
  }

  @Test
  void ampersandsAndAsterisksInsideQuotedTextAreText() throws IOException {
    Path file =
        write(
            """
            id: d
            source: { table: legacy.d }
            target: { table: sales.d }
            transform: { sql: "SELECT *, '&x' AS tag FROM source" }
            """);
    assertThat(SpecLoader.load(List.of(file)).problems()).isEmpty();
  }
}
