package io.dsmigrate.job.assess;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The specs an assessment drafts, one file per table: {@code <dir>/<db>/<table>.yaml} for a table
 * that the draft migrates faithfully, which {@code plan --specs <dir>} reads as it is, and {@code
 * <dir>/needs-review/<db>/<table>.yaml.review} for one that it does not, with the issues as
 * comments (no {@code plan} reads it until someone renames it).
 *
 * <p>A draft never overwrites what a person wrote: each draft ends its header with a line that
 * holds a hash of the file, and a file is replaced (or removed, when the table moves between the
 * two places) only while its text still matches that hash. An edited file is kept as it is.
 */
final class SpecDrafts {
  static final String REVIEW = "needs-review";
  private static final String MARK = "# Unedited draft ";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path directory;

  SpecDrafts(Path directory) {
    this.directory = requireNonNull(directory, "directory is null");
  }

  /**
   * A drafted spec.
   *
   * @param id the spec's id
   * @param source the source table ({@code db.table})
   * @param target the target table
   * @param partitionBy the target's partition columns
   * @param owner the metastore's owner, or null
   * @param description the table's comment, or null
   * @param notes what to check, one comment line each
   * @param issues why it is not migrated faithfully as drafted (empty: it is)
   */
  record Draft(
      String id,
      String source,
      String target,
      List<String> partitionBy,
      String owner,
      String description,
      List<String> notes,
      List<String> issues) {
    Draft {
      partitionBy = List.copyOf(partitionBy);
      notes = List.copyOf(notes);
      issues = List.copyOf(issues);
    }

    Draft withIssue(String issue) {
      List<String> more = new ArrayList<>(issues);
      more.add(issue);
      return new Draft(id, source, target, partitionBy, owner, description, notes, more);
    }

    /** The file's text: the header (what to check, the issues), then the spec. */
    String text() {
      StringBuilder text = new StringBuilder();
      text.append("# Drafted by dsmigrate assess from the metastore's ")
          .append(source)
          .append(".\n");
      if (!issues.isEmpty()) {
        text.append(
            "# NEEDS REVIEW: migrated as drafted, it would not be migrated faithfully. Resolve"
                + " these,\n# then rename this file to .yaml in the specs directory:\n");
        issues.forEach(issue -> comment(text, "  - ", issue));
      }
      text.append("# Check before you plan it:\n");
      notes.forEach(note -> comment(text, "  - ", note));
      StringBuilder spec = new StringBuilder();
      spec.append("id: ").append(quoted(id)).append('\n');
      if (description != null && !description.isBlank()) {
        spec.append("description: ").append(quoted(description)).append('\n');
      }
      if (owner != null && !owner.isBlank()) {
        spec.append("owner: ").append(quoted(owner)).append('\n');
      }
      spec.append("source: { table: ").append(source).append(" }\n");
      spec.append("target: { table: ").append(target);
      if (!partitionBy.isEmpty()) {
        spec.append(", partitionBy: [ ")
            .append(partitionBy.stream().map(SpecDrafts::quoted).collect(Collectors.joining(", ")))
            .append(" ]");
      }
      spec.append(" }\n");
      String body = text + spec.toString();
      return text
          + MARK
          + hash(body)
          + ": assess drafts this file again until it is edited, then keeps it.\n"
          + spec;
    }
  }

  /** Where the draft of a table that migrates faithfully goes. */
  Path file(String database, String table) {
    return directory.resolve(database).resolve(table + ".yaml");
  }

  /** Where the draft of a table that needs review goes. */
  Path review(String database, String table) {
    return directory.resolve(REVIEW).resolve(database).resolve(table + ".yaml.review");
  }

  /**
   * Writes {@code text} at {@code file}, unless a file there was edited since it was drafted (or is
   * not a draft). Removes an unedited draft at {@code other}, the table's other place.
   *
   * @return null when written, else why not, naming the file and what to do
   */
  String write(Path file, Path other, String text) {
    try {
      if (Files.exists(other) && unedited(other)) {
        Files.delete(other);
      }
      if (Files.exists(file) && !unedited(file)) {
        return "Kept "
            + file
            + ": it was edited since it was drafted (or not drafted by assess), so its draft was"
            + " not written. Delete or move it to draft it again";
      }
      Files.createDirectories(file.getParent());
      Files.writeString(file, text, StandardCharsets.UTF_8);
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot write the drafted spec " + file + ": " + e.getMessage() + ". Give --out DIR", e);
    }
  }

  /** Whether {@code file} is a draft nobody edited: its text matches the hash in it. */
  static boolean unedited(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    int mark = text.indexOf("\n" + MARK);
    if (mark < 0) {
      return false;
    }
    int start = mark + 1 + MARK.length();
    int end = text.indexOf(':', start);
    int lineEnd = text.indexOf('\n', start);
    if (end < 0 || lineEnd < 0 || end > lineEnd) {
      return false;
    }
    String body = text.substring(0, mark + 1) + text.substring(lineEnd + 1);
    return hash(body).equals(text.substring(start, end));
  }

  private static void comment(StringBuilder text, String prefix, String line) {
    text.append('#').append(prefix).append(line.replace("\n", "\n#    ")).append('\n');
  }

  /** A YAML scalar in double quotes (JSON's escapes are YAML's). */
  private static String quoted(String value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hash(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
