package io.dsmigrate.validation;

/**
 * One compared column: its profile on each side (from the same scan that proves equality) and
 * whether it differs.
 *
 * @param name the column
 * @param type the type it was compared in (see the canonical forms in the README)
 * @param nullsOld nulls on the old side
 * @param nullsNew nulls on the new side
 * @param minOld smallest value on the old side, as text (null for types without an order, or when
 *     all values are null)
 * @param maxOld largest value on the old side
 * @param minNew smallest value on the new side
 * @param maxNew largest value on the new side
 * @param fingerprintMatch the column's values are equal as multisets on both sides (exact)
 * @param rowsDiffering with a key: paired rows (same key on both sides) whose value in this column
 *     differs beyond its tolerance; null without a key
 */
public record ColumnComparison(
    String name,
    String type,
    long nullsOld,
    long nullsNew,
    String minOld,
    String maxOld,
    String minNew,
    String maxNew,
    boolean fingerprintMatch,
    Long rowsDiffering)
    implements java.io.Serializable {

  /** The column holds different values: per paired row with a key, as a multiset without one. */
  public boolean differs() {
    return rowsDiffering != null ? rowsDiffering > 0 : !fingerprintMatch;
  }
}
