package io.dsmigrate.job.spec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.NodeEvent;

/**
 * A YAML value with the line it was written on. Jackson's tree model drops locations, and spec
 * errors must name the line to fix, so specs are read into this small tree instead.
 *
 * @param value a {@code Map<String, YamlNode>}, a {@code List<YamlNode>}, a String, Number,
 *     Boolean, or null
 * @param line 1-based line of the value (of its key, for a map entry)
 */
record YamlNode(Object value, int line) {
  private static final YAMLFactory FACTORY = new YAMLFactory();

  /**
   * Every document of a YAML stream. Anchors and aliases ({@code &name}, {@code *name}, {@code <<:
   * *name}) go to {@code refused} with their lines: Jackson reads an alias as the plain text of its
   * name, so {@code table: *t} would silently mean a table named "t".
   */
  static List<YamlNode> readAll(String text, BiConsumer<Integer, String> refused)
      throws IOException {
    anchorsAndAliases(text, refused);
    List<YamlNode> documents = new ArrayList<>();
    try (JsonParser parser = FACTORY.createParser(new StringReader(text))) {
      while (parser.nextToken() != null) {
        documents.add(read(parser, parser.currentTokenLocation().getLineNr()));
      }
    }
    return documents;
  }

  // Jackson's parser hides the anchors of scalars; SnakeYAML's events, underneath it, show all.
  private static void anchorsAndAliases(String text, BiConsumer<Integer, String> refused) {
    try {
      for (Event event : new Yaml().parse(new StringReader(text))) {
        int line = event.getStartMark().getLine() + 1;
        if (event instanceof AliasEvent alias) {
          refused.accept(
              line,
              "*"
                  + alias.getAnchor()
                  + " is a YAML alias, which dsmigrate would read as the text '"
                  + alias.getAnchor()
                  + "'; anchors and aliases (&name, *name, <<: *name) are not supported: write the"
                  + " value out in full");
        } else if (event instanceof NodeEvent node && node.getAnchor() != null) {
          refused.accept(
              line,
              "&"
                  + node.getAnchor()
                  + " is a YAML anchor; anchors and aliases (&name, *name, <<: *name) are not"
                  + " supported: write each value out in full");
        }
      }
    } catch (RuntimeException e) {
      // Not valid YAML: Jackson's parser says where, below.
    }
  }

  private static YamlNode read(JsonParser parser, int line) throws IOException {
    JsonToken token = parser.currentToken();
    switch (token) {
      case START_OBJECT -> {
        Map<String, YamlNode> map = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          int keyLine = parser.currentTokenLocation().getLineNr();
          parser.nextToken();
          YamlNode child = read(parser, keyLine);
          if (map.containsKey(name)) {
            // A repeated key would silently win in most YAML readers; make it an error instead.
            map.put(name + "\u0000duplicate@" + keyLine, child);
          } else {
            map.put(name, child);
          }
        }
        return new YamlNode(map, line);
      }
      case START_ARRAY -> {
        List<YamlNode> list = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          list.add(read(parser, parser.currentTokenLocation().getLineNr()));
        }
        return new YamlNode(list, line);
      }
      case VALUE_STRING -> {
        return new YamlNode(parser.getText(), line);
      }
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
        return new YamlNode(parser.getNumberValue(), line);
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        return new YamlNode(parser.getBooleanValue(), line);
      }
      case VALUE_NULL -> {
        return new YamlNode(null, line);
      }
      default -> throw new IOException("unexpected YAML token " + token + " at line " + line);
    }
  }

  @SuppressWarnings("unchecked")
  Map<String, YamlNode> map() {
    return value instanceof Map<?, ?> ? (Map<String, YamlNode>) value : null;
  }

  @SuppressWarnings("unchecked")
  List<YamlNode> list() {
    return value instanceof List<?> ? (List<YamlNode>) value : null;
  }

  String typeName() {
    if (value == null) {
      return "nothing";
    }
    if (value instanceof Map<?, ?>) {
      return "a map";
    }
    if (value instanceof List<?>) {
      return "a list";
    }
    if (value instanceof String) {
      return "text";
    }
    return value instanceof Boolean ? "true/false" : "a number";
  }
}
