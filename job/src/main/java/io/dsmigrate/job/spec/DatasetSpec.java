package io.dsmigrate.job.spec;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One dataset to migrate, as its spec file describes it.
 *
 * @param id unique across all specs; names the dataset in results, logs and the Spark UI
 * @param source where the rows come from
 * @param target where they go
 * @param transform how they change on the way
 * @param validation how the written dataset is validated (key, ignored columns, tolerances,
 *     consumer queries, samples)
 * @param consumers downstream teams to tell
 * @param owner the team or address that owns the dataset (Backstage's {@code spec.owner}); told
 *     before and after its migration when notices are on (null: nobody)
 * @param cutover whether the target takes over the source table's name once validated (the source
 *     table is kept under a backup name)
 * @param origin the file and lines it was written on
 */
public record DatasetSpec(
    String id,
    SourceSpec source,
    TargetSpec target,
    TransformSpec transform,
    ValidationSpec validation,
    List<String> consumers,
    String owner,
    boolean cutover,
    SpecOrigin origin) {
  private static final ObjectMapper CANONICAL =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  public DatasetSpec {
    requireNonNull(id, "id is null");
    requireNonNull(source, "source is null");
    requireNonNull(target, "target is null");
    transform = transform == null ? TransformSpec.NONE : transform;
    validation = validation == null ? ValidationSpec.NONE : validation;
    consumers = consumers == null ? List.of() : List.copyOf(consumers);
    owner = owner == null || owner.isBlank() ? null : owner.strip();
  }

  /** A spec without an owner. */
  public DatasetSpec(
      String id,
      SourceSpec source,
      TargetSpec target,
      TransformSpec transform,
      ValidationSpec validation,
      List<String> consumers,
      boolean cutover,
      SpecOrigin origin) {
    this(id, source, target, transform, validation, consumers, null, cutover, origin);
  }

  /**
   * A hash of everything that decides what the migration writes and whether it succeeds (not where
   * the spec was written, nor how many differing rows are kept): a rerun skips a dataset whose last
   * successful run had the same hash. Covers the id, source, target (format and partitioning too),
   * the transform (its SQL, expressions, and a script's text, not only its name), the key, the
   * ignored columns, the tolerances, the consumer queries and cut-over.
   */
  public String hash() {
    Map<String, Object> content = new LinkedHashMap<>();
    content.put("id", id);
    content.put("source", source);
    content.put("target", target);
    content.put("transform", transform);
    content.put("key", validation.key());
    // Only when set, so that specs written before these counted keep their hash (and are not
    // migrated again on a rerun). A script's text always counts: it is in the transform.
    if (!validation.ignore().isEmpty()) {
      content.put("ignore", validation.ignore());
    }
    if (!validation.tolerances().isEmpty()) {
      content.put("tolerances", validation.tolerances());
    }
    if (!validation.queries().isEmpty()) {
      content.put("queries", validation.queries());
    }
    if (cutover) {
      content.put("cutover", true);
    }
    try {
      byte[] json = CANONICAL.writeValueAsBytes(content);
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(json);
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("Cannot hash spec " + id, e);
    }
  }

  /** A copy whose script (if any) has the text {@code text} (null: it could not be read). */
  public DatasetSpec withScriptText(String text) {
    return new DatasetSpec(
        id,
        source,
        target,
        transform.withScriptText(text),
        validation,
        consumers,
        owner,
        cutover,
        origin);
  }

  /** The columns that identify a row (may be empty). */
  public List<String> key() {
    return validation.key();
  }

  /** Where the spec starts, as {@code file:line}. */
  public String at(String field) {
    return origin == null ? "(no file)" : origin.at(field);
  }

  /** {@code id (source -> target)}, for logs. */
  public String describe() {
    return id + " (" + source.describe() + " -> " + target.describe() + ")";
  }
}
