package io.dsmigrate.job.spec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

  /** Every document of a YAML stream. */
  static List<YamlNode> readAll(Reader reader) throws IOException {
    List<YamlNode> documents = new ArrayList<>();
    try (JsonParser parser = FACTORY.createParser(reader)) {
      while (parser.nextToken() != null) {
        documents.add(read(parser, parser.currentTokenLocation().getLineNr()));
      }
    }
    return documents;
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
