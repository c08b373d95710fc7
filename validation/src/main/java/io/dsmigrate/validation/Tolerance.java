package io.dsmigrate.validation;

/**
 * How far a numeric value of the new side may be from the old one and still count as equal: {@code
 * |old - new| <= max(absolute, relative * max(|old|, |new|))}. Nulls equal only nulls; NaN equals
 * only NaN. Applies to floating point and decimal columns, in a keyed comparison (rows must be
 * paired to compare their values).
 *
 * @param absolute largest allowed absolute difference (0 for none)
 * @param relative largest allowed difference relative to the larger magnitude (0 for none)
 */
public record Tolerance(double absolute, double relative) implements java.io.Serializable {

  public Tolerance {
    if (!(absolute >= 0) || !(relative >= 0) || Double.isInfinite(absolute + relative)) {
      throw new IllegalArgumentException(
          "a tolerance must be a finite number >= 0, got absolute="
              + absolute
              + " relative="
              + relative);
    }
  }

  /** Whether two values (not null) count as equal under this tolerance; NaN equals only NaN. */
  public boolean accepts(double old, double now) {
    if (Double.isNaN(old) || Double.isNaN(now)) {
      return Double.isNaN(old) && Double.isNaN(now);
    }
    return Math.abs(old - now)
        <= Math.max(absolute, relative * Math.max(Math.abs(old), Math.abs(now)));
  }

  /** Parses {@code 0.01} (absolute) or {@code 1e-9 relative} / {@code 0.5%} (relative). */
  public static Tolerance parse(String text) {
    String value = text.trim().toLowerCase(java.util.Locale.ROOT);
    try {
      if (value.endsWith("%")) {
        return new Tolerance(0, Double.parseDouble(value.substring(0, value.length() - 1)) / 100);
      }
      if (value.endsWith("relative")) {
        return new Tolerance(
            0, Double.parseDouble(value.substring(0, value.length() - "relative".length()).trim()));
      }
      if (value.endsWith("absolute")) {
        value = value.substring(0, value.length() - "absolute".length()).trim();
      }
      return new Tolerance(Double.parseDouble(value), 0);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "cannot read the tolerance '"
              + text
              + "'; write an absolute difference (0.01), a relative one (1e-9 relative) or a"
              + " percentage (0.5%)");
    }
  }

  @Override
  public String toString() {
    if (relative == 0) {
      return Double.toString(absolute);
    }
    return absolute == 0 ? relative + " relative" : absolute + " or " + relative + " relative";
  }
}
