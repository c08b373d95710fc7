package io.dsmigrate.validation;

/**
 * How a consumer query fared: its result over the old data against its result over the new data.
 *
 * @param query the query as written (one SQL, or the old and the new SQL)
 * @param passed both runs succeeded and gave the same rows (as multisets) under the same column
 *     names; a changed column type alone does not fail a query, it is named in {@code detail}
 * @param rowsOld rows of the result over the old data (null if the query failed there)
 * @param rowsNew rows of the result over the new data (null if the query failed there)
 * @param rowsMissing result rows of old not in new
 * @param rowsExtra result rows of new not in old
 * @param detail what differed or failed, empty when passed without remarks
 */
public record QueryOutcome(
    String query,
    boolean passed,
    Long rowsOld,
    Long rowsNew,
    long rowsMissing,
    long rowsExtra,
    String detail) {}
