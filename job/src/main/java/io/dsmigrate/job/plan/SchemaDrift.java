package io.dsmigrate.job.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * How a source's schema changed since it was planned: columns removed, added, or of another type.
 * Names compare case-insensitively and nullability is ignored (Spark reports files as nullable
 * whatever wrote them); the order of columns does not matter, since transforms refer to names.
 */
public final class SchemaDrift {
  private SchemaDrift() {}

  /** Each change, as words ("column 'note' (STRING) was removed"); empty when none. */
  public static List<String> between(String plannedDdl, String currentDdl) {
    Map<String, StructField> planned = byName(StructType.fromDDL(plannedDdl));
    Map<String, StructField> current = byName(StructType.fromDDL(currentDdl));
    List<String> changes = new ArrayList<>();
    planned.forEach(
        (name, field) -> {
          StructField now = current.get(name);
          if (now == null) {
            changes.add(describe(field) + " was removed");
          } else if (!field.dataType().sql().equals(now.dataType().sql())) {
            changes.add(
                "column '"
                    + field.name()
                    + "' changed from "
                    + field.dataType().sql()
                    + " to "
                    + now.dataType().sql());
          }
        });
    current.forEach(
        (name, field) -> {
          if (!planned.containsKey(name)) {
            changes.add(describe(field) + " was added");
          }
        });
    return changes;
  }

  private static String describe(StructField field) {
    return "column '" + field.name() + "' (" + field.dataType().sql() + ")";
  }

  private static Map<String, StructField> byName(StructType schema) {
    Map<String, StructField> fields = new LinkedHashMap<>();
    for (StructField field : schema.fields()) {
      fields.put(field.name().toLowerCase(Locale.ROOT), field);
    }
    return fields;
  }
}
