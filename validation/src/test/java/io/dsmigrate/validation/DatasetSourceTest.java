package io.dsmigrate.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsmigrate.testing.SparkTestBase;
import org.junit.jupiter.api.Test;

/** A table name and a path are never taken for one another. */
class DatasetSourceTest extends SparkTestBase {
  @Test
  void aRelativePathIsRefusedAndNeverReadAsTheTableOfThatName() {
    spark().sql("CREATE DATABASE IF NOT EXISTS source_names");
    spark().range(4).write().format("parquet").saveAsTable("source_names.orders");
    spark().range(2).write().parquet(path("orders"));

    assertThat(DatasetSource.read(spark(), "source_names.orders").count()).isEqualTo(4);
    assertThat(DatasetSource.read(spark(), path("orders")).count()).isEqualTo(2);
    assertThat(DatasetSource.read(spark(), "file:" + path("orders")).count()).isEqualTo(2);
    assertThatThrownBy(() -> DatasetSource.read(spark(), "source_names/orders"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'source_names/orders' is a relative path");
    assertThat(DatasetSource.isPath("file:orders")).isTrue();
    assertThat(DatasetSource.isPath("source_names.orders")).isFalse();
  }
}
