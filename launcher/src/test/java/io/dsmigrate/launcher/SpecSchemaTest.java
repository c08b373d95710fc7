package io.dsmigrate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.dsmigrate.job.spec.SpecLoader;
import io.dsmigrate.job.spec.SpecProblem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps {@code conf/spec.schema.json}, the Backstage template in {@code conf/backstage} and the
 * spec loader from drifting apart: the schema (read by a maintained JSON Schema validator) accepts
 * every spec the loader accepts in the test suite, the demo, the README and the template's output,
 * and rejects the structurally broken ones the loader rejects; the fields each names are the same.
 */
class SpecSchemaTest {
  private static final Path ROOT = Path.of("..");
  private static final Path SCHEMA = ROOT.resolve("conf/spec.schema.json");
  private static final Path TEMPLATE = ROOT.resolve("conf/backstage/template.yaml");
  private static final Path SKELETON = ROOT.resolve("conf/backstage/skeleton");
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Problems of shape the loader reports (a field unknown, missing or of the wrong type, a name or
   * path not written as one): the schema must see these too. Other problems (SQL that does not
   * parse, a script that does not exist, an id used twice) are beyond a schema.
   */
  private static final List<String> STRUCTURAL =
      List.of(
          "unknown field",
          "expected ",
          "missing;",
          "give a table or a path",
          "give a table, a path, or both",
          "give 'source' or 'sourcePath', not both",
          "give 'target' or 'targetPath', not both",
          "give 'transform' or 'scriptUrl', not both",
          "give 'key' or 'validation.key', not both",
          "is not a source format",
          "is not a target format",
          "is not a table name",
          "is a relative path",
          "a table's format comes from the metastore",
          "use column operations (rename/cast/drop/add), 'sql' or 'script'");

  private static Schema schema;
  @TempDir Path temp;

  @BeforeAll
  static void readSchema() throws IOException {
    schema =
        SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
            .getSchema(Files.readString(SCHEMA));
  }

  /** A YAML text: the documents it holds, what the loader says of it, and where it came from. */
  private record Sample(
      String where, String yaml, List<JsonNode> documents, List<SpecProblem> problems) {
    boolean accepted() {
      return problems.isEmpty();
    }

    boolean structurallyBroken() {
      return !problems.isEmpty()
          && problems.stream()
              .allMatch(p -> STRUCTURAL.stream().anyMatch(s -> p.message().contains(s)));
    }
  }

  private Sample sample(String where, String yaml) throws IOException {
    Path file = Files.createTempFile(temp, "spec", ".yaml");
    Files.writeString(file, yaml, StandardCharsets.UTF_8);
    List<SpecProblem> problems = SpecLoader.load(List.of(file)).problems();
    List<JsonNode> documents = new ArrayList<>();
    try (var parser = new YAMLFactory().createParser(yaml)) {
      Iterator<JsonNode> it = YAML.readValues(parser, JsonNode.class);
      while (it.hasNext()) {
        JsonNode document = it.next();
        if (document != null && !document.isMissingNode() && !document.isNull()) {
          documents.add(document);
        }
      }
    } catch (IOException e) {
      return new Sample(
          where, yaml, List.of(), List.of(new SpecProblem(where, 0, null, null, "not YAML")));
    }
    return new Sample(where, yaml, documents, problems);
  }

  private static List<String> errors(JsonNode document) {
    return schema.validate(document).stream().map(Error::toString).toList();
  }

  /**
   * What {@code conf/spec.schema.json} says of each YAML document of a spec file (empty: valid).
   */
  static List<String> schemaErrors(Path specFile) throws IOException {
    if (schema == null) {
      readSchema();
    }
    List<String> out = new ArrayList<>();
    try (var parser = new YAMLFactory().createParser(specFile.toFile())) {
      Iterator<JsonNode> documents = YAML.readValues(parser, JsonNode.class);
      while (documents.hasNext()) {
        out.addAll(errors(documents.next()));
      }
    }
    return out;
  }

  @Test
  void theSchemaAcceptsEverySpecTheLoaderAcceptsAndRejectsTheBrokenOnes() throws IOException {
    List<Sample> samples = new ArrayList<>();
    for (Map.Entry<String, String> block : specBlocksInSources().entrySet()) {
      samples.add(sample(block.getKey(), block.getValue()));
    }
    for (Map.Entry<String, String> block : readmeSpecs().entrySet()) {
      samples.add(sample(block.getKey(), block.getValue()));
    }
    List<Sample> accepted = samples.stream().filter(Sample::accepted).toList();
    List<Sample> broken = samples.stream().filter(Sample::structurallyBroken).toList();
    // The corpus is the suite's own specs: dozens of each, so a scan that finds none fails here.
    assertThat(accepted).hasSizeGreaterThan(40);
    assertThat(broken).hasSizeGreaterThan(5);
    assertThat(accepted).anyMatch(s -> s.where().contains("DemoWarehouse"));
    assertThat(accepted).anyMatch(s -> s.where().contains("README"));

    List<String> drift = new ArrayList<>();
    for (Sample sample : accepted) {
      for (JsonNode document : sample.documents()) {
        List<String> errors = errors(document);
        if (!errors.isEmpty()) {
          drift.add(sample.where() + ": the loader accepts it, the schema says " + errors);
        }
      }
    }
    for (Sample sample : broken) {
      if (sample.documents().stream().allMatch(d -> errors(d).isEmpty())) {
        drift.add(
            sample.where()
                + ": the loader says "
                + sample.problems().stream().map(SpecProblem::message).toList()
                + ", the schema accepts it");
      }
    }
    assertThat(drift).isEmpty();
  }

  @Test
  void brokenSpecsAreRejectedByBoth() throws IOException {
    List<String> brokenSpecs =
        List.of(
            "id: a\nsource: { table: legacy.a }\n",
            "id: a\nsource: { table: legacy.a }\ntarget: { table: new.a }\ncolour: blue\n",
            "id: a\nsource: { table: legacy.a, path: /data/a }\ntarget: { table: new.a }\n",
            "id: a\nsource: { table: legacy.a, format: parquet }\ntarget: { table: new.a }\n",
            "id: a\nsource: { path: /data/a, format: csv }\ntarget: { table: new.a }\n",
            "id: a\nsource: { path: data/a }\ntarget: { table: new.a }\n",
            "id: a\nsource: { table: \"legacy.a;drop\" }\ntarget: { table: new.a }\n",
            "id: a\nsource: { table: legacy.a }\ntarget: { format: delta }\n",
            "id: a\nsource: { table: legacy.a }\ntarget: { table: new.a, format: orc }\n",
            "id: a\nsource: { table: legacy.a }\ntarget: { table: new.a }\ncutover: \"yes\"\n",
            "id: a\nsource: { table: legacy.a }\ntarget: { table: new.a }\nkey: id\n",
            "id: a\nsource: { table: legacy.a }\ntarget: { table: new.a }\n"
                + "transform: { rename: { a: b }, sql: \"SELECT * FROM source\" }\n",
            "id: a\nsource: { table: legacy.a }\ntarget: { table: new.a }\n"
                + "validation: { samples: -1 }\n",
            "id: a\nsource: { table: legacy.a }\ntarget: { table: new.a }\n"
                + "validation: { queries: [ { old: \"SELECT 1\" } ] }\n",
            "id: a\nsource: { table: legacy.a }\ntarget: { table: new.a }\nkey: [ id ]\n"
                + "validation: { key: [ id ] }\n",
            "id: a\nsourcePath: /data/a\nsource: { table: legacy.a }\ntarget: { table: new.a }\n",
            "id: a\nsource: { table: legacy.a }\ntarget: { table: new.a }\n"
                + "target_typo: { table: new.b }\n",
            "id: a\nsource: { table: legacy.a }\ntarget: { table: new.a, properties: { n: 1 } }\n",
            "id: a\nsource: { table: legacy.a }\ntarget: { table: new.a }\nowner: \"\"\n",
            "datasets:\n  - id: a\n    source: { table: legacy.a }\n    target: { table: new.a }\n"
                + "extra: 1\n");
    for (String yaml : brokenSpecs) {
      Sample sample = sample("broken", yaml);
      assertThat(sample.problems()).as(yaml).isNotEmpty();
      assertThat(sample.documents().stream().flatMap(d -> errors(d).stream()).toList())
          .as("the schema should reject, as the loader does (%s):%n%s", sample.problems(), yaml)
          .isNotEmpty();
    }
  }

  @Test
  void theSchemaNamesTheFieldsTheLoaderReads() throws IOException {
    JsonNode root = JSON.readTree(SCHEMA.toFile());
    JsonNode defs = root.get("$defs");
    Map<String, Set<String>> fields = SpecLoader.fields();
    assertThat(names(defs.at("/spec/properties"))).isEqualTo(new TreeSet<>(fields.get("")));
    for (String section : List.of("source", "target", "transform", "validation")) {
      assertThat(names(defs.at("/" + section + "/properties")))
          .as(section)
          .isEqualTo(new TreeSet<>(fields.get(section)));
    }
    assertThat(names(defs.at("/validation/properties/queries/items/anyOf/1/properties")))
        .isEqualTo(new TreeSet<>(fields.get("validation.queries")));
  }

  @Test
  void theBackstageTemplateAsksForSpecFieldsAndWritesSpecsTheLoaderAccepts() throws IOException {
    JsonNode template = YAML.readTree(TEMPLATE.toFile());
    assertThat(template.path("apiVersion").asText()).isEqualTo("scaffolder.backstage.io/v1beta3");
    assertThat(template.path("kind").asText()).isEqualTo("Template");
    Map<String, Set<String>> fields = SpecLoader.fields();
    Map<String, JsonNode> parameters = new LinkedHashMap<>();
    for (JsonNode page : template.at("/spec/parameters")) {
      page.path("properties")
          .fields()
          .forEachRemaining(e -> parameters.put(e.getKey(), e.getValue()));
    }
    Set<String> repository = Set.of("repoUrl", "specDirectory");
    for (Map.Entry<String, JsonNode> parameter : parameters.entrySet()) {
      String name = parameter.getKey();
      if (repository.contains(name)) {
        continue;
      }
      assertThat(fields.get("")).as("template parameter %s is a spec field", name).contains(name);
      if (fields.containsKey(name)) {
        assertThat(fields.get(name))
            .as("the fields of template parameter %s", name)
            .containsAll(names(parameter.getValue().path("properties")));
      }
    }
    // Every spec field the template asks for is passed to the skeleton, which writes it.
    JsonNode values = template.at("/spec/steps/0/input/values");
    String skeleton;
    try (Stream<Path> files = Files.list(SKELETON)) {
      Path file = files.findFirst().orElseThrow();
      assertThat(file.getFileName().toString()).isEqualTo("${{ values.file }}.yaml");
      skeleton = Files.readString(file);
    }
    for (String name : parameters.keySet()) {
      if (!repository.contains(name)) {
        assertThat(values.path(name).asText()).isEqualTo("${{ parameters." + name + " }}");
        assertThat(skeleton).contains("values." + name);
      }
    }

    List<ObjectNode> answers =
        List.of(
            answers(
                """
                { "owner": "group:default/team-orders",
                  "source": { "table": "legacy.orders" }, "target": { "table": "sales.orders" } }
                """),
            answers(
                """
                { "id": "web.clicks", "description": "Clicks, 2019 on", "owner": "team-web",
                  "consumers": [ "growth", "finance" ],
                  "source": { "path": "hdfs://nn/data/clicks", "format": "parquet" },
                  "target": { "table": "web.clicks", "path": "/warehouse/web/clicks",
                              "format": "delta", "partitionBy": [ "day" ], "comment": "Clicks" },
                  "cutover": false,
                  "transform": { "rename": { "ts": "event_time" }, "cast": { "n": "bigint" },
                                 "drop": [ "tmp" ] },
                  "key": [ "click_id" ], "validation": { "ignore": [ "loaded_at" ], "samples": 5 } }
                """),
            answers(
                """
                { "owner": "team-orders", "cutover": true,
                  "source": { "table": "legacy.payments" }, "target": { "table": "finance.payments" },
                  "transform": { "sql": "SELECT id, amount * 100 AS cents FROM source" } }
                """));
    for (ObjectNode answer : answers) {
      String written = render(skeleton, answer);
      Sample sample = sample("template output", written);
      assertThat(sample.problems()).as(written).isEmpty();
      assertThat(sample.documents()).hasSize(1);
      assertThat(errors(sample.documents().get(0))).as(written).isEmpty();
      assertThat(sample.documents().get(0).path("owner").asText())
          .isEqualTo(answer.path("owner").asText());
    }
  }

  private static ObjectNode answers(String json) throws IOException {
    return (ObjectNode) JSON.readTree(json);
  }

  private static final Pattern IF_BLOCK =
      Pattern.compile("\\s*\\{%- if values\\.(\\w+) %}(.*?)\\s*\\{%- endif %}", Pattern.DOTALL);
  private static final Pattern DUMP = Pattern.compile("\\$\\{\\{ values\\.(\\w+) \\| dump }}");

  /**
   * Renders the skeleton as Backstage's Nunjucks does for the two forms it uses: {@code {%- if
   * values.x %}...{%- endif %}} (JavaScript truthiness; {@code {%-} trims the whitespace before
   * it) and {@code ${{ values.x | dump }}} (JSON.stringify).
   */
  private static String render(String skeleton, ObjectNode values) throws IOException {
    StringBuilder out = new StringBuilder();
    Matcher block = IF_BLOCK.matcher(skeleton);
    while (block.find()) {
      JsonNode value = values.get(block.group(1));
      boolean truthy =
          value != null
              && !value.isNull()
              && !(value.isTextual() && value.asText().isEmpty())
              && !(value.isBoolean() && !value.asBoolean())
              && !(value.isNumber() && value.asDouble() == 0);
      block.appendReplacement(out, Matcher.quoteReplacement(truthy ? block.group(2) : ""));
    }
    block.appendTail(out);
    Matcher dump = DUMP.matcher(out.toString());
    StringBuilder rendered = new StringBuilder();
    while (dump.find()) {
      JsonNode value = values.get(dump.group(1));
      dump.appendReplacement(
          rendered, Matcher.quoteReplacement(JSON.writeValueAsString(value == null ? "" : value)));
    }
    dump.appendTail(rendered);
    assertThat(rendered.toString()).doesNotContain("{%").doesNotContain("${{");
    return rendered.toString();
  }

  private static Set<String> names(JsonNode properties) {
    Set<String> out = new TreeSet<>();
    properties.fieldNames().forEachRemaining(out::add);
    return out;
  }

  private static final Pattern TEXT_BLOCK =
      Pattern.compile("\"\"\"[ \\t]*\\n(.*?)\"\"\"", Pattern.DOTALL);
  private static final Pattern SPEC_LIKE =
      Pattern.compile("(?m)^\\s*(- )?(source|sourcePath|datasets|target|targetPath):");
  private static final Pattern FORMAT = Pattern.compile("(table: |\\.)?%(\\d+\\$)?([sd])");

  /**
   * The YAML text blocks of the test sources of every module and of the demo that look like specs,
   * as Java compiles them, with their format arguments filled in (a table name after {@code
   * table:}, else an absolute path; a number for {@code %d}).
   */
  private static Map<String, String> specBlocksInSources() throws IOException {
    List<Path> sources = new ArrayList<>();
    for (String module : List.of("validation", "job", "launcher")) {
      Path tests = ROOT.resolve(module).resolve("src/test/java");
      if (Files.isDirectory(tests)) {
        try (Stream<Path> walk = Files.walk(tests)) {
          walk.filter(p -> p.toString().endsWith(".java")).sorted().forEach(sources::add);
        }
      }
    }
    sources.add(
        ROOT.resolve("launcher/src/main/java/io/dsmigrate/launcher/demo/DemoWarehouse.java"));
    Map<String, String> out = new LinkedHashMap<>();
    for (Path source : sources) {
      String text = Files.readString(source);
      Matcher block = TEXT_BLOCK.matcher(text);
      while (block.find()) {
        String body = block.group(1).stripIndent().translateEscapes();
        if (!SPEC_LIKE.matcher(body).find() || body.contains("%%")) {
          continue;
        }
        Matcher format = FORMAT.matcher(body);
        StringBuilder filled = new StringBuilder();
        while (format.find()) {
          String value;
          if (format.group(3).equals("d")) {
            value = (format.group(1) == null ? "" : format.group(1)) + "7";
          } else if ("table: ".equals(format.group(1))) {
            value = "table: db.t";
          } else if (".".equals(format.group(1))) {
            value = ".t";
          } else {
            value = "/data/x";
          }
          format.appendReplacement(filled, Matcher.quoteReplacement(value));
        }
        format.appendTail(filled);
        String yaml = filled.toString();
        if (yaml.stripLeading().startsWith("- ")) {
          yaml = "datasets:\n" + yaml;
        }
        int line = text.substring(0, block.start()).split("\n", -1).length;
        out.put(ROOT.relativize(source) + ":" + line, yaml);
      }
    }
    return out;
  }

  /** The README's YAML examples that are specs. */
  private static Map<String, String> readmeSpecs() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    Matcher block = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL).matcher(readme);
    Map<String, String> out = new LinkedHashMap<>();
    while (block.find()) {
      if (SPEC_LIKE.matcher(block.group(1)).find()) {
        int line = readme.substring(0, block.start()).split("\n", -1).length;
        out.put("README.md:" + line, block.group(1));
      }
    }
    return out;
  }
}
