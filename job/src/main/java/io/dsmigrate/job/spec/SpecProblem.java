package io.dsmigrate.job.spec;

/**
 * One thing wrong with a spec: where ({@code file:line}), which dataset and field, and what to
 * change.
 */
public record SpecProblem(String file, int line, String datasetId, String field, String message) {
  /** A problem of {@code spec}'s {@code field}, at the line of that field. */
  public static SpecProblem at(DatasetSpec spec, String field, String message) {
    String location = spec.at(field);
    int colon = location.lastIndexOf(':');
    return new SpecProblem(
        location.substring(0, colon),
        Integer.parseInt(location.substring(colon + 1)),
        spec.id(),
        field,
        message);
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder().append(file).append(':').append(line).append(": ");
    if (datasetId != null) {
      text.append(datasetId).append(": ");
    }
    if (field != null) {
      text.append(field).append(": ");
    }
    return text.append(message).toString();
  }
}
