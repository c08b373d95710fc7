package io.dsmigrate.job.spec;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.dsmigrate.job.security.ReadOnlySelect;
import io.dsmigrate.job.security.ReservedLocations;
import io.dsmigrate.job.security.SecuritySettings;
import io.dsmigrate.validation.Tolerance;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.catalyst.parser.CatalystSqlParser$;
import org.apache.spark.sql.catalyst.parser.ParserInterface;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;

/**
 * Reads spec files and checks them all before anything runs, collecting every problem (with {@code
 * file:line}) rather than stopping at the first.
 *
 * <p>A file holds one spec, several under a top-level {@code datasets:} list, or several YAML
 * documents. A path may be a directory: every {@code *.yaml}/{@code *.yml} below it is read, in
 * name order.
 */
public final class SpecLoader {
  private static final Set<String> SPEC_FIELDS =
      Set.of(
          "id",
          "description",
          "source",
          "target",
          "transform",
          "key",
          "validation",
          "consumers",
          "owner",
          "cutover",
          "sourcePath",
          "targetPath",
          "scriptUrl");
  private static final Set<String> SOURCE_FIELDS = Set.of("table", "path", "format");
  private static final Set<String> TARGET_FIELDS =
      Set.of("table", "path", "format", "partitionBy", "comment", "properties", "column-comments");
  private static final Set<String> TRANSFORM_FIELDS =
      Set.of("rename", "cast", "drop", "add", "sql", "script");
  private static final Set<String> VALIDATION_FIELDS =
      Set.of("key", "ignore", "tolerance", "queries", "samples");
  private static final Set<String> QUERY_FIELDS = Set.of("old", "new");
  private static final Set<String> SOURCE_FORMATS = Set.of("parquet", "delta", "orc");
  private static final Set<String> TARGET_FORMATS = Set.of("delta", "parquet");
  private static final ParserInterface SQL = CatalystSqlParser$.MODULE$;
  private static final String METADATA_MAP = "{ name: \"text\" }";

  private static final Pattern TABLE_LIKE = Pattern.compile("\\w+(\\.\\w+)?");
  private static final Pattern TABLE_NAME_PART = Pattern.compile("`[A-Za-z0-9_]+`|[A-Za-z0-9_]+");

  private final SecuritySettings security;
  private final ReservedLocations reserved;
  private final List<SpecProblem> problems = new ArrayList<>();
  private final List<DatasetSpec> specs = new ArrayList<>();

  private SpecLoader(SecuritySettings security, ReservedLocations reserved) {
    this.security = security;
    this.reserved = reserved;
  }

  /**
   * The fields a spec may have, by where they are: {@code ""} for the spec itself, then {@code
   * source}, {@code target}, {@code transform}, {@code validation} and {@code validation.queries}
   * (an old/new pair). {@code conf/spec.schema.json} names the same fields; a test keeps them
   * equal.
   */
  public static Map<String, Set<String>> fields() {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    out.put("", SPEC_FIELDS);
    out.put("source", SOURCE_FIELDS);
    out.put("target", TARGET_FIELDS);
    out.put("transform", TRANSFORM_FIELDS);
    out.put("validation", VALIDATION_FIELDS);
    out.put("validation.queries", QUERY_FIELDS);
    return java.util.Collections.unmodifiableMap(out);
  }

  /** The result of loading: the specs, and every problem found (empty when they can run). */
  public record Result(List<DatasetSpec> specs, List<SpecProblem> problems) {
    public Result {
      specs = List.copyOf(specs);
      problems = List.copyOf(problems);
    }

    /** The specs, or a {@link SpecException} listing every problem. */
    public List<DatasetSpec> orThrow() {
      if (!problems.isEmpty()) {
        throw new SpecException(problems);
      }
      return specs;
    }
  }

  /**
   * Loads and checks every spec under {@code paths} (files or directories) with the default
   * security settings, the default results database reserved.
   */
  public static Result load(List<Path> paths) {
    return load(paths, SecuritySettings.DEFAULT);
  }

  /**
   * Loads and checks every spec under {@code paths} with {@code security}, the default results
   * database reserved.
   */
  public static Result load(List<Path> paths, SecuritySettings security) {
    return load(paths, security, ReservedLocations.of("dsmigrate"));
  }

  /**
   * Loads and checks every spec under {@code paths} (files or directories); what the specs may do
   * (SQL, scripts, paths) is checked against {@code security}, and none may read or write {@code
   * reserved}, dsmigrate's own state.
   */
  public static Result load(
      List<Path> paths, SecuritySettings security, ReservedLocations reserved) {
    SpecLoader loader =
        new SpecLoader(
            requireNonNull(security, "security is null"),
            requireNonNull(reserved, "reserved is null"));
    for (Path path : paths) {
      loader.loadPath(path);
    }
    loader.checkAcrossSpecs();
    loader.checkNesting();
    return new Result(loader.specs, loader.problems);
  }

  private void loadPath(Path path) {
    if (!Files.exists(path)) {
      problems.add(
          new SpecProblem(
              path.toString(),
              0,
              null,
              null,
              "no such file or directory; give a spec file or a directory of *.yaml files"));
      return;
    }
    if (Files.isDirectory(path)) {
      List<Path> files;
      try (Stream<Path> walk = Files.walk(path)) {
        files =
            walk.filter(Files::isRegularFile)
                .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                .sorted()
                .toList();
      } catch (IOException e) {
        problems.add(
            new SpecProblem(path.toString(), 0, null, null, "cannot list: " + e.getMessage()));
        return;
      }
      if (files.isEmpty()) {
        problems.add(
            new SpecProblem(
                path.toString(), 0, null, null, "no *.yaml or *.yml files in this directory"));
      }
      files.forEach(this::loadFile);
    } else {
      loadFile(path);
    }
  }

  private void loadFile(Path file) {
    String name = file.toString();
    List<YamlNode> documents;
    List<SpecProblem> refused = new ArrayList<>();
    try {
      documents =
          YamlNode.readAll(
              Files.readString(file, StandardCharsets.UTF_8),
              (line, message) -> refused.add(new SpecProblem(name, line, null, null, message)));
    } catch (JsonProcessingException e) {
      int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      problems.add(
          new SpecProblem(
              name, line, null, null, "not valid YAML: " + yamlMessage(e.getOriginalMessage())));
      return;
    } catch (IOException e) {
      problems.add(new SpecProblem(name, 0, null, null, "cannot read: " + e.getMessage()));
      return;
    }
    if (!refused.isEmpty()) {
      // What the file means is not what it says; its specs are not read further.
      problems.addAll(refused);
      return;
    }
    for (YamlNode document : documents) {
      Map<String, YamlNode> top = document.map();
      if (document.value() == null) {
        continue;
      }
      if (top == null) {
        problems.add(
            new SpecProblem(
                name,
                document.line(),
                null,
                null,
                "expected a spec (a map) or 'datasets:' with a list of specs, found "
                    + document.typeName()));
        continue;
      }
      if (top.containsKey("datasets")) {
        for (String key : top.keySet()) {
          if (!key.equals("datasets")) {
            problems.add(
                new SpecProblem(
                    name,
                    top.get(key).line(),
                    null,
                    cleanKey(key),
                    "unknown field next to 'datasets'; a file holds one spec or a 'datasets:' list"));
          }
        }
        List<YamlNode> list = top.get("datasets").list();
        if (list == null) {
          problems.add(
              new SpecProblem(
                  name,
                  top.get("datasets").line(),
                  null,
                  "datasets",
                  "expected a list of specs, found " + top.get("datasets").typeName()));
          continue;
        }
        for (YamlNode entry : list) {
          readSpec(file, entry);
        }
      } else {
        readSpec(file, document);
      }
    }
  }

  private void readSpec(Path file, YamlNode node) {
    new SpecReader(file, node).read();
  }

  /** Reads one spec map, adding problems as it goes. */
  private final class SpecReader {
    private final Path file;
    private final String fileName;
    private final YamlNode node;
    private final Map<String, Integer> lines = new HashMap<>();
    private String id;
    // The text of a local script, as checked (a remote one is read when the dataset runs).
    private String scriptText;

    SpecReader(Path file, YamlNode node) {
      this.file = file;
      this.fileName = file.toString();
      this.node = node;
    }

    void read() {
      Map<String, YamlNode> fields = node.map();
      if (fields == null) {
        problem(
            node.line(),
            null,
            "expected a spec (a map with id, source, target, ...), found " + node.typeName());
        return;
      }
      id = text(fields, "id", "id");
      checkFields(fields, SPEC_FIELDS, "");
      text(fields, "description", "description");

      SourceSpec source = readSource(fields);
      TargetSpec target = readTarget(fields);
      TransformSpec transform = readTransform(fields);
      List<String> key = textList(fields, "key", "key");
      ValidationSpec validation = readValidation(fields, key);
      List<String> consumers = textList(fields, "consumers", "consumers");
      String owner = text(fields, "owner", "owner");
      boolean cutover = flag(fields, "cutover", "cutover");

      if (id == null && !fields.containsKey("id")) {
        id = derivedId(target);
        if (id == null) {
          problem(
              node.line(), "id", "missing; every spec needs an id that is unique across all specs");
        }
      }
      if (source == null || target == null || id == null) {
        return;
      }
      if (cutover) {
        checkCutover(source, target);
      }
      checkColumnComments(target, transform);
      // Kept even with problems, so that checks across specs (ids, targets) still see it; the
      // problems stop the run anyway.
      specs.add(
          new DatasetSpec(
              id,
              source,
              target,
              transform,
              validation,
              consumers,
              owner,
              cutover,
              new SpecOrigin(fileName, node.line(), lines)));
    }

    /**
     * Cut-over gives the source table's name to the target: it needs a source table, a Delta target
     * table, and a target that is not the source itself.
     */
    private void checkCutover(SourceSpec source, TargetSpec target) {
      int line = lineOf("cutover");
      if (source.table() == null) {
        problem(
            line,
            "cutover",
            "needs a source table: cut-over gives the source's table name to the target, and source "
                + source.describe()
                + " is a path. Give source: { table: db.name }, or remove 'cutover: true'");
      }
      if (target.table() == null) {
        problem(
            line,
            "cutover",
            "needs a target table: the source's name is pointed at the target's data, and the target"
                + " name keeps working too. Give target: { table: db.name } (a path as well if you"
                + " like), or remove 'cutover: true'");
      } else if (source.table() != null
          && Names.table(source.table()).equals(Names.table(target.table()))) {
        problem(
            line,
            "cutover",
            "the target is the source table itself (an in-place migration keeps its name anyway);"
                + " give another target table, or remove 'cutover: true'");
      }
      if (!target.format().equals("delta")) {
        problem(
            line,
            "cutover",
            "needs a Delta target: the source's name becomes an external Delta table over the"
                + " target's files. Remove target.format: "
                + target.format()
                + ", or remove 'cutover: true'");
      }
    }

    /**
     * A column comment must name a column of the target: one that {@code transform.rename} renamed
     * is named as the target has it, and one that {@code transform.drop} removes has no comment to
     * keep. Columns the target lacks otherwise are found when the dataset runs.
     */
    private void checkColumnComments(TargetSpec target, TransformSpec transform) {
      for (String column : target.columnComments().keySet()) {
        String field = "target.column-comments." + column;
        String renamedTo = null;
        for (Map.Entry<String, String> rename : transform.rename().entrySet()) {
          if (rename.getKey().equalsIgnoreCase(column)
              && !rename.getValue().equalsIgnoreCase(column)) {
            renamedTo = rename.getValue();
          }
        }
        boolean renamedBack =
            transform.rename().values().stream().anyMatch(name -> name.equalsIgnoreCase(column));
        if (renamedTo != null && !renamedBack) {
          problem(
              lineOf(field),
              field,
              "transform.rename renames '"
                  + column
                  + "' to '"
                  + renamedTo
                  + "'; name the column as the target has it: "
                  + renamedTo
                  + ": \"...\"");
        } else if (transform.drop().stream().anyMatch(name -> name.equalsIgnoreCase(column))
            && transform.add().keySet().stream().noneMatch(name -> name.equalsIgnoreCase(column))) {
          problem(
              lineOf(field),
              field,
              "transform.drop removes '"
                  + column
                  + "', so the target has no such column; remove its comment, or keep the column");
        }
      }
    }

    private ValidationSpec readValidation(Map<String, YamlNode> fields, List<String> topKey) {
      YamlNode validationNode = fields.get("validation");
      if (validationNode == null) {
        return new ValidationSpec(topKey, null, null, null, null);
      }
      Map<String, YamlNode> map = mapOf(validationNode, "validation");
      if (map == null) {
        return ValidationSpec.NONE;
      }
      checkFields(map, VALIDATION_FIELDS, "validation.");
      List<String> key = textList(map, "key", "validation.key");
      if (!key.isEmpty() && !topKey.isEmpty()) {
        problem(
            lineOf("validation.key"), "validation.key", "give 'key' or 'validation.key', not both");
      }
      List<String> ignore = textList(map, "ignore", "validation.ignore");
      Map<String, Tolerance> tolerances = new LinkedHashMap<>();
      textMap(map, "tolerance", "validation.tolerance")
          .forEach(
              (column, text) -> {
                try {
                  tolerances.put(column, Tolerance.parse(text));
                } catch (IllegalArgumentException e) {
                  problem(
                      lineOf("validation.tolerance." + column),
                      "validation.tolerance." + column,
                      e.getMessage());
                }
              });
      List<String> allKeys = key.isEmpty() ? topKey : key;
      if (!tolerances.isEmpty() && allKeys.isEmpty()) {
        problem(
            lineOf("validation.tolerance"),
            "validation.tolerance",
            "tolerances need key columns to pair old and new rows; add validation.key");
      }
      for (String column : ignore) {
        if (allKeys.stream().anyMatch(k -> k.equalsIgnoreCase(column))) {
          problem(
              lineOf("validation.ignore"),
              "validation.ignore",
              "'" + column + "' is a key column; a key column cannot be ignored");
        }
      }
      List<ValidationSpec.ConsumerQuery> queries = new ArrayList<>();
      YamlNode queriesNode = map.get("queries");
      if (queriesNode != null) {
        lines.put("validation.queries", queriesNode.line());
        if (queriesNode.list() == null) {
          problem(
              queriesNode.line(),
              "validation.queries",
              "expected a list of SQL queries, found " + queriesNode.typeName());
        } else {
          for (YamlNode item : queriesNode.list()) {
            ValidationSpec.ConsumerQuery query = readQuery(item);
            if (query != null) {
              queries.add(query);
            }
          }
        }
      }
      Integer samples = null;
      String samplesText = text(map, "samples", "validation.samples");
      if (samplesText != null) {
        try {
          samples = Integer.parseInt(samplesText);
          if (samples < 0) {
            throw new NumberFormatException();
          }
        } catch (NumberFormatException e) {
          problem(
              lineOf("validation.samples"),
              "validation.samples",
              "expected a number of rows >= 0, found '" + samplesText + "'");
        }
      }
      return new ValidationSpec(allKeys, ignore, tolerances, queries, samples);
    }

    private ValidationSpec.ConsumerQuery readQuery(YamlNode item) {
      String field = "validation.queries";
      if (item.value() instanceof String sql && !sql.isBlank()) {
        checkQuery(sql, item.line(), field, "dataset");
        return new ValidationSpec.ConsumerQuery(sql, sql);
      }
      Map<String, YamlNode> pair = item.map();
      if (pair == null || !pair.containsKey("old") || !pair.containsKey("new")) {
        problem(
            item.line(),
            field,
            "expected a SQL query, or { old: SQL, new: SQL }, found " + item.typeName());
        return null;
      }
      checkFields(pair, QUERY_FIELDS, "validation.queries.");
      String oldSql = text(pair, "old", "validation.queries.old");
      String newSql = text(pair, "new", "validation.queries.new");
      if (oldSql == null || newSql == null) {
        return null;
      }
      checkQuery(oldSql, pair.get("old").line(), "validation.queries.old", "dataset");
      checkQuery(newSql, pair.get("new").line(), "validation.queries.new", "dataset");
      return new ValidationSpec.ConsumerQuery(oldSql, newSql);
    }

    private SourceSpec readSource(Map<String, YamlNode> fields) {
      YamlNode sourceNode = fields.get("source");
      String sourcePath = text(fields, "sourcePath", "sourcePath");
      if (sourceNode != null && sourcePath != null) {
        problem(
            fields.get("sourcePath").line(),
            "sourcePath",
            "give 'source' or 'sourcePath', not both");
        return null;
      }
      if (sourcePath != null) {
        checkPath(sourcePath, "sourcePath");
        return new SourceSpec(null, sourcePath, null);
      }
      if (sourceNode == null) {
        problem(
            node.line(),
            "source",
            "missing; give source: { table: db.name } or source: { path: ..., format: parquet|delta }");
        return null;
      }
      Map<String, YamlNode> map = mapOf(sourceNode, "source");
      if (map == null) {
        return null;
      }
      checkFields(map, SOURCE_FIELDS, "source.");
      String table = text(map, "table", "source.table");
      String path = text(map, "path", "source.path");
      String format = lower(text(map, "format", "source.format"));
      if (table == null && path == null) {
        problem(sourceNode.line(), "source", "give a table or a path");
      } else if (table != null && path != null) {
        problem(sourceNode.line(), "source", "give a table or a path, not both");
      }
      if (format != null && !SOURCE_FORMATS.contains(format)) {
        problem(
            map.get("format").line(),
            "source.format",
            "'" + format + "' is not a source format; use one of " + SOURCE_FORMATS);
      }
      if (format != null && table != null) {
        problem(
            map.get("format").line(),
            "source.format",
            "a table's format comes from the metastore; give format only with a path");
      }
      checkTableName(table, "source.table");
      checkPath(path, "source.path");
      return new SourceSpec(table, path, format);
    }

    private TargetSpec readTarget(Map<String, YamlNode> fields) {
      YamlNode targetNode = fields.get("target");
      String targetPath = text(fields, "targetPath", "targetPath");
      if (targetNode != null && targetPath != null) {
        problem(
            fields.get("targetPath").line(),
            "targetPath",
            "give 'target' or 'targetPath', not both");
        return null;
      }
      if (targetPath != null) {
        checkPath(targetPath, "targetPath");
        return new TargetSpec(null, targetPath, null, null);
      }
      if (targetNode == null) {
        problem(
            node.line(), "target", "missing; give target: { table: db.name } and/or { path: ... }");
        return null;
      }
      Map<String, YamlNode> map = mapOf(targetNode, "target");
      if (map == null) {
        return null;
      }
      checkFields(map, TARGET_FIELDS, "target.");
      String table = text(map, "table", "target.table");
      String path = text(map, "path", "target.path");
      String format = lower(text(map, "format", "target.format"));
      List<String> partitionBy = textList(map, "partitionBy", "target.partitionBy");
      if (table == null && path == null) {
        problem(targetNode.line(), "target", "give a table, a path, or both");
      }
      if (format != null && !TARGET_FORMATS.contains(format)) {
        problem(
            map.get("format").line(),
            "target.format",
            "'" + format + "' is not a target format; use one of " + TARGET_FORMATS);
      }
      checkTableName(table, "target.table");
      checkPath(path, "target.path");
      String comment = comment(map, "comment", "target.comment");
      Map<String, String> properties = properties(map);
      Map<String, String> columnComments = columnComments(map);
      if (format != null
          && format.equals("parquet")
          && table == null
          && (comment != null || !properties.isEmpty())) {
        problem(
            lineOf(comment != null ? "target.comment" : "target.properties"),
            comment != null ? "target.comment" : "target.properties",
            "a Parquet target without a table has nowhere to keep a table comment or properties;"
                + " give target.table as well, or remove them");
      }
      return new TargetSpec(table, path, format, partitionBy, comment, properties, columnComments);
    }

    /**
     * {@code target.properties}: text values (a value YAML reads as a number or true/false is
     * refused rather than turned into text that may not be what was written); keys dsmigrate sets
     * itself, and those the table's definition holds elsewhere, are refused.
     */
    private Map<String, String> properties(Map<String, YamlNode> target) {
      Map<String, String> out = new LinkedHashMap<>();
      for (Map.Entry<String, YamlNode> entry :
          entries(target, "properties", "target.properties", METADATA_MAP)) {
        String key = entry.getKey();
        String field = "target.properties." + key;
        String refusal = propertyRefusal(key);
        if (refusal != null) {
          problem(entry.getValue().line(), field, refusal);
          continue;
        }
        String value = metadataText(entry.getValue(), field, key + ": \"...\"");
        if (value != null) {
          out.put(key, value);
        }
      }
      return out;
    }

    /**
     * {@code target.column-comments}: text per target column, each column once (names are not
     * case-sensitive), none that the transform renames away or drops (the rest is checked against
     * the target's columns when the dataset runs).
     */
    private Map<String, String> columnComments(Map<String, YamlNode> target) {
      Map<String, String> out = new LinkedHashMap<>();
      Map<String, String> seen = new HashMap<>();
      for (Map.Entry<String, YamlNode> entry :
          entries(target, "column-comments", "target.column-comments", METADATA_MAP)) {
        String column = entry.getKey();
        String field = "target.column-comments." + column;
        String earlier = seen.putIfAbsent(column.toLowerCase(Locale.ROOT), column);
        if (earlier != null) {
          problem(
              entry.getValue().line(),
              field,
              "'"
                  + column
                  + "' is the column '"
                  + earlier
                  + "' again (column names are not case-sensitive); give each column once");
          continue;
        }
        String value = metadataText(entry.getValue(), field, column + ": \"...\"");
        if (value != null) {
          out.put(column, value);
        }
      }
      return out;
    }

    /**
     * The entries of the map at {@code key}, each with its line recorded: a value that is not a map
     * (like {@code example}) and keys given twice are problems, and left out.
     */
    private List<Map.Entry<String, YamlNode>> entries(
        Map<String, YamlNode> map, String key, String field, String example) {
      YamlNode value = map.get(key);
      if (value == null) {
        return List.of();
      }
      lines.put(field, value.line());
      if (value.map() == null) {
        problem(
            value.line(), field, "expected a map like " + example + ", found " + value.typeName());
        return List.of();
      }
      List<Map.Entry<String, YamlNode>> out = new ArrayList<>();
      for (Map.Entry<String, YamlNode> entry : value.map().entrySet()) {
        if (entry.getKey().contains("\u0000duplicate")) {
          problem(entry.getValue().line(), field + "." + cleanKey(entry.getKey()), "given twice");
        } else {
          lines.put(field + "." + entry.getKey(), entry.getValue().line());
          out.add(entry);
        }
      }
      return out;
    }

    /** A comment: text, empty text for none. */
    private String comment(Map<String, YamlNode> map, String key, String field) {
      YamlNode value = map.get(key);
      if (value == null) {
        return null;
      }
      lines.put(field, value.line());
      return metadataText(value, field, key + ": \"...\"");
    }

    // Metadata is text as written: YAML reads 30, 1.10 or true as a number or a flag, whose
    // text would not be what was written (1.10 becomes 1.1), so such values must be quoted.
    private String metadataText(YamlNode value, String field, String example) {
      if (value.value() instanceof String text) {
        return text;
      }
      Object read = value.value();
      // A whole number or a flag reads back as written; a fraction may not (1.10 is 1.1).
      boolean faithful =
          read instanceof Boolean
              || read instanceof Integer
              || read instanceof Long
              || read instanceof java.math.BigInteger;
      problem(
          value.line(),
          field,
          "expected text, found "
              + value.typeName()
              + (read instanceof Number || read instanceof Boolean
                  ? " ("
                      + read
                      + "); quote it so that it is kept exactly as written: "
                      + (faithful ? example.replace("...", String.valueOf(read)) : example)
                  : "; write it as " + example));
      return null;
    }

    private TransformSpec readTransform(Map<String, YamlNode> fields) {
      String scriptUrl = text(fields, "scriptUrl", "scriptUrl");
      YamlNode transformNode = fields.get("transform");
      if (transformNode == null) {
        if (scriptUrl == null) {
          return TransformSpec.NONE;
        }
        String script = checkScript(scriptUrl, fields.get("scriptUrl").line(), "scriptUrl");
        return new TransformSpec(null, null, null, null, null, script, scriptText);
      }
      if (scriptUrl != null) {
        problem(
            fields.get("scriptUrl").line(),
            "scriptUrl",
            "give 'transform' or 'scriptUrl', not both");
      }
      Map<String, YamlNode> map = mapOf(transformNode, "transform");
      if (map == null) {
        return TransformSpec.NONE;
      }
      checkFields(map, TRANSFORM_FIELDS, "transform.");
      Map<String, String> rename = textMap(map, "rename", "transform.rename");
      Map<String, String> cast = textMap(map, "cast", "transform.cast");
      List<String> drop = textList(map, "drop", "transform.drop");
      Map<String, String> add = textMap(map, "add", "transform.add");
      String sql = text(map, "sql", "transform.sql");
      String script = text(map, "script", "transform.script");

      boolean columns = !rename.isEmpty() || !cast.isEmpty() || !drop.isEmpty() || !add.isEmpty();
      int kinds = (columns ? 1 : 0) + (sql != null ? 1 : 0) + (script != null ? 1 : 0);
      if (kinds > 1) {
        problem(
            transformNode.line(),
            "transform",
            "use column operations (rename/cast/drop/add), 'sql' or 'script': only one of them");
      }
      cast.forEach(
          (column, type) -> {
            try {
              SQL.parseDataType(type);
            } catch (Exception e) { // ParseException is checked
              problem(
                  lineOf("transform.cast." + column),
                  "transform.cast." + column,
                  "'"
                      + type
                      + "' is not a Spark SQL type (examples: int, bigint, decimal(18,2), date, timestamp, string)");
            }
          });
      add.forEach(
          (column, expression) -> {
            try {
              for (String violation :
                  ReadOnlySelect.check(SQL.parseExpression(expression), security)) {
                problem(lineOf("transform.add." + column), "transform.add." + column, violation);
              }
            } catch (Exception e) { // ParseException is checked
              problem(
                  lineOf("transform.add." + column),
                  "transform.add." + column,
                  "cannot parse the expression '" + expression + "': " + firstLine(e.getMessage()));
            }
          });
      if (sql != null) {
        checkQuery(sql, lineOf("transform.sql"), "transform.sql", "source");
      }
      if (script != null) {
        script = checkScript(script, lineOf("transform.script"), "transform.script");
      }
      return new TransformSpec(rename, cast, drop, add, sql, script, scriptText);
    }

    /** Checks a local script now (a remote one is read when the dataset runs); returns its URI. */
    private String checkScript(String location, int line, String field) {
      URI uri;
      try {
        uri = URI.create(location);
      } catch (IllegalArgumentException e) {
        problem(line, field, "'" + location + "' is not a URL or path");
        return location;
      }
      Path local = null;
      if (uri.getScheme() == null) {
        local = file.toAbsolutePath().getParent().resolve(location).normalize();
      } else if (uri.getScheme().equals("file")) {
        local = Path.of(uri);
      }
      String refusal =
          security.scriptRefusal(local == null ? location : local.toString(), fileName);
      if (refusal != null) {
        problem(line, field, refusal);
        return location;
      }
      if (local == null) {
        return location;
      }
      if (!Files.isRegularFile(local)) {
        problem(
            line,
            field,
            "script "
                + local
                + " does not exist; give a file:// URL or a path relative to the spec file");
        return location;
      }
      try {
        scriptText = Files.readString(local);
        checkQuery(scriptText, line, field, "source");
      } catch (IOException e) {
        problem(line, field, "cannot read script " + local + ": " + e.getMessage());
      }
      return local.toUri().toString();
    }

    /** One read-only SELECT over {@code view}: parsed, then its plan walked. */
    private void checkQuery(String sql, int line, String field, String view) {
      LogicalPlan parsed;
      try {
        parsed = SQL.parsePlan(sql.strip().replaceAll(";\\s*$", ""));
      } catch (Exception e) { // ParseException is checked
        problem(line, field, "cannot parse the SQL: " + firstLine(e.getMessage()));
        return;
      }
      for (String violation : ReadOnlySelect.check(parsed, view, security)) {
        problem(line, field, violation);
      }
    }

    private void checkPath(String path, String field) {
      if (path == null) {
        return;
      }
      if (!Names.absolute(path)) {
        // A relative path is resolved against whatever directory dsmigrate runs in, and a bare
        // name reads like a table name elsewhere (validation, undo): never what was meant.
        String side = field.startsWith("source") ? "source" : "target";
        boolean tableLike = TABLE_LIKE.matcher(path.strip()).matches();
        problem(
            lineOf(field),
            field,
            "'"
                + path
                + "' is a relative path, which would be read against whatever directory dsmigrate"
                + " runs in; give an absolute path (/...) or a URI (hdfs://namenode/...)"
                + (tableLike
                    ? ", or " + side + ": { table: " + path.strip() + " } if you mean a table"
                    : ""));
        return;
      }
      String refusal = security.pathRefusal(path);
      if (refusal == null) {
        refusal = reserved.locationRefusal(path);
      }
      if (refusal != null) {
        problem(lineOf(field), field, refusal);
      }
    }

    // Names reach SQL only quoted, but the metastore takes only these names anyway; refusing the
    // rest here makes a name with a quote or a backtick a spec problem, not a surprise later.
    private void checkTableName(String table, String field) {
      if (table == null) {
        return;
      }
      String[] parts = table.trim().split("\\.", -1);
      if (parts.length > 2
          || !java.util.Arrays.stream(parts).allMatch(p -> TABLE_NAME_PART.matcher(p).matches())) {
        problem(
            lineOf(field),
            field,
            "'"
                + table
                + "' is not a table name; give table or database.table, each of letters, digits"
                + " and _");
      } else if (reserved.tableRefusal(table) != null) {
        problem(lineOf(field), field, reserved.tableRefusal(table));
      }
    }

    private String derivedId(TargetSpec target) {
      if (target == null) {
        return null;
      }
      if (target.table() != null) {
        return target.table();
      }
      String path = target.path().replaceAll("/+$", "");
      return path.substring(path.lastIndexOf('/') + 1);
    }

    private void checkFields(Map<String, YamlNode> map, Set<String> allowed, String prefix) {
      for (Map.Entry<String, YamlNode> entry : map.entrySet()) {
        String key = entry.getKey();
        if (key.contains("\u0000duplicate")) {
          problem(entry.getValue().line(), prefix + cleanKey(key), "given twice");
        } else if (!allowed.contains(key)) {
          problem(
              entry.getValue().line(),
              prefix + key,
              "unknown field; allowed here: "
                  + String.join(", ", allowed.stream().sorted().toList()));
        } else {
          lines.put(prefix + key, entry.getValue().line());
        }
      }
    }

    private Map<String, YamlNode> mapOf(YamlNode value, String field) {
      if (value.map() == null) {
        problem(value.line(), field, "expected a map, found " + value.typeName());
      }
      return value.map();
    }

    private String text(Map<String, YamlNode> map, String key, String field) {
      YamlNode value = map.get(key);
      if (value == null) {
        return null;
      }
      lines.put(field, value.line());
      if (value.value() instanceof String text && !text.isBlank()) {
        return text;
      }
      if (value.value() instanceof Number || value.value() instanceof Boolean) {
        return value.value().toString();
      }
      problem(
          value.line(),
          field,
          "expected text, found "
              + (value.value() instanceof String ? "an empty value" : value.typeName()));
      return null;
    }

    private boolean flag(Map<String, YamlNode> map, String key, String field) {
      YamlNode value = map.get(key);
      if (value == null) {
        return false;
      }
      lines.put(field, value.line());
      if (value.value() instanceof Boolean flag) {
        return flag;
      }
      problem(value.line(), field, "expected true or false, found " + describe(value));
      return false;
    }

    private String describe(YamlNode value) {
      return value.value() instanceof String text ? "'" + text + "'" : value.typeName();
    }

    private List<String> textList(Map<String, YamlNode> map, String key, String field) {
      YamlNode value = map.get(key);
      if (value == null) {
        return List.of();
      }
      lines.put(field, value.line());
      List<YamlNode> list = value.list();
      if (list == null) {
        problem(value.line(), field, "expected a list like [a, b], found " + value.typeName());
        return List.of();
      }
      List<String> out = new ArrayList<>();
      for (YamlNode item : list) {
        if (item.value() instanceof String text && !text.isBlank()) {
          out.add(text);
        } else {
          problem(item.line(), field, "expected a name, found " + item.typeName());
        }
      }
      return out;
    }

    private Map<String, String> textMap(Map<String, YamlNode> map, String key, String field) {
      Map<String, String> out = new LinkedHashMap<>();
      for (Map.Entry<String, YamlNode> entry : entries(map, key, field, "{ a: b }")) {
        String name = entry.getKey();
        YamlNode item = entry.getValue();
        if (item.value() instanceof String text && !text.isBlank()) {
          out.put(name, text);
        } else {
          problem(item.line(), field + "." + name, "expected text, found " + item.typeName());
        }
      }
      return out;
    }

    private int lineOf(String field) {
      return lines.getOrDefault(field, node.line());
    }

    private void problem(int line, String field, String message) {
      problems.add(new SpecProblem(fileName, line, id, field, message));
    }
  }

  private void checkAcrossSpecs() {
    Map<String, DatasetSpec> byId = new HashMap<>();
    Map<String, DatasetSpec> byTarget = new HashMap<>();
    Map<String, DatasetSpec> bySource = new HashMap<>();
    Map<String, DatasetSpec> byCutover = new HashMap<>();
    for (DatasetSpec spec : specs) {
      for (String source : keys(spec.source().table(), spec.source().path())) {
        bySource.putIfAbsent(source, spec);
      }
    }
    for (DatasetSpec spec : specs) {
      if (spec.cutover() && spec.source().table() != null) {
        DatasetSpec sameTable = byCutover.putIfAbsent(Names.table(spec.source().table()), spec);
        if (sameTable != null) {
          problems.add(
              at(
                  spec,
                  "cutover",
                  "cuts over "
                      + Names.table(spec.source().table())
                      + ", as "
                      + sameTable.id()
                      + " does ("
                      + sameTable.at("cutover")
                      + "); only one dataset can take over a table's name"));
        }
      }
      // Ids name ledger and snapshot directories: on a case-insensitive file system, ids that
      // differ only in letter case would share them.
      DatasetSpec sameId = byId.putIfAbsent(spec.id().toLowerCase(Locale.ROOT), spec);
      if (sameId != null && sameId.id().equals(spec.id())) {
        problems.add(
            at(
                spec,
                "id",
                "duplicate id; also used at "
                    + sameId.at("id")
                    + ". Ids must be unique across all specs"));
      } else if (sameId != null) {
        problems.add(
            at(
                spec,
                "id",
                "'"
                    + spec.id()
                    + "' differs from the id '"
                    + sameId.id()
                    + "' at "
                    + sameId.at("id")
                    + " only in letter case; ids name the datasets' ledger and snapshot"
                    + " directories, which a case-insensitive file system would merge. Give ids"
                    + " that differ in more than case"));
      }
      for (String target : keys(spec.target().table(), spec.target().path())) {
        DatasetSpec sameTarget = byTarget.putIfAbsent(target, spec);
        if (sameTarget != null && sameTarget != spec) {
          problems.add(
              at(
                  spec,
                  "target",
                  "writes the same target as "
                      + sameTarget.id()
                      + " ("
                      + sameTarget.at("target")
                      + "); give each dataset its own target"));
        }
        DatasetSpec reader = bySource.get(target);
        if (reader != null && reader != spec) {
          problems.add(
              at(
                  spec,
                  "target",
                  "writes "
                      + spec.target().describe()
                      + ", which is the source of "
                      + reader.id()
                      + " ("
                      + reader.at("source")
                      + "); migrate one after the other, in separate runs"));
        }
      }
    }
  }

  /** Literal paths that nest; equal ones and table names are checked above. */
  private void checkNesting() {
    List<NestedLocations.Located> located = new ArrayList<>();
    for (DatasetSpec spec : specs) {
      located.add(
          new NestedLocations.Located(
              spec, absoluteOrNull(spec.source().path()), absoluteOrNull(spec.target().path())));
    }
    problems.addAll(NestedLocations.problems(located, false));
  }

  private static String absoluteOrNull(String path) {
    return path != null && Names.absolute(path) ? path : null;
  }

  private static List<String> keys(String table, String path) {
    List<String> keys = new ArrayList<>();
    if (table != null) {
      keys.add("table:" + Names.table(table));
    }
    if (path != null && Names.absolute(path)) {
      // A relative path is a problem of its own spec already; it is compared with nothing.
      keys.add("path:" + Names.path(path));
    }
    return keys;
  }

  private static SpecProblem at(DatasetSpec spec, String field, String message) {
    return SpecProblem.at(spec, field, message);
  }

  private static String cleanKey(String key) {
    int marker = key.indexOf('\u0000');
    return marker < 0 ? key : key.substring(0, marker);
  }

  // SnakeYAML's messages span lines with code excerpts and carets; keep the sentences.
  private static String yamlMessage(String message) {
    return String.join(
        "; ",
        message
            .lines()
            .filter(line -> !line.isBlank() && !line.startsWith(" "))
            .map(String::strip)
            .toList());
  }

  /**
   * Why {@code target.properties} may not set {@code key}, or null: dsmigrate's own properties are
   * dsmigrate's to set, and what the table's definition holds elsewhere has a field of its own.
   */
  private static String propertyRefusal(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    if (key.isBlank()) {
      return "a property needs a name";
    }
    if (lower.startsWith("dsmigrate.")) {
      return "dsmigrate sets the dsmigrate.* properties itself (dsmigrate.source, dsmigrate.dataset,"
          + " dsmigrate.run); give your property another name";
    }
    return switch (lower) {
      case "comment" -> "the table comment is target.comment; move it there";
      case "owner" ->
          "the target's owner is the source's (as the metastore reports it), not a property;"
              + " remove it and change the owner in the metastore after the migration if needed";
      case "location", "path" -> "the target's location is target.path; move it there";
      case "provider", "external" ->
          "'" + key + "' is decided by target.format and target.path, not a property; remove it";
      default -> null;
    };
  }

  private static String lower(String text) {
    return text == null ? null : text.toLowerCase(Locale.ROOT);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    String line = message.strip();
    int newline = line.indexOf('\n');
    return newline < 0 ? line : line.substring(0, newline);
  }
}
